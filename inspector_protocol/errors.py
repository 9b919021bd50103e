"""The three kinds of failure, and only three (BRIEF §6).

* :class:`UserError` — the person did something the product refuses; its text is
  shown verbatim (bad USCC, wrong passphrase, unknown officer, ...).
* :class:`EnvironmentProblem` — the machine or the world is in the way (disk
  full, database locked, no camera, offline); it carries what to do about it.
* anything else is a bug: logged with its traceback and reported as such.
"""

from __future__ import annotations

from inspector_protocol.text import Lang, Text


class InspectorError(Exception):
    """Base of the errors whose message is meant for a person."""

    #: A stable, machine-readable code (``--json`` output, tests, exit codes).
    code: str = "error"

    def __init__(self, text: Text, *, code: str | None = None) -> None:
        super().__init__(text.render("en"))
        self.text = text
        if code is not None:
            self.code = code

    def render(self, lang: Lang) -> str:
        return self.text.render(lang)


class UserError(InspectorError):
    """Refused input or action; the message is shown to the user as it is."""


class EnvironmentProblem(InspectorError):
    """The environment prevents the action; ``remedy`` says what to do."""

    def __init__(self, text: Text, remedy: Text, *, code: str | None = None) -> None:
        super().__init__(text, code=code)
        self.remedy = remedy

    def render(self, lang: Lang) -> str:
        return f"{self.text.render(lang)}\n{self.remedy.render(lang)}"
