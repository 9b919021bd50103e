"""Honest draws made the way the central endpoint makes them, and the means to forge them."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_protocol import draws, keys, tags
from inspector_protocol.canonical import canonical_bytes
from inspector_protocol.draws import DrawExport, DrawParameters, Pools, SignedDocument

DOC = Path(__file__).resolve().parents[2] / "docs" / "draws.md"
#: The worked example's key (docs/draws.md §5).
EXAMPLE_KEY = Ed25519PrivateKey.from_private_bytes(
    hashlib.sha256(b"inspector-draw worked example key").digest())
SERVER_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"draw tests").digest())


def public(key: Ed25519PrivateKey) -> bytes:
    return keys.raw_public_key(key)


def sign(statement: dict[str, Any], key: Ed25519PrivateKey = SERVER_KEY) -> SignedDocument:
    """What ``ServerKey.sign`` does: the key id added, canonical bytes, the DRAW tag."""
    raw = canonical_bytes({**statement, "server_key": keys.key_id(public(key))})
    return SignedDocument(raw=raw.decode("utf-8"), sig=keys.b64encode(key.sign(tags.DRAW(raw))))


def statement(document: SignedDocument) -> dict[str, Any]:
    value = json.loads(document.raw)
    assert isinstance(value, dict)
    value.pop("server_key")
    return value


def honest_export(pools: Pools, parameters: DrawParameters, secret: bytes, beacon: str, *,
                  run: bool = True, key: Ed25519PrivateKey = SERVER_KEY,
                  draw_id: str = "D-000001") -> DrawExport:
    canonical = draws.prepare(pools, parameters)
    commitment = sign(draws.commitment_statement(
        draw_id=draw_id, title="测试抽查", committed_ms=1_763_452_800_000, pools=canonical,
        parameters=parameters, beacon_source="示例彩票 2025-11-20", secret=secret), key)
    result = None if not run else sign(draws.result_statement(
        commitment_raw=commitment.raw.encode("utf-8"), pools=canonical, secret=secret,
        beacon=beacon, run_ms=1_763_647_200_000), key)
    return DrawExport(format=draws.EXPORT_FORMAT, draw_id=draw_id,
                      server_key_id=keys.key_id(public(key)),
                      server_public_key=keys.b64encode(public(key)), commitment=commitment,
                      pools=canonical, result=result)


def doc_examples() -> dict[str, str]:
    """The fenced blocks of docs/draws.md marked ``<!-- example:NAME -->``."""
    text = DOC.read_text(encoding="utf-8")
    found = re.findall(r"<!-- example:([a-z-]+) -->\n```[a-z]*\n(.*?)\n```", text, re.S)
    return dict(found)
