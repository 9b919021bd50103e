"""The profile's legacy QR patterns, matched in time linear in the input.

Patterns come from a provisioning file, so they are outside input: Python's
backtracking engine would let ``^(?P<uscc>(a+)+)$`` take seconds on 27 characters
at the gate.  They are compiled with RE2 (``google-re2``), which has no
backtracking; a pattern that needs it (backreferences, look-around) is refused
when the profile is checked, with RE2's reason.
"""

from __future__ import annotations

import functools
from typing import Any

from inspector_protocol.text import Text


class PatternRefused(ValueError):
    """The pattern cannot be matched in linear time (or is not a pattern at all)."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.render("en"))
        self.text = text


@functools.lru_cache(maxsize=64)
def compile_pattern(pattern: str) -> Any:
    """The compiled pattern (an ``re2`` object with ``search`` and ``groupindex``)."""
    import re2

    options = re2.Options()
    options.log_errors = False  # the reason is reported to the person, not to stderr
    try:
        compiled = re2.compile(pattern, options=options)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(
            exc.args[0], bytes) else str(exc)
        raise PatternRefused(Text(
            "正则表达式无效或无法在线性时间内匹配（不支持反向引用和环视）：{err}",
            "invalid regular expression, or one that cannot be matched in linear time "
            "(backreferences and look-around are not supported): {err}").format(err=reason)
        ) from None
    if "uscc" not in compiled.groupindex:
        raise PatternRefused(Text("正则表达式须包含命名分组 (?P<uscc>...)",
                                  "the pattern needs a named group (?P<uscc>...)"))
    return compiled
