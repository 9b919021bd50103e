"""The warning workflow: open → justified (by the department, with text) → closed (by the
oversight office, with a note).  Each step is audited in the same transaction."""

from __future__ import annotations

from inspector_central.console.audit import audit
from inspector_central.console.scope import Scope
from inspector_central.console.views import NotFound
from inspector_central.storage import Database
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

MAX_TEXT = 2000


class WorkflowError(UserError):
    pass


def _text(value: str, what: Text) -> str:
    value = value.strip()
    if not value:
        raise WorkflowError(Text("{w}不能为空。", "{w} cannot be empty.").format(w=what),
                            code="warning.empty")
    if len(value) > MAX_TEXT:
        raise WorkflowError(Text("{w}过长（最多 {n} 字）。", "{w} is too long (at most {n} characters).")
                            .format(w=what, n=MAX_TEXT), code="warning.too_long")
    return value


def justify(database: Database, scope: Scope, warning_id: int, text: str, address: str, *,
            now_ms: int) -> None:
    justification = _text(text, Text("说明", "The justification"))
    with database.transaction() as tx:
        row = tx.one("SELECT department, state FROM console_warnings WHERE id = ?", (warning_id,))
        if row is None or not scope.can_see_department(str(row[0])):
            raise NotFound(warning_id)
        if not scope.can_justify(str(row[0])):
            raise WorkflowError(Text("只有被预警部门的账号可以说明理由。",
                                     "Only the warned department's account can justify it."),
                                code="warning.not_yours")
        if row[1] != "open":
            raise WorkflowError(Text("该预警已说明或已关闭。", "This warning is no longer open."),
                                code="warning.not_open")
        tx.execute("UPDATE console_warnings SET state = 'justified', justification = ?, "
                   "justified_by = ?, justified_ms = ? WHERE id = ? AND state = 'open'",
                   (justification, scope.name, now_ms, warning_id))
        audit(tx, now_ms, scope.name, "warning_justified", str(warning_id), address,
              justification=justification)


def close(database: Database, scope: Scope, warning_id: int, note: str, address: str, *,
          now_ms: int) -> None:
    text = _text(note, Text("处理意见", "The note"))
    if not scope.can_close_warnings:
        raise WorkflowError(Text("只有监督部门可以关闭预警。",
                                 "Only the oversight office can close a warning."),
                            code="warning.not_oversight")
    with database.transaction() as tx:
        row = tx.one("SELECT state FROM console_warnings WHERE id = ?", (warning_id,))
        if row is None:
            raise NotFound(warning_id)
        if row[0] == "closed":
            raise WorkflowError(Text("该预警已关闭。", "This warning is closed already."),
                                code="warning.closed")
        tx.execute("UPDATE console_warnings SET state = 'closed', close_note = ?, closed_by = ?, "
                   "closed_ms = ? WHERE id = ?", (text, scope.name, now_ms, warning_id))
        audit(tx, now_ms, scope.name, "warning_closed", str(warning_id), address, note=text)


def acknowledge_alarm(database: Database, scope: Scope, alarm_id: int, note: str, address: str,
                      *, now_ms: int) -> None:
    """The oversight office has seen a tamper alarm and says what it did about it."""
    text = _text(note, Text("处理意见", "The note"))
    if not scope.is_oversight:
        raise WorkflowError(Text("只有监督部门可以确认告警。",
                                 "Only the oversight office can acknowledge an alarm."),
                            code="alarm.not_oversight")
    with database.transaction() as tx:
        if tx.one("SELECT id FROM alarms WHERE id = ?", (alarm_id,)) is None:
            raise NotFound(alarm_id)
        if tx.one("SELECT alarm_id FROM console_alarm_acknowledgements WHERE alarm_id = ?",
                  (alarm_id,)) is not None:
            raise WorkflowError(Text("该告警已确认。", "This alarm is acknowledged already."),
                                code="alarm.acknowledged")
        tx.execute("INSERT INTO console_alarm_acknowledgements (alarm_id, by_name, at_ms, note) "
                   "VALUES (?, ?, ?, ?)", (alarm_id, scope.name, now_ms, text))
        audit(tx, now_ms, scope.name, "alarm_acknowledged", str(alarm_id), address, note=text)
