"""The server's fast canonical check accepts exactly what the ledger's rule accepts."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector_central.canonical_read import NotCanonicalBytes, parse_canonical
from inspector_protocol.canonical import canonical_bytes, is_canonical

# Text with combining marks, Hangul jamo, CJK and the characters that compose with U+0338.
_tricky = st.text(alphabet=st.sampled_from(
    ["a", "e", "=", "<", ">", '"', "\\", "检", "查", "\u0301", "\u0338", "\u0327", "\u1100",
     "\u1161", "\u00e9", "\ufb01", "\x00", "\n", "\ud7a3"]), max_size=6)
_numbers = (st.integers(-(2**54), 2**54) | st.floats(allow_nan=True, allow_infinity=True)
            | st.sampled_from([2.0, -0.0, 1e-5, 1e15, 1.6, 0.0001]))
_values = st.recursive(
    st.none() | st.booleans() | _numbers | st.text(max_size=6) | _tricky,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_tricky, inner, max_size=3),
    max_leaves=12)


def _spellings(value: object) -> list[bytes]:
    out = [json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(),
           json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode(),
           json.dumps(value, ensure_ascii=False).encode()]
    with contextlib.suppress(ValueError):
        out.append(canonical_bytes(value))
    return out


def _accepted(raw: bytes) -> bool:
    try:
        parse_canonical(raw)
    except NotCanonicalBytes:
        return False
    return True


@settings(max_examples=3000, deadline=None)
@given(_values)
def test_agrees_with_the_ledger_rule(value: object) -> None:
    for raw in _spellings(value):
        assert _accepted(raw) == is_canonical(raw), raw


@pytest.mark.parametrize("raw", [b'{"a":2.0}', b'{"a":1e999}', b'{"a":NaN}', b'{"b":1,"a":2}',
                                 b'{"a":"e\xcc\x81"}', b'{"a":1,"a":1}', b'{"a": 1}',
                                 b'{"a":"\\u00e9"}', b'{"a":9007199254740992}', b"\xff"])
def test_refuses_what_is_not_canonical(raw: bytes) -> None:
    assert not is_canonical(raw)
    assert not _accepted(raw)
