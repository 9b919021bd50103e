"""``inspector report``: the one-form report (一表通查) of a visit, as CSV or PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from inspector_app.cli.common import lang, say, workspace
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text


def register(subparsers: Any) -> None:
    report = subparsers.add_parser("report", help="the one-form report of a visit (CSV or PDF)")
    report.add_argument("--visit", required=True, metavar="ID")
    report.add_argument("--format", choices=("csv", "pdf"), default="pdf")
    report.add_argument("--output", "-o", type=Path, default=None,
                        help="file to write (default for CSV: standard output)")
    report.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    from inspector_app.services.reports import one_form_report

    if args.format == "pdf" and args.output is None:
        raise UserError(Text("PDF 报告需要 --output 文件名。", "A PDF report needs --output."),
                        code="report.output")
    with workspace(args) as ws:
        report = one_form_report(ws, args.visit)
    data = report.csv(lang()) if args.format == "csv" else report.pdf(lang())
    if args.output is None:  # CSV only: as text, escaped on a terminal, without the BOM
        sys.stdout.write(data.decode("utf-8-sig"))
        return 0
    args.output.write_bytes(data)
    say(Text("已写入 {f}（{n} 行）。", "Wrote {f} ({n} rows).").format(f=args.output,
                                                                  n=len(report.rows)))
    return 0
