from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector_protocol.canonical import NotCanonical, canonical_bytes, is_canonical

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(min_value=1e-4, max_value=1e14, allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_canonical_form_is_stable_and_round_trips(value: object) -> None:
    raw = canonical_bytes(value)
    assert is_canonical(raw)
    assert canonical_bytes(json.loads(raw)) == raw


def test_keys_sorted_no_whitespace_utf8_nfc() -> None:
    assert canonical_bytes({"b": 1, "a": "检查"}) == '{"a":"检查","b":1}'.encode()
    assert canonical_bytes("e\u0301") == canonical_bytes("\u00e9")


def test_integral_floats_sign_as_integers() -> None:
    assert canonical_bytes({"v": 2.0}) == canonical_bytes({"v": 2})
    assert canonical_bytes(1.6) == b"1.6"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1e-9, 1e20, 2**60, {1: "x"},
                                 b"bytes", {1.5}])
def test_values_without_one_spelling_are_refused(bad: object) -> None:
    with pytest.raises(NotCanonical):
        canonical_bytes(bad)
