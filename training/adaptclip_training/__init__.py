"""AdaptCLIP training: adapters trained in PyTorch, exported in the format the Swift service loads.

language_adapter   the LanguageAdapter module (BERT hidden states -> CLIP projection space)
checkpoint         export / validate / load of adapter.json + adapter.safetensors
prompt_learner     learned prompts (CoOp, structured) on a frozen CLIP's text encoder
prompt_checkpoint  export / validate / load of prompt checkpoints (kind "prompt")
"""

from .checkpoint import LoadedModels, export_checkpoint, load_checkpoint, validate_checkpoint
from .checkpoint_error import CheckpointError
from .language_adapter import LanguageAdapter, LanguageAdapterConfig, expected_tensor_shapes
from .prompt_checkpoint import PromptHost, export_prompt, load_prompt, validate_prompt
from .prompt_learner import (PromptConfig, PromptedClassifier, PromptedTextEncoder, PromptLearner,
                             expected_prompt_tensor_shapes)

__all__ = ["CheckpointError", "LanguageAdapter", "LanguageAdapterConfig", "LoadedModels", "PromptConfig",
           "PromptHost", "PromptLearner", "PromptedClassifier", "PromptedTextEncoder",
           "expected_prompt_tensor_shapes", "expected_tensor_shapes", "export_checkpoint", "export_prompt",
           "load_checkpoint", "load_prompt", "validate_checkpoint", "validate_prompt"]
