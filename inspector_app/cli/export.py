"""``inspector export --format csv|jsonl|bundle``: hand records over."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from inspector_app.cli.common import say, workspace
from inspector_app.cli.visits import visit_rows
from inspector_app.ledger.bundling import write_bundle
from inspector_app.services.recorder import VisitRecorder
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

CSV_COLUMNS = (
    ("id", "检查编号"), ("state", "状态"), ("checked_in", "签到时间"), ("checked_out", "签退时间"),
    ("duration_min", "时长（分钟）"), ("enterprise_name", "企业名称"), ("uscc", "统一社会信用代码"),
    ("registered", "企业在册"), ("department", "部门"), ("kind", "检查类型"), ("category", "类别"),
    ("reason", "事由"), ("legal_basis", "法律依据"), ("officer", "执法人员"),
    ("co_officers", "共同执法人员"), ("frequency_warning", "频次预警"),
    ("justification", "预警理由"), ("rating", "评分"), ("delivered", "已送达中心"),
)


def register(subparsers: Any) -> None:
    export = subparsers.add_parser("export", help="export the visit log or a signed bundle")
    export.add_argument("--format", required=True, choices=("csv", "jsonl", "bundle"))
    export.add_argument("--output", "-o", type=Path, default=None,
                        help="file to write (default: standard output; required for bundle)")
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        if args.format == "bundle":
            if args.output is None:
                raise UserError(Text("导出记录包需要 --output 文件名。",
                                     "A bundle needs an --output file."), code="export.output")
            count = write_bundle(ws.ledger, args.output)
            say(Text("已导出 {n} 条签名记录到 {f}。", "Exported {n} signed events to {f}.")
                .format(n=count, f=args.output))
            return 0
        recorder = VisitRecorder(ws)
        rows = visit_rows(sorted(recorder.visits(), key=lambda v: v.checked_in.wall_ms), ws)
    text = _csv(rows) if args.format == "csv" else "".join(
        json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if args.output is None:
        sys.stdout.write(text)
    else:
        # A BOM so that spreadsheet programs open the Chinese text correctly.
        args.output.write_text(("\ufeff" if args.format == "csv" else "") + text, encoding="utf-8")
    return 0


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f"{zh} {key}" for key, zh in CSV_COLUMNS])
    for row in rows:
        flat = {
            **row,
            "duration_min": "" if row["duration_s"] is None else row["duration_s"] // 60,
            "enterprise_name": row["enterprise"]["name"] or "",
            "uscc": row["enterprise"]["uscc"],
            "registered": row["enterprise"]["registered"],
            "co_officers": " ".join(row["co_officers"]),
            "rating": "" if row["rating"] is None else row["rating"]["score"],
            "delivered": row["events_delivered"] == row["events"],
        }
        writer.writerow(["" if flat.get(k) is None else flat[k] for k, _ in CSV_COLUMNS])
    return buffer.getvalue()
