"""The one form as CSV for Excel: UTF-8 with a byte-order mark, formulas defused.

Excel on Chinese Windows opens a BOM-less CSV as GBK and shows mojibake; the
BOM makes it read UTF-8.  A cell starting with ``=``, ``+``, ``-`` or ``@`` would
be run as a formula, and officers' free text ends up in cells, so such cells
get a leading apostrophe (the usual CSV-injection defence) unless they are a
plain number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence

from inspector_app.checklists.oneform import OneFormRow
from inspector_app.checklists.report_table import table
from inspector_protocol.text import Lang

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?( \S+)?")


def one_form_csv(rows: Sequence[OneFormRow], lang: Lang,
                 officer_names: Mapping[str, str] | None = None) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for cells in table(rows, lang, officer_names):
        writer.writerow([defuse_formula(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")


def defuse_formula(cell: str) -> str:
    if cell.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell
