"""Every CSV the product writes, written one way: as spreadsheet programs open it safely.

* UTF-8 with a byte-order mark: Excel on Chinese Windows opens a CSV without one
  as GBK and shows mojibake.
* CRLF line ends, every field quoted when it needs to be (``csv`` module rules).
* No cell runs as a formula: officers' free text (reasons, notes, enterprise
  names read from a code) ends up in cells, and a cell starting with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return would be evaluated by the
  spreadsheet (``=HYPERLINK(...)``, ``=WEBSERVICE(...)``, DDE).  Such a cell is
  prefixed with an apostrophe, so it shows as the text it is.  Only a plain
  number (``-3.5``), optionally with a unit that holds no operator (``-5 ℃``),
  is left as it is.

Times are the caller's business, in China time, formatted before they get here
(:mod:`inspector_app.services.exports`); this module sees only text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A number, and at most one unit word free of anything a formula could use.
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?( [^\s=+\-*/^&|!@:;,\"'()<>%$\[\]{}]+)?")


def defuse_formula(cell: str) -> str:
    """``cell`` as a spreadsheet will show it as text, never evaluate it."""
    if cell.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def spreadsheet_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """The header and rows as the bytes of a CSV file (BOM, CRLF, formulas defused)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([defuse_formula(cell) for cell in header])
    for row in rows:
        writer.writerow([defuse_formula(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")
