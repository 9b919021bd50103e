"""The one form as a printable PDF (A4 landscape) with a CJK font embedded.

The enterprise keeps this page, so it carries who was inspected and when (the
header the caller passes in), the table, and signature lines for the
enterprise representative and the officers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector_app.checklists.fonts import FontFile, find_cjk_bold_font, find_cjk_font
from inspector_app.checklists.oneform import OneFormRow
from inspector_app.checklists.report_table import header_cells, row_cells
from inspector_protocol.text import Lang, Text

if TYPE_CHECKING:
    from fpdf import FPDF

_FONT = "cjk"
#: The name under which :func:`landscape_a4` registers the CJK font.
FONT_NAME = _FONT
#: Relative widths of department, item, content, result, rectification, deadline, officer.
_COLUMN_WIDTHS = (12, 24, 38, 17, 34, 12, 21)
_TITLE = Text("涉企联合检查一表通查", "Joint inspection: one form")


@dataclass(frozen=True)
class VisitHeader:
    """What the page says about the visit; the caller formats the values."""

    enterprise_name: str
    uscc: str
    visit_id: str
    checked_in: str | None = None
    checked_out: str | None = None
    extra: tuple[tuple[Text, str], ...] = ()

    def fields(self) -> list[tuple[Text, str]]:
        listed = [
            (Text("被检查企业", "Enterprise"), self.enterprise_name),
            (Text("统一社会信用代码", "USCC"), self.uscc),
            (Text("检查编号", "Visit"), self.visit_id),
            (Text("进入时间", "Checked in"), self.checked_in or ""),
            (Text("离开时间", "Checked out"), self.checked_out or ""),
        ]
        return [(label, value) for label, value in listed + list(self.extra) if value]


def landscape_a4(font: FontFile | None = None, created: dt.datetime | None = None) -> FPDF:
    """An A4 landscape document with the CJK font registered as :data:`FONT_NAME`."""
    from fpdf import FPDF  # lazy: only report generation needs fpdf2 (an optional extra)

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    if created is not None:
        pdf.set_creation_date(created)
    chosen = font or find_cjk_font()
    pdf.add_font(_FONT, fname=str(chosen.path), collection_font_number=chosen.index)
    bold = find_cjk_bold_font(chosen)
    if bold is not None:  # headings only; the body stays in the regular face
        pdf.add_font(_FONT, style="B", fname=str(bold.path), collection_font_number=bold.index)
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(auto=True, margin=14)
    return pdf


def heading_style(pdf: FPDF) -> str:
    """``"B"`` when the bold face of the CJK font is registered, else ``""`` (regular)."""
    return "B" if f"{_FONT}B" in pdf.fonts else ""


def one_form_pdf(rows: Sequence[OneFormRow], header: VisitHeader, lang: Lang, *,
                 officer_names: Mapping[str, str] | None = None,
                 font: FontFile | None = None,
                 created: dt.datetime | None = None) -> bytes:
    """Render the one form; ``created`` fixes the PDF's date (reproducible output)."""
    pdf = landscape_a4(font, created)
    pdf.alias_nb_pages()
    pdf.add_page()
    _title_and_header(pdf, header, lang)
    _table(pdf, rows, lang, officer_names)
    _signatures(pdf, lang)
    _page_numbers(pdf, lang)
    return bytes(pdf.output())


def _title_and_header(pdf: FPDF, header: VisitHeader, lang: Lang) -> None:
    pdf.set_font(_FONT, heading_style(pdf), size=16)
    pdf.cell(0, 10, _TITLE.render(lang), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, size=9.5)
    separator = "：" if lang == "zh" else ": "
    for label, value in header.fields():
        pdf.multi_cell(0, 5.5, label.render(lang) + separator + value,
                       new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _table(pdf: FPDF, rows: Sequence[OneFormRow], lang: Lang,
           officer_names: Mapping[str, str] | None) -> None:
    from fpdf.fonts import FontFace

    pdf.set_font(_FONT, size=8.5)
    headings = FontFace(emphasis=heading_style(pdf), fill_color=(225, 225, 225))
    failing = FontFace(color=(170, 0, 0))
    with pdf.table(col_widths=_COLUMN_WIDTHS, headings_style=headings, line_height=4.6,
                   text_align="LEFT", v_align="TOP", wrapmode=_wrap_mode(lang),
                   padding=1.2) as grid:
        heading = grid.row()
        for cell in header_cells(lang):
            heading.cell(cell)
        for row in rows:
            cells = row_cells(row, lang, officer_names)
            line = grid.row()
            for column, text in enumerate(cells):
                line.cell(text, style=failing if row.failing and column in (3, 4, 5) else None)
    if not rows:
        pdf.multi_cell(0, 6, Text("（无检查项）", "(no items)").render(lang),
                       new_x="LMARGIN", new_y="NEXT")


def _wrap_mode(lang: Lang) -> Any:
    """Chinese has no spaces and may break between any two characters; English breaks
    between words (fpdf2 still splits a word longer than its cell)."""
    from fpdf.enums import WrapMode

    return WrapMode.CHAR if lang == "zh" else WrapMode.WORD


def _signatures(pdf: FPDF, lang: Lang) -> None:
    pdf.ln(6)
    pdf.set_font(_FONT, size=10)
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.cell(half, 8, Text("企业负责人（签字）：", "Enterprise representative (signature):")
             .render(lang))
    pdf.cell(half, 8, Text("检查人员（签字）：", "Officers (signatures):").render(lang),
             new_x="LMARGIN", new_y="NEXT")


def _page_numbers(pdf: FPDF, lang: Lang) -> None:
    """Number every page; ``{nb}`` is replaced by the page count when the file is written."""
    pdf.set_auto_page_break(auto=False)
    label = Text("第 {page} 页，共 {{nb}} 页", "Page {page} of {{nb}}")
    for page in range(1, pdf.pages_count + 1):
        pdf.page = page
        pdf.set_font(_FONT, size=8)
        pdf.set_xy(pdf.l_margin, pdf.h - 10)
        pdf.cell(0, 5, label.format(page=page).render(lang), align="C")
