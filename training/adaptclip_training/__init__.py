"""AdaptCLIP training: adapters trained in PyTorch, exported in the format the Swift service loads.

language_adapter   the LanguageAdapter module (BERT hidden states -> CLIP projection space)
checkpoint         export / validate / load of adapter.json + adapter.safetensors
domain_adapter     parallel bottleneck adapters hooked beside the MLPs of a frozen CLIP
domain_checkpoint  export / validate / load of domain-adapter checkpoints (kind "domain")
prompt_learner     learned prompts (CoOp, structured) on a frozen CLIP's text encoder
prompt_checkpoint  export / validate / load of prompt checkpoints (kind "prompt")
"""

from .checkpoint import LoadedModels, export_checkpoint, load_checkpoint, validate_checkpoint
from .checkpoint_error import CheckpointError
from .domain_adapter import DomainAdapter, DomainAdapterConfig, DomainSideConfig
from .domain_checkpoint import (LoadedCLIP, export_domain_checkpoint, load_domain_checkpoint,
                                validate_domain_checkpoint)
from .language_adapter import LanguageAdapter, LanguageAdapterConfig, expected_tensor_shapes
from .prompt_checkpoint import PromptHost, export_prompt, load_prompt, validate_prompt
from .prompt_learner import (PromptConfig, PromptedClassifier, PromptedTextEncoder, PromptLearner,
                             expected_prompt_tensor_shapes)

__all__ = ["CheckpointError", "DomainAdapter", "DomainAdapterConfig", "DomainSideConfig", "LanguageAdapter",
           "LanguageAdapterConfig", "LoadedCLIP", "LoadedModels", "PromptConfig", "PromptHost", "PromptLearner",
           "PromptedClassifier", "PromptedTextEncoder", "expected_prompt_tensor_shapes", "expected_tensor_shapes",
           "export_checkpoint", "export_domain_checkpoint", "export_prompt", "load_checkpoint",
           "load_domain_checkpoint", "load_prompt", "validate_checkpoint", "validate_domain_checkpoint",
           "validate_prompt"]
