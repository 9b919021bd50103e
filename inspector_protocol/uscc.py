"""统一社会信用代码 (USCC) validation, GB 32100-2015.

An USCC has 18 characters drawn from ``0-9`` and ``A-Z`` without ``I O S V Z``.
Positions 3–8 are the administrative division code (digits).  The 18th
character is a check character over the first 17, with weights ``3**i mod 31``.
Every id that enters the system passes through :func:`parse_uscc`, whose error
says exactly what is wrong, so an officer can fix a mistyped code.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18
_DIVISION_POSITIONS = range(2, 8)  # zero-based positions 3..8


class InvalidUSCC(UserError):
    """The text is not a valid USCC; ``reason`` is one of the codes below."""

    def __init__(
        self,
        text: Text,
        reason: str,
        position: int | None = None,
        expected: str | None = None,
    ) -> None:
        super().__init__(text, code=f"uscc.{reason}")
        self.reason = reason
        self.position = position
        self.expected = expected


@dataclass(frozen=True, order=True)
class USCC:
    """A validated USCC.  Construct it with :func:`parse_uscc`."""

    value: str

    def __str__(self) -> str:
        return self.value

    @property
    def division_code(self) -> str:
        """登记管理机关行政区划码, the six-digit area code."""
        return self.value[2:8]


def check_character(first17: str) -> str:
    """The GB 32100-2015 check character for 17 valid characters."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(text: str) -> str:
    """What an officer or a scanner may reasonably hand us: spaces, lower case, full width."""
    folded = text.strip().replace(" ", "").replace("-", "")
    # Full-width forms (Ａ, ０) appear when typing with a Chinese input method.
    folded = "".join(
        chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in folded
    )
    return folded.upper()


def parse_uscc(text: str) -> USCC:
    """Validate ``text`` and return the USCC, or raise :class:`InvalidUSCC`."""
    code = normalise(text)
    if len(code) != LENGTH:
        raise InvalidUSCC(
            Text(
                "统一社会信用代码应为18位，实际为{n}位",
                "A USCC has 18 characters; this one has {n}",
            ).format(n=len(code)),
            "length",
        )
    for index, ch in enumerate(code):
        _check_allowed(ch, index)
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidUSCC(
            Text(
                "统一社会信用代码校验位错误：第18位应为 {expected}，实际为 {actual}",
                "Wrong USCC check character: position 18 should be {expected}, not {actual}",
            ).format(expected=expected, actual=code[17]),
            "check_character",
            position=18,
            expected=expected,
        )
    return USCC(code)


def _check_allowed(ch: str, index: int) -> None:
    position = index + 1
    if ch not in _VALUE:
        forbidden = ch in "IOSVZ"
        raise InvalidUSCC(
            Text(
                "统一社会信用代码第{position}位的字符“{ch}”不允许使用"
                + ("（代码中不使用 I、O、S、V、Z）" if forbidden else ""),
                "Character '{ch}' at position {position} is not allowed in a USCC"
                + (" (I, O, S, V and Z are never used)" if forbidden else ""),
            ).format(ch=ch, position=position),
            "forbidden_character",
            position=position,
        )
    if index in _DIVISION_POSITIONS and not ch.isdigit():
        raise InvalidUSCC(
            Text(
                "统一社会信用代码第{position}位应为数字（第3–8位是行政区划码），实际为“{ch}”",
                "Position {position} of a USCC must be a digit (positions 3–8 are the area code),"
                " not '{ch}'",
            ).format(ch=ch, position=position),
            "division_code",
            position=position,
        )


def is_valid_uscc(text: str) -> bool:
    try:
        parse_uscc(text)
    except InvalidUSCC:
        return False
    return True


def complete_uscc(first17: str) -> USCC:
    """The full USCC for 17 valid characters (used to mint demo and test data)."""
    return parse_uscc(first17 + check_character(normalise(first17)))
