from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector_protocol.uscc import (
    ALPHABET,
    InvalidUSCC,
    check_character,
    complete_uscc,
    is_valid_uscc,
    parse_uscc,
)

KNOWN_VALID = "91350100M000100Y43"  # the example code of GB 32100-2015 material


def test_a_known_valid_code_parses() -> None:
    assert parse_uscc(KNOWN_VALID).value == KNOWN_VALID


def test_typing_noise_is_folded() -> None:
    assert parse_uscc(" 9135 0100m000100y43 ").value == KNOWN_VALID
    assert parse_uscc("９１３５０１００Ｍ０００１００Ｙ４３").value == KNOWN_VALID


def test_wrong_length_says_how_long_it_is() -> None:
    with pytest.raises(InvalidUSCC) as err:
        parse_uscc(KNOWN_VALID[:-1])
    assert err.value.reason == "length"
    assert "17" in err.value.render("en") and "17位" in err.value.render("zh")


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "*"])
def test_forbidden_character_names_its_position(bad: str) -> None:
    code = KNOWN_VALID[:10] + bad + KNOWN_VALID[11:]
    with pytest.raises(InvalidUSCC) as err:
        parse_uscc(code)
    assert err.value.reason == "forbidden_character"
    assert err.value.position == 11
    assert "position 11" in err.value.render("en")


def test_wrong_check_character_says_the_expected_one() -> None:
    with pytest.raises(InvalidUSCC) as err:
        parse_uscc(KNOWN_VALID[:17] + "4")
    assert err.value.reason == "check_character"
    assert err.value.expected == "3"
    assert "should be 3" in err.value.render("en")


def test_area_code_must_be_digits() -> None:
    with pytest.raises(InvalidUSCC) as err:
        parse_uscc(complete_uscc("9135A100M000100Y4").value)
    assert err.value.reason == "division_code" and err.value.position == 5


first17 = st.builds(
    lambda head, area, tail: head + area + tail,
    st.text(alphabet=ALPHABET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
)


@given(first17)
def test_every_completed_code_is_valid(body: str) -> None:
    assert is_valid_uscc(body + check_character(body))


@given(first17, st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_every_single_substitution_is_caught(body: str, position: int, replacement: str) -> None:
    code = body + check_character(body)
    if code[position] == replacement:
        return
    altered = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_uscc(altered)
