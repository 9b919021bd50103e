"""The gate poster: an A4 page with the signed enterprise code (PDF for print, PNG for screens).

One layout, described in millimetres, drawn by two small renderers, so the PDF
and the PNG cannot drift apart.  The text follows the Dezhou posters: the call to
scan (全区公职人员进出企业请扫码), the enterprise, and the phone number for
reporting officers who skip the scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from inspector_protocol.china_time import in_china
from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.text import Text

PAGE_MM = (210.0, 297.0)
CODE_MM = 130.0
PNG_DPI = 150
RED = (200, 16, 46)
BLACK = (20, 20, 20)
GREY = (90, 90, 90)
#: Noto Sans CJK SC regular and bold (collection index 2 is Simplified Chinese).
FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),
)
SC_INDEX = 2


@dataclass(frozen=True)
class Line:
    text: str
    y_mm: float
    size_pt: float
    bold: bool = False
    colour: tuple[int, int, int] = BLACK


@dataclass(frozen=True)
class PosterContent:
    code_text: str
    enterprise_name: str
    uscc: str
    issuer: str
    reporting_phone: str | None
    valid_until: datetime


def layout(content: PosterContent) -> tuple[list[Line], tuple[float, float]]:
    """The text lines and the top-left corner (mm) of the code."""
    lines = [
        Line("全区公职人员进出企业请扫码", 28, 30, bold=True, colour=RED),
        Line("入企扫码 · 亲清政企", 42, 16, colour=RED),
        Line(content.enterprise_name, 205, 20, bold=True),
        Line(f"统一社会信用代码：{content.uscc}", 216, 13),
        Line("执法人员进出企业时，请扫描本码登记事由与时间", 232, 13),
    ]
    if content.reporting_phone:
        lines.append(Line(f"未扫码入企、多头重复检查，请拨打监督电话：{content.reporting_phone}",
                          243, 13, bold=True, colour=RED))
    lines.append(Line(f"签发：{content.issuer}　有效期至：{in_china(content.valid_until):%Y-%m-%d}",
                      280, 9, colour=GREY))
    return lines, ((PAGE_MM[0] - CODE_MM) / 2, 55.0)


def code_modules(text: str) -> list[list[bool]]:
    import segno

    qr = segno.make(text, error="q", micro=False, boost_error=False)
    return [[bool(m) for m in row] for row in qr.matrix]


def find_fonts() -> tuple[Path, Path]:
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file() and Path(bold).is_file():
            return Path(regular), Path(bold)
    raise EnvironmentProblem(
        Text("找不到中文字体 Noto Sans CJK", "The Chinese font Noto Sans CJK was not found"),
        Text("请安装 fonts-noto-cjk 软件包后重试。", "Install the fonts-noto-cjk package and retry."),
        code="env.font_missing",
    )


def write_pdf(content: PosterContent, path: Path) -> None:
    from fpdf import FPDF

    regular, bold = find_fonts()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("NotoSansSC", "", regular, collection_font_number=SC_INDEX)
    pdf.add_font("NotoSansSC", "B", bold, collection_font_number=SC_INDEX)
    pdf.add_page()
    lines, (x0, y0) = layout(content)
    for line in lines:
        pdf.set_font("NotoSansSC", "B" if line.bold else "", line.size_pt)
        pdf.set_text_color(*line.colour)
        pdf.set_xy(0, line.y_mm - line.size_pt * 0.35 / 2)
        pdf.cell(PAGE_MM[0], line.size_pt * 0.35, line.text, align="C")
    _pdf_code(pdf, code_modules(content.code_text), x0, y0)
    pdf.output(str(path))


def _pdf_code(pdf: Any, modules: Sequence[Sequence[bool]], x0: float, y0: float) -> None:
    """Vector modules, one rectangle per horizontal run: crisp at any print size."""
    size = CODE_MM / (len(modules) + 8)  # 4-module quiet zone on each side
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(modules):
        col = 0
        while col < len(cells):
            if not cells[col]:
                col += 1
                continue
            start = col
            while col < len(cells) and cells[col]:
                col += 1
            pdf.rect(x0 + (start + 4) * size, y0 + (row + 4) * size, (col - start) * size, size,
                     style="F")


def write_png(content: PosterContent, path: Path, dpi: int = PNG_DPI) -> None:
    from PIL import Image, ImageDraw, ImageFont

    regular, bold = find_fonts()
    px = dpi / 25.4
    page = Image.new("RGB", (round(PAGE_MM[0] * px), round(PAGE_MM[1] * px)), "white")
    draw = ImageDraw.Draw(page)
    lines, (x0, y0) = layout(content)
    for line in lines:
        font = ImageFont.truetype(str(bold if line.bold else regular),
                                  round(line.size_pt / 72 * dpi), index=SC_INDEX)
        draw.text((page.width / 2, line.y_mm * px), line.text, font=font, fill=line.colour,
                  anchor="mm")
    modules = code_modules(content.code_text)
    size = CODE_MM / (len(modules) + 8) * px
    for row, cells in enumerate(modules):
        for col, dark in enumerate(cells):
            if dark:
                left, top = x0 * px + (col + 4) * size, y0 * px + (row + 4) * size
                draw.rectangle((round(left), round(top), round(left + size) - 1,
                                round(top + size) - 1), fill="black")
    page.save(path, dpi=(dpi, dpi))
