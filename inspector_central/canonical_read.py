"""Parse bytes and check they are canonical, without rebuilding the value.

The ledger's rule (:mod:`inspector_protocol.canonical`) is "the bytes equal
``canonical_bytes(json.loads(bytes))``"; checking it that way normalises every
string of the value in Python, which costs the server as much as the signature
check does.  Here the same rule is checked in parts that run in C:

* numbers are vetted while parsing (``parse_int`` / ``parse_float`` hooks): integers
  within ±(2^53−1); non-integral decimals of magnitude 1e-4 to 1e15 only (an
  integral float such as ``2.0`` is spelled ``2`` canonically, so it is refused);
* the bytes must equal the value re-encoded with sorted keys, no white space and
  UTF-8 as itself, which is how canonical bytes are written;
* every string must be in NFC.  A text in NFC has only NFC strings: characters
  are written as themselves except quotes, backslashes and controls, which compose
  with nothing, so a string that needs normalising shows the same need in the
  text.  The converse fails (an escape such as ``\\n`` followed by a combining
  mark looks like ``n`` + mark), so a text that is not NFC has its strings checked
  one by one.

``tests/central/test_canonical_read.py`` holds this equal to the ledger's rule on
generated input.
"""

from __future__ import annotations

import json
import math
import unicodedata
from typing import Any

from inspector_protocol.canonical import MAX_DECIMAL, MAX_SAFE_INTEGER, MIN_DECIMAL


class NotCanonicalBytes(ValueError):
    pass


def _integer(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        raise NotCanonicalBytes("integer out of the exactly representable range")
    return value


def _decimal(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value.is_integer():
        raise NotCanonicalBytes(f"{text} is not spelled canonically")
    if not MIN_DECIMAL <= abs(value) < MAX_DECIMAL:
        raise NotCanonicalBytes(f"{text} is outside the decimal range of signed data")
    return value


def _constant(text: str) -> Any:
    raise NotCanonicalBytes(f"{text} is not a number JSON can carry")


# Made once: ``json.loads`` with hooks would build a decoder per call.
_DECODER = json.JSONDecoder(parse_int=_integer, parse_float=_decimal, parse_constant=_constant)
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                            allow_nan=False)


def parse_canonical(raw: bytes) -> Any:
    """The value ``raw`` holds; :class:`NotCanonicalBytes` (a ValueError) unless canonical."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotCanonicalBytes("not UTF-8") from None
    try:
        value = _DECODER.decode(text)
    except NotCanonicalBytes:
        raise
    except (ValueError, RecursionError) as exc:  # nesting deeper than the parser goes
        raise NotCanonicalBytes(f"not JSON: {exc}") from None
    if _ENCODER.encode(value) != text:
        raise NotCanonicalBytes("not in canonical form")
    if not unicodedata.is_normalized("NFC", text) and not _strings_normalised(value):
        raise NotCanonicalBytes("a string is not in Unicode NFC")
    return value


def _strings_normalised(value: Any) -> bool:
    if isinstance(value, str):
        return unicodedata.is_normalized("NFC", value)
    if isinstance(value, dict):
        return all(_strings_normalised(k) and _strings_normalised(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_strings_normalised(item) for item in value)
    return True
