"""Canonical, deterministic serialisation of what is hashed and signed.

The same logical event must always give the same bytes, on every machine and
in every version, or signatures stop verifying.  Rules: JSON; object keys
sorted; no insignificant white space; UTF-8 text as itself (not ``\\u``
escapes); integers only (floats have several spellings and rounding), within
the range every JSON reader represents exactly; strings normalised to NFC.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1


class NotCanonical(ValueError):
    """The value cannot be represented canonically (a float, a huge int, a non-str key)."""


def canonical_bytes(value: Any) -> bytes:
    return json.dumps(
        _normalise(value, "$"), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
        allow_nan=False,
    ).encode("utf-8")


def _normalise(value: Any, path: str) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise NotCanonical(f"{path}: integer out of the exactly representable range")
        return value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical(f"{path}: object keys must be strings")
            out[unicodedata.normalize("NFC", key)] = _normalise(item, f"{path}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [_normalise(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise NotCanonical(f"{path}: {type(value).__name__} is not allowed in signed data")


def is_canonical(raw: bytes) -> bool:
    """True when ``raw`` is exactly the canonical form of what it decodes to."""
    try:
        return canonical_bytes(json.loads(raw)) == raw
    except (ValueError, NotCanonical):
        return False
