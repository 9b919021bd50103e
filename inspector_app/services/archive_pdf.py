"""One archive per enterprise (一企一档): a PDF of every visit to one enterprise.

Qt-free (fpdf2 with the CJK font finder of the checklists package), run on the
worker.  Each visit is a row: when, how long, which department and kind, the
reason, its findings and rectifications, its rating, integrity and delivery,
so a team lead can file or forward it as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from inspector_app.checklists.fonts import FontFile
from inspector_app.checklists.report_pdf import FONT_NAME as _FONT
from inspector_protocol.text import Lang, Text

if TYPE_CHECKING:
    from fpdf import FPDF

    from inspector_app.services.visit_log import LogRow

_TITLE = Text("一企一档：涉企检查记录", "Enterprise archive: visit records")
_COLUMNS = (
    (Text("签到时间", "Checked in"), 16), (Text("时长", "Duration"), 9),
    (Text("部门", "Department"), 16), (Text("类型", "Kind"), 12), (Text("事由", "Reason"), 20),
    (Text("发现与整改", "Findings and rectifications"), 34), (Text("评分", "Rating"), 7),
    (Text("完整性 / 送达", "Integrity / delivery"), 16),
)


def enterprise_archive_pdf(uscc: str, name: str, rows: Sequence[LogRow],
                           names: Mapping[str, str], lang: Lang, *,
                           font: FontFile | None = None,
                           created: dt.datetime | None = None) -> bytes:
    """``names`` maps department and kind ids to their names in ``lang``."""
    from inspector_app.checklists.report_pdf import landscape_a4

    pdf = landscape_a4(font, created)
    pdf.add_page()
    _heading(pdf, uscc, name, rows, lang)
    _table(pdf, rows, names, lang)
    return bytes(pdf.output())


def _heading(pdf: FPDF, uscc: str, name: str, rows: Sequence[LogRow], lang: Lang) -> None:
    enforcement = sum(1 for r in rows if r.visit.enforcement)
    minutes = sum(r.duration.minutes() for r in rows if r.duration and not r.visit.is_open)
    pdf.set_font(_FONT, size=16)
    pdf.cell(0, 10, _TITLE.render(lang), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, size=10)
    for line in (
        Text("企业：{n}", "Enterprise: {n}").format(n=name),
        Text("统一社会信用代码：{u}", "USCC: {u}").format(u=uscc),
        Text("检查 {n} 次（执法类 {e} 次，非执法类 {o} 次），累计 {m} 分钟",
             "{n} visits ({e} enforcement, {o} non-enforcement), {m} minutes in all").format(
            n=len(rows), e=enforcement, o=len(rows) - enforcement, m=minutes),
    ):
        pdf.multi_cell(0, 6, line.render(lang), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _table(pdf: FPDF, rows: Sequence[LogRow], names: Mapping[str, str], lang: Lang) -> None:
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    pdf.set_font(_FONT, size=8.5)
    with pdf.table(col_widths=[w for _, w in _COLUMNS], line_height=4.6, text_align="LEFT",
                   v_align="TOP", padding=1.2,
                   headings_style=FontFace(emphasis="", fill_color=(225, 225, 225)),
                   wrapmode=WrapMode.CHAR if lang == "zh" else WrapMode.WORD) as grid:
        heading = grid.row()
        for title, _ in _COLUMNS:
            heading.cell(title.render(lang))
        for row in rows:
            line = grid.row()
            for text in _cells(row, names, lang):
                line.cell(text)


def _cells(row: LogRow, names: Mapping[str, str], lang: Lang) -> list[str]:
    from inspector_app.services.visit_log import local_time_text

    visit = row.visit
    found = [f"{r.get('requirement', '')} ({r.get('deadline', '')})" for r in visit.rectifications]
    duration = "" if row.duration is None else row.duration.clock_text()
    kind = names.get(visit.kind, visit.kind)
    if not visit.enforcement:
        kind += Text("（非执法类）", " (non-enforcement)").render(lang)
    return [
        local_time_text(visit.checked_in.wall_ms), duration,
        " ".join(names.get(d, d) for d in visit.departments), kind, visit.reason,
        "\n".join(found) or Text("无", "none").render(lang),
        "" if visit.rating is None else str(visit.rating[0]),
        f"{row.integrity_text().render(lang)} / {row.delivery_text().render(lang)}",
    ]
