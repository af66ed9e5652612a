"""The repository's Python: run from the repository root as `python -m training.<module>`, the one
import root (training/README.md)."""
