"""One archive per enterprise (一企一档): a PDF of every visit to one enterprise.

Qt-free (fpdf2 with the CJK font finder of the checklists package), run on the
worker.  Each visit is a row: when, how long, how it ended (and why), which
department and kind, the officers by name, the reason, its findings and
rectifications, its rating, integrity and delivery, so a team lead can file or
forward it as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from inspector_app.services.reports_pdf import (
    CHECKS,
    DEPARTMENT,
    DURATION,
    FINDINGS,
    KIND,
    OFFICERS,
    RATING,
    REASON,
    STATUS,
    WHEN,
    Names,
    page_numbers,
    title_block,
    visit_table,
)
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.checklists.fonts import FontFile
    from inspector_app.services.visit_log import LogRow

_TITLE = Text("一企一档：涉企检查记录", "Enterprise archive: visit records")
COLUMNS = (WHEN, DURATION, STATUS, DEPARTMENT, KIND, OFFICERS, REASON, FINDINGS, RATING, CHECKS)


def enterprise_archive_pdf(uscc: str, name: str, rows: Sequence[LogRow], names: Names, *,
                           font: FontFile | None = None,
                           created: dt.datetime | None = None) -> bytes:
    """``rows`` are the visits to the enterprise, oldest first; ``names`` resolves ids."""
    from inspector_app.checklists.report_pdf import landscape_a4

    pdf = landscape_a4(font, created)
    pdf.alias_nb_pages()
    pdf.add_page()
    enforcement = sum(1 for r in rows if r.visit.enforcement)
    minutes = sum(r.duration.minutes() for r in rows
                  if r.duration and r.visit.checked_out is not None)
    title_block(pdf, _TITLE, (
        Text("企业：{n}", "Enterprise: {n}").format(n=name),
        Text("统一社会信用代码：{u}", "USCC: {u}").format(u=uscc),
        Text("检查 {n} 次（执法类 {e} 次，非执法类 {o} 次），累计 {m} 分钟",
             "{n} visits ({e} enforcement, {o} non-enforcement), {m} minutes in all").format(
            n=len(rows), e=enforcement, o=len(rows) - enforcement, m=minutes),
    ), names.lang)
    visit_table(pdf, rows, COLUMNS, names)
    page_numbers(pdf, names.lang)
    return bytes(pdf.output())
