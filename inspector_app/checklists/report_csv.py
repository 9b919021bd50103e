"""The one form as CSV for spreadsheets: the table shared with the PDF, written by the one
CSV writer (UTF-8 with a byte-order mark, formulas defused)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from inspector_app.checklists.oneform import OneFormRow
from inspector_app.checklists.report_table import table
from inspector_app.platform.spreadsheet import spreadsheet_csv
from inspector_protocol.text import Lang


def one_form_csv(rows: Sequence[OneFormRow], lang: Lang,
                 officer_names: Mapping[str, str] | None = None) -> bytes:
    header, *body = table(rows, lang, officer_names)
    return spreadsheet_csv(header, body)
