"""ConsecutiveFrameValidator: k frames in a row, once per appearance."""

from __future__ import annotations

import pytest

from inspector_app.scanning.confirm import ConsecutiveFrameValidator


def _feed(validator: ConsecutiveFrameValidator, frames: list[str | None]) -> list[str]:
    return [text for frame in frames if (text := validator.feed(frame)) is not None]


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_accepted_on_the_kth_consecutive_frame(k: int) -> None:
    validator = ConsecutiveFrameValidator(required=k)
    results = [validator.feed("A") for _ in range(k + 5)]
    assert results[k - 1] == "A"
    assert [r for r in results if r] == ["A"]


def test_a_different_code_restarts_the_count() -> None:
    validator = ConsecutiveFrameValidator(required=3)
    assert _feed(validator, ["A", "A", "B", "A", "A"]) == []
    assert _feed(validator, ["A"]) == ["A"]


def test_one_blurred_frame_is_tolerated_two_are_not() -> None:
    assert _feed(ConsecutiveFrameValidator(required=3), ["A", None, "A", "A"]) == ["A"]
    assert _feed(ConsecutiveFrameValidator(required=3), ["A", None, None, "A", "A"]) == []
    strict = ConsecutiveFrameValidator(required=3, max_gap=0)
    assert _feed(strict, ["A", None, "A", "A"]) == []


def test_held_in_view_is_one_acceptance_and_rearms_after_leaving() -> None:
    validator = ConsecutiveFrameValidator(required=2, rearm_after=4)
    assert _feed(validator, ["A"] * 50) == ["A"]
    assert _feed(validator, [None] * 3 + ["A"] * 5) == []
    assert _feed(validator, [None] * 4 + ["A"] * 2) == ["A"]


def test_two_codes_in_turn_are_each_accepted_once() -> None:
    validator = ConsecutiveFrameValidator(required=2)
    assert _feed(validator, ["A", "A", "A", "B", "B", "B", "A"]) == ["A", "B"]


def test_reset_allows_the_same_code_again() -> None:
    validator = ConsecutiveFrameValidator(required=1)
    assert _feed(validator, ["A", "A"]) == ["A"]
    validator.reset()
    assert _feed(validator, ["A"]) == ["A"]


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="required"):
        ConsecutiveFrameValidator(required=0)
