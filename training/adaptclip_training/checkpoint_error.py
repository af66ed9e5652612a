"""The one error a checkpoint loader raises: it names the file and the field that is wrong."""

from __future__ import annotations


class CheckpointError(ValueError):
    """`<file>: <field>: <detail>`, e.g.

    adapter.json: clip.projection_dim: 48 does not match the loaded CLIP model (projection_dim 32)

    `field` is a dotted path into adapter.json (`base_encoder.hidden_size`), a safetensors part
    (`header`, `data`) or a tensor name (`tensor up_proj.weight`). The Swift loader uses the same
    three-part wording so that both sides can be tested against the same broken fixtures.
    """

    def __init__(self, file: str, field: str, detail: str) -> None:
        self.file = file
        self.field = field
        self.detail = detail
        super().__init__(f"{file}: {field}: {detail}")
