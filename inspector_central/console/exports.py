"""Every console table as CSV or XLSX: times in China time, and no cell a spreadsheet would
run as a formula (a value from a tablet or a form could start with ``=``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, Literal
from urllib.parse import quote

from fastapi.responses import Response

ExportFormat = Literal["csv", "xlsx"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """Numbers stay numbers; text that a spreadsheet would evaluate gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export(name: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
           fmt: ExportFormat) -> Response:
    cells = [[safe_cell(v) for v in row] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_cell(h) for h in header])
        writer.writerows(cells)
        body = ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM: Excel reads UTF-8
        media = "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook  # type: ignore[import-untyped]

        book = Workbook(write_only=True)
        sheet = book.create_sheet(name[:31])
        sheet.append(list(header))
        for row in cells:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        body = out.getvalue()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = f"{name}.{fmt}"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f"attachment; filename=\"{filename}\"; "
                               f"filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store"})
