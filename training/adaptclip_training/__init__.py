"""AdaptCLIP training: adapters trained in PyTorch, exported in the format the Swift service loads.

language_adapter     the LanguageAdapter module (BERT hidden states -> CLIP projection space)
domain_adapter       parallel bottleneck adapters hooked beside the MLPs of a frozen CLIP
prompt_learner       learned prompts (CoOp, structured) on a frozen CLIP's text encoder
checkpoint           what every checkpoint kind shares: directory, common manifest rules, weights
language_checkpoint  export / validate / load of language-adapter checkpoints (kind "language")
domain_checkpoint    export / validate / load of domain-adapter checkpoints (kind "domain")
prompt_checkpoint    export / validate / load of prompt checkpoints (kind "prompt")

Imported as training.adaptclip_training from the repository root (training/README.md).
"""

from .checkpoint_error import CheckpointError
from .domain_adapter import DomainAdapter, DomainAdapterConfig, DomainSideConfig
from .domain_checkpoint import (LoadedCLIP, export_domain_checkpoint, load_domain_checkpoint,
                                validate_domain_checkpoint)
from .language_adapter import LanguageAdapter, LanguageAdapterConfig, expected_tensor_shapes
from .language_checkpoint import (LoadedModels, export_language_checkpoint, load_language_checkpoint,
                                  validate_language_checkpoint)
from .prompt_checkpoint import PromptHost, export_prompt, load_prompt, validate_prompt
from .prompt_learner import (PromptConfig, PromptedClassifier, PromptedTextEncoder, PromptLearner,
                             expected_prompt_tensor_shapes)

__all__ = ["CheckpointError", "DomainAdapter", "DomainAdapterConfig", "DomainSideConfig", "LanguageAdapter",
           "LanguageAdapterConfig", "LoadedCLIP", "LoadedModels", "PromptConfig", "PromptHost", "PromptLearner",
           "PromptedClassifier", "PromptedTextEncoder", "expected_prompt_tensor_shapes", "expected_tensor_shapes",
           "export_domain_checkpoint", "export_language_checkpoint", "export_prompt", "load_domain_checkpoint",
           "load_language_checkpoint", "load_prompt", "validate_domain_checkpoint", "validate_language_checkpoint",
           "validate_prompt"]
