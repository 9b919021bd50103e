"""Reports on paper: the one form of a visit (一表通查), the archive of an enterprise (一企一档)
and the printable log report (totals and visits).

The command line (``inspector report``) and the team lead's logs screen make the
same documents from the same function, with times in China time and names
beside every id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.checklists import OneFormRow, VisitHeader
    from inspector_app.services.reports_pdf import Names
    from inspector_app.services.visit_log import LogRow
    from inspector_app.services.workspace import Workspace
    from inspector_protocol.text import Lang


@dataclass(frozen=True)
class OneFormReport:
    """The one form of a visit: every department's checklist items, answered or not."""

    rows: tuple[OneFormRow, ...]
    header: VisitHeader
    #: Credential → name, for the officer who answered each item.
    officer_names: Mapping[str, str]

    def csv(self, lang: Lang) -> bytes:
        from inspector_app.checklists import one_form_csv

        return one_form_csv(self.rows, lang, self.officer_names)

    def pdf(self, lang: Lang) -> bytes:
        from inspector_app.checklists import one_form_pdf

        return one_form_pdf(self.rows, self.header, lang, officer_names=self.officer_names)


def one_form_report(ws: Workspace, visit_id: str, lang: Lang) -> OneFormReport:
    """The one form of a visit, headed by what the enterprise is told at the door: the
    reason, the kind, the legal basis and every officer by name."""
    from inspector_app.checklists import VisitHeader, one_form
    from inspector_app.services.officer_enrolment import officer_names
    from inspector_app.services.recorder import VisitRecorder
    from inspector_app.services.visit_log import local_time_text

    recorder = VisitRecorder(ws)
    visit = recorder.visit(visit_id)
    rows = one_form(recorder.checklists(visit.id), {d.id: d.name for d in ws.profile.departments})
    out = visit.checked_out
    names = log_names(ws, lang)
    kind = names.kind(visit.kind)
    if not visit.enforcement:
        kind += Text("（非执法类）", " (non-enforcement)").render(lang)
    officers = [Text("{name}（执法证号 {c}）", "{name} (credential {c})").format(
        name=names.officer(c), c=c).render(lang) for c in (visit.officer, *visit.co_officers)]
    extra = (
        (Text("检查类型", "Kind"), kind),
        (Text("事由", "Reason"), names.reason(visit.reason)),
        (Text("法律依据", "Legal basis"), visit.legal_basis or ""),
        (Text("执法人员", "Officers"), "、".join(officers)),
        (Text("参加部门", "Departments"), "、".join(names.department(d)
                                                 for d in visit.departments)),
    )
    header = VisitHeader(visit.enterprise.name or visit.enterprise.uscc, visit.enterprise.uscc,
                         visit.id, local_time_text(visit.checked_in.wall_ms),
                         None if out is None else local_time_text(out.wall_ms), extra)
    return OneFormReport(rows, header, officer_names(ws))


def log_names(ws: Workspace, lang: Lang) -> Names:
    """Names for the ids in this tablet's profile and of the officers enrolled here."""
    from inspector_app.services.officer_enrolment import officer_names
    from inspector_app.services.reports_pdf import Names

    return Names(ws.profile, officer_names(ws), lang)


def write_one_form_pdf(ws: Workspace, path: Path, visit_id: str, lang: Lang) -> None:
    from inspector_app.platform.fileio import write_durably

    write_durably(path, one_form_report(ws, visit_id, lang).pdf(lang))


def write_enterprise_archive(ws: Workspace, path: Path, rows: Sequence[LogRow],
                             lang: Lang) -> None:
    """One archive per enterprise: ``rows`` are the visits to it, oldest first."""
    from inspector_app.platform.fileio import write_durably
    from inspector_app.services.archive_pdf import enterprise_archive_pdf

    visit = rows[0].visit
    write_durably(path, enterprise_archive_pdf(
        visit.enterprise.uscc, visit.enterprise.name or visit.enterprise.uscc, rows,
        log_names(ws, lang)))


def log_report(ws: Workspace, rows: Sequence[LogRow], scope: Sequence[Text], lang: Lang) -> bytes:
    """The printable log report of ``rows`` (totals, then the visits in the order given)."""
    from inspector_app.services.reports_pdf import log_report_pdf

    return log_report_pdf(rows, log_names(ws, lang), scope)


def write_log_report(ws: Workspace, path: Path, rows: Sequence[LogRow], scope: Sequence[Text],
                     lang: Lang) -> None:
    from inspector_app.platform.fileio import write_durably

    write_durably(path, log_report(ws, rows, scope, lang))
