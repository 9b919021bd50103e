"""The parts of the team lead's PDF documents: a title with its lines, a table of visits, a
table of totals; and the printable log report made of them.

Qt-free (fpdf2 with the CJK font finder of the checklists package), run on a
worker.  Set in the regular weight; only titles and table headings are bold.  A
value that must be read whole (a date and time, a duration, a status) gets a
column as wide as its widest value, measured in the font, so it never wraps
in the middle; the free texts (reasons, findings) share what is left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector_app.checklists.report_pdf import FONT_NAME as _FONT
from inspector_app.checklists.report_pdf import heading_style
from inspector_app.services.names import department_name, kind_name, officer_name, reason_text
from inspector_protocol.text import Lang, Text

if TYPE_CHECKING:
    from fpdf import FPDF

    from inspector_app.checklists.fonts import FontFile
    from inspector_app.profile import Profile
    from inspector_app.services.log_totals import LogTotals
    from inspector_app.services.visit_log import LogRow

BODY_PT = 8.5
LINE_MM = 4.6
PADDING_MM = 1.2


@dataclass(frozen=True)
class Names:
    """What a document needs to put names beside the ids a visit carries."""

    profile: Profile | None
    officers: Mapping[str, str]
    lang: Lang

    def department(self, department_id: str) -> str:
        return department_name(self.profile, department_id, self.lang) or department_id

    def kind(self, kind_id: str) -> str:
        return kind_name(self.profile, kind_id, self.lang) or kind_id

    def officer(self, credential: str) -> str:
        return officer_name(self.profile, credential, self.officers) or credential

    def reason(self, stored: str | None) -> str:
        return reason_text(self.profile, stored, self.lang)


@dataclass(frozen=True)
class Column:
    title: Text
    cell: Callable[[LogRow, Names], str]
    #: True: as wide as its widest value, measured (a date, a duration: never wrapped).
    whole: bool = False
    #: Otherwise its part of the width the whole columns leave.
    share: float = 1.0


def _when(row: LogRow, _names: Names) -> str:
    from inspector_app.services.visit_log import local_time_text

    return local_time_text(row.visit.checked_in.wall_ms)


def _duration(row: LogRow, _names: Names) -> str:
    return "" if row.duration is None else row.duration.clock_text()


def _status(row: LogRow, names: Names) -> str:
    words = row.status.text().render(names.lang)
    reason = names.reason(row.status_reason)
    return f"{words}{'：' if names.lang == 'zh' else ': '}{reason}" if reason else words


def _kind(row: LogRow, names: Names) -> str:
    kind = names.kind(row.visit.kind)
    if not row.visit.enforcement:
        kind += Text("（非执法类）", " (non-enforcement)").render(names.lang)
    return kind


def _officers(row: LogRow, names: Names) -> str:
    """The lead officer's name, then the co-officers' (the credentials are in the CSV)."""
    visit = row.visit
    lead = names.officer(visit.officer)
    if not visit.co_officers:
        return lead
    co = "、".join(names.officer(c) for c in visit.co_officers)
    return Text("{lead}\n共同：{co}", "{lead}\nwith {co}").format(lead=lead, co=co).render(
        names.lang)


def _findings(row: LogRow, names: Names) -> str:
    found = [f"{r.get('requirement', '')} ({r.get('deadline', '')})"
             for r in row.visit.rectifications]
    return "\n".join(found) or Text("无", "none").render(names.lang)


def _checks(row: LogRow, names: Names) -> str:
    return f"{row.integrity_text().render(names.lang)} / {row.delivery_text().render(names.lang)}"


WHEN = Column(Text("签到时间", "Checked in"), _when, whole=True)
DURATION = Column(Text("时长", "Duration"), _duration, whole=True)
STATUS = Column(Text("状态", "Status"), _status, share=1.3)
ENTERPRISE = Column(Text("企业", "Enterprise"),
                    lambda r, _n: r.visit.enterprise.name or r.visit.enterprise.uscc, share=1.6)
DEPARTMENT = Column(Text("部门", "Department"),
                    lambda r, n: "\n".join(n.department(d) for d in r.visit.departments), share=1.4)
KIND = Column(Text("类型", "Kind"), _kind, share=1.4)
OFFICERS = Column(Text("执法人员", "Officers"), _officers, share=1.0)
REASON = Column(Text("事由", "Reason"), lambda r, n: n.reason(r.visit.reason), share=1.5)
FINDINGS = Column(Text("发现与整改", "Findings and rectifications"), _findings, share=1.6)
RATING = Column(Text("评分", "Rating"),
                lambda r, _n: "" if r.visit.rating is None else str(r.visit.rating[0]), whole=True)
CHECKS = Column(Text("完整性 / 送达", "Integrity / delivery"), _checks, share=1.3)


def visit_table(pdf: FPDF, rows: Sequence[LogRow], columns: Sequence[Column],
                names: Names) -> None:
    """The visits as a table, the headings repeated on each page.

    Laid out here rather than by fpdf2's ``table()``, which measures and wraps every
    cell twice through ``multi_cell`` (about a millisecond a cell: seconds for a month of
    a team's visits): each cell is wrapped once with widths measured once per character,
    then drawn as a rectangle and one ``text`` per line."""
    lang = names.lang
    pdf.set_font(_FONT, size=BODY_PT)
    cells = [[column.cell(row, names) for column in columns] for row in rows]
    widths = _widths(pdf, columns, cells, lang)
    heading = [column.title.render(lang) for column in columns]
    wrap = _Wrapper(pdf, by_word=lang != "zh")
    _grid_row(pdf, widths, wrap.cells(heading, widths, bold=True), heading=True)
    for texts in cells:
        lines = wrap.cells(texts, widths)
        if pdf.get_y() + _row_height(lines) > pdf.page_break_trigger:
            pdf.add_page()
            _grid_row(pdf, widths, wrap.cells(heading, widths, bold=True), heading=True)
        _grid_row(pdf, widths, lines)


def _row_height(lines: list[list[str]]) -> float:
    return max((len(cell) for cell in lines), default=1) * LINE_MM + 2 * PADDING_MM


def _grid_row(pdf: FPDF, widths: Sequence[float], lines: list[list[str]], *,
              heading: bool = False) -> None:
    """One row of cells at the current position, bordered; the position moves below it."""
    height = _row_height(lines)
    x, y = pdf.l_margin, pdf.get_y()
    if heading:
        pdf.set_font(_FONT, heading_style(pdf), size=BODY_PT)
        pdf.set_fill_color(225, 225, 225)
    # The baseline of a line: a line's height centred on the font's size.
    baseline = PADDING_MM + (LINE_MM + 0.7 * pdf.font_size) / 2
    for width, cell in zip(widths, lines, strict=True):
        pdf.rect(x, y, width, height, style="DF" if heading else "D")
        for number, line in enumerate(cell):
            if line:
                pdf.text(x + PADDING_MM, y + baseline + number * LINE_MM, line)
        x += width
    if heading:
        pdf.set_font(_FONT, size=BODY_PT)
    pdf.set_xy(pdf.l_margin, y + height)


class _Wrapper:
    """Wraps cell texts to their column's width: at any character in Chinese, between words
    in English (a word wider than the column at a character); ``\n`` always breaks."""

    def __init__(self, pdf: FPDF, *, by_word: bool) -> None:
        self._pdf = pdf
        self._by_word = by_word
        self._widths: dict[tuple[str, bool], float] = {}

    def cells(self, texts: Sequence[str], widths: Sequence[float], *,
              bold: bool = False) -> list[list[str]]:
        if bold:
            self._pdf.set_font(_FONT, heading_style(self._pdf), size=BODY_PT)
        try:
            return [self._wrap(text, width - 2 * PADDING_MM, bold)
                    for text, width in zip(texts, widths, strict=True)]
        finally:
            if bold:
                self._pdf.set_font(_FONT, size=BODY_PT)

    def _width(self, char: str, bold: bool) -> float:
        width = self._widths.get((char, bold))
        if width is None:
            width = self._widths[(char, bold)] = self._pdf.get_string_width(char)
        return width

    def _wrap(self, text: str, room: float, bold: bool) -> list[str]:
        lines: list[str] = []
        for paragraph in text.split("\n"):
            lines.extend(self._wrap_words(paragraph, room, bold) if self._by_word
                         else self._wrap_chars(paragraph, room, bold))
        return lines

    def _wrap_chars(self, text: str, room: float, bold: bool) -> list[str]:
        lines, start, used = [], 0, 0.0
        for index, char in enumerate(text):
            width = self._width(char, bold)
            if used + width > room and index > start:
                lines.append(text[start:index])
                start, used = index, 0.0
            used += width
        lines.append(text[start:])
        return lines

    def _wrap_words(self, text: str, room: float, bold: bool) -> list[str]:
        lines: list[str] = []
        line, used = "", 0.0
        space = self._width(" ", bold)
        for word in text.split(" "):
            width = sum(self._width(c, bold) for c in word)
            if line and used + space + width <= room:
                line, used = f"{line} {word}", used + space + width
                continue
            if line:
                lines.append(line)
            if width <= room:
                line, used = word, width
            else:  # wider than the column: broken at characters, the rest carried on
                *whole, line = self._wrap_chars(word, room, bold)
                lines.extend(whole)
                used = sum(self._width(c, bold) for c in line)
        lines.append(line)
        return lines


def _widths(pdf: FPDF, columns: Sequence[Column], cells: list[list[str]],
            lang: Lang) -> list[float]:
    """Whole columns as wide as their widest line (title included); the rest share what is
    left in proportion."""
    room = pdf.w - pdf.l_margin - pdf.r_margin
    pad = 2 * PADDING_MM + 1.0
    widths: list[float] = []
    for index, column in enumerate(columns):
        if column.whole:
            texts = [column.title.render(lang), *(row[index] for row in cells)]
            widths.append(max(pdf.get_string_width(line) for text in texts
                              for line in text.split("\n")) + pad)
        else:
            widths.append(0.0)
    left = room - sum(widths)
    shares = sum(c.share for c in columns if not c.whole)
    return [w if c.whole else left * c.share / shares for c, w in zip(columns, widths, strict=True)]


def title_block(pdf: FPDF, title: Text, lines: Sequence[Text], lang: Lang) -> None:
    pdf.set_font(_FONT, heading_style(pdf), size=16)
    pdf.cell(0, 10, title.render(lang), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, size=10)
    for line in lines:
        pdf.multi_cell(0, 6, line.render(lang), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def section_heading(pdf: FPDF, text: Text, lang: Lang) -> None:
    pdf.ln(2)
    pdf.set_font(_FONT, heading_style(pdf), size=11)
    pdf.cell(0, 7, text.render(lang), new_x="LMARGIN", new_y="NEXT")


def totals_tables(pdf: FPDF, totals: LogTotals, names: Names) -> None:
    """The whole log, then one table per group (department, officer, kind)."""
    from fpdf.fonts import FontFace

    from inspector_app.services.log_totals import GROUP_TITLES, TALLY_COLUMNS, tally_name

    lang = names.lang
    titles = [title.render(lang) for title, _ in TALLY_COLUMNS]
    for group, tallies in (("", {"": totals.overall}), *totals.groups()):
        if not tallies:
            continue
        section_heading(pdf, GROUP_TITLES.get(group, Text("合计", "All visits")), lang)
        pdf.set_font(_FONT, size=BODY_PT)
        first = [tally_name(group, key, names.profile, lang, names.officers) if group
                 else Text("全部", "All").render(lang) for key in tallies]
        name_mm = max(pdf.get_string_width(t) for t in first) + 2 * PADDING_MM + 1.0
        number_mm = max(pdf.get_string_width(t) for t in titles) + 2 * PADDING_MM + 1.0
        widths = [max(name_mm, 40.0), *([number_mm] * len(titles))]
        with pdf.table(col_widths=widths, width=min(sum(widths), pdf.epw), line_height=LINE_MM,
                       padding=PADDING_MM, text_align=("LEFT", *["RIGHT"] * len(titles)),
                       headings_style=FontFace(emphasis=heading_style(pdf),
                                               fill_color=(225, 225, 225))) as grid:
            heading = grid.row()
            for text in ("", *titles):
                heading.cell(text)
            for label, tally in zip(first, tallies.values(), strict=True):
                line = grid.row()
                line.cell(label)
                for _, cell in TALLY_COLUMNS:
                    line.cell(str(cell(tally)))


def page_numbers(pdf: FPDF, lang: Lang) -> None:
    """Number every page; ``{nb}`` is replaced by the page count when the file is written."""
    pdf.set_auto_page_break(auto=False)
    label = Text("第 {page} 页，共 {{nb}} 页", "Page {page} of {{nb}}")
    for page in range(1, pdf.pages_count + 1):
        pdf.page = page
        pdf.set_font(_FONT, size=8)
        pdf.set_xy(pdf.l_margin, pdf.h - 10)
        pdf.cell(0, 5, label.format(page=page).render(lang), align="C")


# -- the printable log report -----------------------------------------------------------------

LOG_REPORT_TITLE = Text("检查记录汇总报告", "Visit log report")
LOG_COLUMNS = (WHEN, DURATION, STATUS, ENTERPRISE, KIND, OFFICERS, REASON, CHECKS)


def log_report_pdf(rows: Sequence[LogRow], names: Names, scope: Sequence[Text], *,
                   font: FontFile | None = None, created: dt.datetime | None = None) -> bytes:
    """Totals by department, officer and kind, then every visit: what a team lead prints.

    ``scope`` says which visits these are (the period, the filters, the sources)."""
    from inspector_app.checklists.report_pdf import landscape_a4
    from inspector_app.services.log_totals import log_totals

    lang = names.lang
    pdf = landscape_a4(font, created)
    pdf.alias_nb_pages()
    pdf.add_page()
    title_block(pdf, LOG_REPORT_TITLE, scope, lang)
    totals_tables(pdf, log_totals(rows), names)
    section_heading(pdf, Text("检查明细（{n} 次）", "Visits ({n})").format(n=len(rows)), lang)
    if rows:
        visit_table(pdf, rows, LOG_COLUMNS, names)
    page_numbers(pdf, lang)
    return bytes(pdf.output())
