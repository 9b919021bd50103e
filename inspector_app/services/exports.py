"""Exporting the visit log as CSV: one shape for the app's export and ``inspector export``.

Each visit is one row, in the reader's language: times in China time (named in
the column title), the status in words (open, complete, incomplete, abandoned),
ids with their names beside them (department, kind, officers), how the duration
was measured, the reasons given
(for abandoning, for leaving required checklist items unanswered, for not
scanning at the exit), integrity and delivery.  Names come from the profile of
this tablet; an id it does not know (a bundle from another department) is
written without a name rather than guessed.  The file is written by the one
CSV writer (:mod:`inspector_app.platform.spreadsheet`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.platform.spreadsheet import spreadsheet_csv
from inspector_app.services.names import department_name, kind_name, officer_name, reason_text
from inspector_protocol.text import Lang, Text

if TYPE_CHECKING:
    from inspector_app.profile import Profile
    from inspector_app.services.visit_log import LogQuery, LogRow
    from inspector_app.services.workspace import Workspace

YES, NO = Text("是", "yes"), Text("否", "no")
ENFORCEMENT = {True: Text("执法类", "enforcement"), False: Text("非执法类", "non-enforcement")}
#: Joins several names in one cell.
JOIN = {"zh": "、", "en": "; "}


class _Row:
    """One visit's cells, with the names a profile gives its ids."""

    def __init__(self, row: LogRow, profile: Profile | None, names: Mapping[str, str],
                 lang: Lang) -> None:
        self.row, self.visit, self.profile, self.lang = row, row.visit, profile, lang
        self.names = names

    def words(self, text: Text) -> str:
        return text.render(self.lang)

    def department(self, department_id: str) -> str:
        return department_name(self.profile, department_id, self.lang) or ""

    def kind(self) -> str:
        return kind_name(self.profile, self.visit.kind, self.lang) or ""

    def reason(self, stored: str | None) -> str:
        return reason_text(self.profile, stored, self.lang)

    def source(self) -> str:
        where = self.row.source
        return self.words(Text("本机", "this tablet")) if where is None else where.name

    def officer(self, credential: str) -> str:
        return officer_name(self.profile, credential, self.names) or ""

    def officer_with_name(self, credential: str) -> str:
        name = self.officer(credential)
        return f"{name}（{credential}）" if name else credential

    def time(self, wall_ms: int | None) -> str:
        from inspector_app.services.visit_log import local_time_text

        return "" if wall_ms is None else local_time_text(wall_ms)


