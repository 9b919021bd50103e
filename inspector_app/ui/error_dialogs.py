"""Showing the three kinds of failure (BRIEF §6) the way a person can act on them.

* a :class:`~inspector_protocol.errors.UserError` is shown verbatim, next to what
  caused it when the screen handles it, else in the window's message bar;
* an :class:`~inspector_protocol.errors.EnvironmentProblem` is shown with its remedy;
* anything else is a bug: logged with its traceback, and a crash dialog says so.
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtWidgets import QMessageBox, QWidget

from inspector_protocol.errors import EnvironmentProblem, InspectorError
from inspector_protocol.text import Lang, Text

log = logging.getLogger("inspector.ui")

BUG_TEXT = Text("程序出现内部错误（程序缺陷），详情已记入日志。已保存的记录不受影响。"
                "请将此信息报告给管理员。",
                "The app hit an internal error (a bug); the details are logged. Records already "
                "saved are safe. Please report this to IT.")


def is_expected(error: BaseException) -> bool:
    """A failure meant for a person (as opposed to a bug)."""
    return isinstance(error, InspectorError)


def message_for(error: BaseException, lang: Lang) -> str:
    if isinstance(error, InspectorError):
        return error.render(lang)  # EnvironmentProblem renders its remedy on a second line
    return BUG_TEXT.render(lang)


def log_bug(error: BaseException) -> str:
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    log.error("unexpected error in the app\n%s", details)
    return details


def show_crash_dialog(parent: QWidget | None, error: BaseException, details: str,
                      lang: Lang) -> QMessageBox:
    """Non-blocking: the event loop (and the visit timer) keep running behind it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(Text("内部错误", "Internal error").render(lang))
    box.setText(BUG_TEXT.render(lang))
    box.setDetailedText(details)
    box.setAccessibleName(box.windowTitle())
    box.open()
    return box


def kind_of(error: BaseException) -> str:
    if isinstance(error, EnvironmentProblem):
        return "environment"
    return "user" if isinstance(error, InspectorError) else "bug"
