"""AdaptCLIP training: adapters trained in PyTorch, exported in the format the Swift service loads.

language_adapter   the LanguageAdapter module (BERT hidden states -> CLIP projection space)
checkpoint         export / validate / load of adapter.json + adapter.safetensors
"""

from .checkpoint import LoadedModels, export_checkpoint, load_checkpoint, validate_checkpoint
from .checkpoint_error import CheckpointError
from .language_adapter import LanguageAdapter, LanguageAdapterConfig, expected_tensor_shapes

__all__ = ["CheckpointError", "LanguageAdapter", "LanguageAdapterConfig", "LoadedModels",
           "expected_tensor_shapes", "export_checkpoint", "load_checkpoint", "validate_checkpoint"]