def _cells() -> tuple[tuple[Text, Callable[[_Row], str]], ...]:
    return (
        (Text("检查编号", "Visit id"), lambda r: r.visit.id),
        (Text("状态", "Status"), lambda r: r.words(r.row.status.text())),
        (Text("签到时间（北京时间）", "Checked in (China time)"),
         lambda r: r.time(r.visit.checked_in.wall_ms)),
        (Text("签退时间（北京时间）", "Checked out (China time)"),
         lambda r: r.time(None if r.visit.checked_out is None else r.visit.checked_out.wall_ms)),
        (Text("时长（分钟）", "Duration (min)"),
         lambda r: "" if r.row.duration is None else str(r.row.duration.minutes())),
        (Text("计时依据", "Timing basis"),
         lambda r: "" if r.row.duration is None else r.words(r.row.duration.basis_text())),
        (Text("企业名称", "Enterprise"), lambda r: r.visit.enterprise.name or ""),
        (Text("统一社会信用代码", "USCC"), lambda r: r.visit.enterprise.uscc),
        (Text("企业在册", "In the registry"),
         lambda r: r.words(YES if r.visit.enterprise.registered else NO)),
        (Text("部门代码", "Department id"), lambda r: r.visit.department),
        (Text("部门", "Department"), lambda r: r.department(r.visit.department)),
        (Text("参加部门", "Departments taking part"), lambda r: JOIN[r.lang].join(
            r.department(d) or d for d in r.visit.departments)),
        (Text("检查类型代码", "Kind id"), lambda r: r.visit.kind),
        (Text("检查类型", "Kind"), lambda r: r.kind()),
        (Text("类别", "Category"), lambda r: r.words(ENFORCEMENT[r.visit.enforcement])),
        (Text("事由", "Reason"), lambda r: r.reason(r.visit.reason)),
        (Text("法律依据", "Legal basis"), lambda r: r.visit.legal_basis or ""),
        (Text("执法证号", "Officer credential"), lambda r: r.visit.officer),
        (Text("执法人员", "Officer"), lambda r: r.officer(r.visit.officer)),
        (Text("共同执法人员", "Co-officers"), lambda r: JOIN[r.lang].join(
            r.officer_with_name(c) for c in r.visit.co_officers)),
        (Text("频次预警", "Frequency warning"),
         lambda r: r.words(YES) if r.visit.frequency_warned else ""),
        (Text("预警理由", "Justification"), lambda r: r.visit.justification or ""),
        (Text("评分", "Rating"),
         lambda r: "" if r.visit.rating is None else str(r.visit.rating[0])),
        (Text("评价意见", "Rating comment"),
         lambda r: "" if r.visit.rating is None else r.visit.rating[1] or ""),
        (Text("放弃原因", "Why abandoned"), lambda r: r.reason(r.visit.abandoned_reason)),
        (Text("检查表未完成原因", "Why the checklist is incomplete"),
         lambda r: r.reason(r.visit.incomplete_reason)),
        (Text("出口未扫码原因", "Why not scanned at the exit"),
         lambda r: r.reason(r.visit.no_scan_reason)),
        (Text("完整性", "Integrity"), lambda r: r.words(r.row.integrity_text())),
        (Text("送达", "Delivery"), lambda r: r.words(r.row.delivery_text())),
        (Text("来源", "Source"), lambda r: r.source()),
    )


COLUMNS = _cells()


def visit_log_csv(rows: Iterable[LogRow], profile: Profile | None, lang: Lang,
                  officer_names: Mapping[str, str] | None = None) -> bytes:
    """The rows as the bytes of a CSV file, titles and words in ``lang``; officers not in
    ``profile`` are named from ``officer_names`` (credential → name) when known."""
    names = officer_names or {}
    header = [title.render(lang) for title, _ in COLUMNS]
    body = ([cell(_Row(row, profile, names, lang)) for _, cell in COLUMNS] for row in rows)
    return spreadsheet_csv(header, body)


def write_visit_log_csv(ws: Workspace, path: Path, rows: Iterable[LogRow], lang: Lang) -> None:
    """Write the rows (the visits a team lead chose) to ``path`` whole or not at all: a USB
    stick may be pulled."""
    from inspector_app.platform.fileio import write_durably
    from inspector_app.services.officer_enrolment import officer_names

    write_durably(path, visit_log_csv(rows, ws.profile, lang, officer_names(ws)))


def this_tablets_visit_log_csv(ws: Workspace, lang: Lang) -> bytes:
    """Every visit on this tablet, oldest first, verified first (``inspector export``)."""
    return chosen_visit_log_csv(ws, lang)


def chosen_visit_log_csv(ws: Workspace, lang: Lang, query: LogQuery | None = None,
                         bundles: Sequence[Path] = ()) -> bytes:
    """The visits ``query`` passes (all by default), oldest first, from this tablet or from
    the ``bundles`` (``inspector export --from/--to/--bundle``)."""
    from inspector_app.services.officer_enrolment import officer_names
    from inspector_app.services.visit_log import LogQuery, local_day, read_log

    log = read_log(ws, bundles)
    today = log.today or local_day(ws.clock.now().wall_ms)
    rows = sorted((query or LogQuery()).select(log.rows, today),
                  key=lambda r: r.visit.checked_in.wall_ms)
    return visit_log_csv(rows, ws.profile, lang, officer_names(ws))
