"""Checkpoints: the device's signed statement "my chain reached sequence N with head H".

A checkpoint is sent with every upload; the central endpoint accepts one only
if it extends the last one it accepted, which is how deleting or rolling back
events on a tablet is caught at the next sync.  The statement is the canonical
JSON object ``{"device", "seq", "head", "wall_ms"}`` signed by the device key
under :data:`inspector_protocol.tags.CHECKPOINT`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inspector_protocol import keys, tags
from inspector_protocol.canonical import canonical_bytes


def checkpoint_statement(device: str, seq: int, head: bytes, wall_ms: int) -> bytes:
    return canonical_bytes({"device": device, "seq": seq, "head": head.hex(), "wall_ms": wall_ms})


@dataclass(frozen=True)
class Checkpoint:
    raw: bytes
    sig: bytes

    @property
    def statement(self) -> dict[str, Any]:
        value = json.loads(self.raw)
        assert isinstance(value, dict)
        return value

    @property
    def seq(self) -> int:
        return int(self.statement["seq"])

    @property
    def head(self) -> str:
        return str(self.statement["head"])

    def verifies_with(self, device_public_key: bytes) -> bool:
        return keys.verify_signature(keys.load_public_key(device_public_key), self.sig,
                                     tags.CHECKPOINT.value + self.raw)
