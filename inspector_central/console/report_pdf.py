"""The period report as PDF: the numbers the annual statistics ask for, Chinese and English.

The font is Noto Sans CJK SC (Debian: ``fonts-noto-cjk``), face 2 of the collection:
the Simplified Chinese glyph forms; PDF viewers do not substitute fonts for embedded
text, so the report carries it (subset).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from fpdf import FPDF

from inspector_central.console import labels
from inspector_central.console.views import DepartmentsReport, Overview
from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.text import Text

_FAMILY = "Noto Sans CJK SC"
_FALLBACK = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2)


def cjk_font() -> tuple[Path, int]:
    """The Simplified Chinese face: fontconfig's answer, else Debian's usual file."""
    fc_list = shutil.which("fc-list")
    if fc_list is not None:
        try:
            listing = subprocess.run([fc_list, "--format", "%{file}|%{index}|%{family}\n",
                                      ":lang=zh-cn"], capture_output=True, text=True, timeout=20,
                                     check=True).stdout
        except (OSError, subprocess.SubprocessError):
            listing = ""
        for line in sorted(listing.splitlines()):
            file, _sep, rest = line.partition("|")
            index, _sep, family = rest.partition("|")
            if _FAMILY in family.split(",") and "Regular" in file and index.isdigit():
                return Path(file), int(index)
    if _FALLBACK[0].exists():
        return _FALLBACK
    raise EnvironmentProblem(
        Text("找不到可显示中文的字体，无法生成 PDF 报告。",
             "No font that can show Chinese was found; the PDF report cannot be made."),
        Text("请在服务器上安装 fonts-noto-cjk。", "Install fonts-noto-cjk on the server."),
        code="env.no_cjk_font")


def period_report(overview: Overview, departments: DepartmentsReport, title: str) -> bytes:
    font, index = cjk_font()
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("cjk", fname=str(font), collection_font_number=index)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.cell(0, 6, f"时段 Period: {labels.when(overview.start_ms)} – {labels.when(overview.end_ms)}"
             "（北京时间 China time）", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _table(pdf, ["项目 Item", "数量 Value"], [
        ["执法检查 Enforcement visits", str(overview.enforcement_visits)],
        ["非执法类 Non-enforcement visits", str(overview.non_enforcement_visits)],
        ["平均时长 Average duration", labels.duration(overview.average_duration_s, "zh")],
        ["本期预警 Warnings this period", str(overview.warnings_in_period)],
        ["待处理预警 Open warnings", str(overview.open_warnings)],
        ["完整性告警 Integrity alarms", str(overview.alarms)],
    ], [110, 50])
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, "各类检查 Visits by kind", new_x="LMARGIN", new_y="NEXT")
    _table(pdf, ["类别 Kind", "性质 Category", "次数 Visits"], [
        [f"{labels.label(labels.KINDS, k.kind, 'zh')} {labels.label(labels.KINDS, k.kind, 'en')}",
         "执法 enforcement" if k.enforcement else "非执法 non-enforcement", str(k.visits)]
        for k in overview.by_kind], [110, 60, 30])
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, "各部门 Departments", new_x="LMARGIN", new_y="NEXT")
    _table(pdf, ["部门 Department", "检查 Visits", "执法 Enf.", "非执法 Non-enf.", "平均时长 Avg.",
                 "过短 Short", "过长 Long", "预警 Warnings", "手输 Typed", "时钟 Clock"],
           [[r.officer or r.department, str(r.visits), str(r.enforcement), str(r.non_enforcement),
             labels.duration(r.average_duration_s, "zh"), str(r.too_short), str(r.too_long),
             f"{r.warnings} ({r.open_warnings})",
             "-" if r.typed_or_unverified_share is None else f"{r.typed_or_unverified_share:.0%}",
             str(r.clock_discrepancies)] for r in departments.rows],
           [52, 22, 22, 26, 30, 22, 22, 30, 24, 22])
    return bytes(pdf.output())


def _table(pdf: FPDF, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
    pdf.set_font("cjk", size=9)
    pdf.set_fill_color(235, 238, 242)
    for text, width in zip(header, widths, strict=True):
        pdf.cell(width, 7, text, border=1, fill=True)
    pdf.ln()
    for row in rows or [["-"] * len(widths)]:
        for text, width in zip(row, widths, strict=True):
            pdf.cell(width, 6, text[:60], border=1)
        pdf.ln()
