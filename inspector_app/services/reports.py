"""Reports on paper: the one form of a visit (一表通查) and the archive of an enterprise (一企一档).

The command line (``inspector report``) and the team lead's logs screen make the
same documents from the same function, with times in China time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector_app.checklists import OneFormRow, VisitHeader
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


def one_form_report(ws: Workspace, visit_id: str) -> OneFormReport:
    from inspector_app.checklists import VisitHeader, one_form
    from inspector_app.services.officer_enrolment import officer_names
    from inspector_app.services.recorder import VisitRecorder
    from inspector_app.services.visit_log import local_time_text

    recorder = VisitRecorder(ws)
    visit = recorder.visit(visit_id)
    rows = one_form(recorder.checklists(visit.id), {d.id: d.name for d in ws.profile.departments})
    out = visit.checked_out
    header = VisitHeader(visit.enterprise.name or visit.enterprise.uscc, visit.enterprise.uscc,
                         visit.id, local_time_text(visit.checked_in.wall_ms),
                         None if out is None else local_time_text(out.wall_ms))
    return OneFormReport(rows, header, officer_names(ws))


def write_one_form_pdf(ws: Workspace, path: Path, visit_id: str, lang: Lang) -> None:
    from inspector_app.platform.fileio import write_durably

    write_durably(path, one_form_report(ws, visit_id).pdf(lang))


def write_enterprise_archive(ws: Workspace, path: Path, rows: Sequence[LogRow],
                             lang: Lang) -> None:
    """One archive per enterprise: ``rows`` are the visits to it, oldest first."""
    from inspector_app.platform.fileio import write_durably
    from inspector_app.services.archive_pdf import enterprise_archive_pdf

    visit = rows[0].visit
    names = {d.id: d.name.render(lang) for d in ws.profile.departments}
    names.update({k.id: k.name.render(lang) for k in ws.profile.visit_kinds})
    write_durably(path, enterprise_archive_pdf(
        visit.enterprise.uscc, visit.enterprise.name or visit.enterprise.uscc, rows, names, lang))
