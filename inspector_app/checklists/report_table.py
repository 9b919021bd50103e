"""The one form as a table of strings in one language: shared by CSV and PDF."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from inspector_app.checklists.oneform import OneFormRow
from inspector_protocol.text import Lang, Text

COLUMNS = (
    Text("部门", "Department"),
    Text("检查事项", "Item"),
    Text("检查内容", "What was checked"),
    Text("检查结果", "Result"),
    Text("整改要求", "Rectification required"),
    Text("整改期限", "Deadline"),
    Text("检查人员", "Officer"),
)


def header_cells(lang: Lang) -> list[str]:
    return [column.render(lang) for column in COLUMNS]


def row_cells(row: OneFormRow, lang: Lang,
              officer_names: Mapping[str, str] | None = None) -> list[str]:
    separator = "：" if lang == "zh" else ": "
    return [
        row.department_name.render(lang),
        row.section.render(lang) + separator + row.item.render(lang),
        row.content.render(lang),
        row.result.render(lang),
        row.rectification.render(lang) if row.rectification else "",
        row.deadline.isoformat() if row.deadline else "",
        officer_label(row.officer, officer_names or {}),
    ]


def officer_label(credential: str | None, names: Mapping[str, str]) -> str:
    if credential is None:
        return ""
    name = names.get(credential)
    return f"{name}（{credential}）" if name else credential


def table(rows: Sequence[OneFormRow], lang: Lang,
          officer_names: Mapping[str, str] | None = None) -> list[list[str]]:
    return [header_cells(lang)] + [row_cells(r, lang, officer_names) for r in rows]
