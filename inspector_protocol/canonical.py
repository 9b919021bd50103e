"""Canonical, deterministic serialisation of what is hashed and signed.

The same logical event must always give the same bytes, on every machine and
in every version, or signatures stop verifying.  Rules: JSON; object keys
sorted; no insignificant white space; UTF-8 text as itself (not ``\\u``
escapes); strings normalised to NFC; integers within the range every JSON
reader represents exactly.  Non-integral numbers (a measured pressure, 1.6 MPa)
are written in their shortest round-trip form, and only where that form is
plain decimal digits in every mainstream JSON writer (magnitude 1e-4 to 1e15);
an integral float is written as the integer, so 2.0 and 2 sign the same.
"""

from __future__ import annotations

import json
import math
import unicodedata
from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1
MIN_DECIMAL = 1e-4
MAX_DECIMAL = 1e15


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
    if isinstance(value, float):
        return _normalise_float(value, path)
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


def _normalise_float(value: float, path: str) -> int | float:
    if not math.isfinite(value):
        raise NotCanonical(f"{path}: {value} is not a number JSON can carry")
    if value.is_integer():
        if abs(value) > MAX_SAFE_INTEGER:
            raise NotCanonical(f"{path}: integer out of the exactly representable range")
        return int(value)
    if not MIN_DECIMAL <= abs(value) < MAX_DECIMAL:
        raise NotCanonical(f"{path}: {value!r} is outside the decimal range of signed data")
    return value


def is_canonical(raw: bytes) -> bool:
    """True when ``raw`` is exactly the canonical form of what it decodes to."""
    try:
        return canonical_bytes(json.loads(raw)) == raw
    except (ValueError, NotCanonical):
        return False
