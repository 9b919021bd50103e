"""``inspector report``: the one-form report (一表通查) of a visit, as CSV or PDF, or the
printable log report (``--log``: totals by department, officer and kind, then the visits)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from inspector_app.cli.common import lang, say, workspace
from inspector_app.cli.visits import chosen_rows, log_query_args
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text


def register(subparsers: Any) -> None:
    report = subparsers.add_parser("report", help="the one-form report of a visit (CSV or PDF), "
                                   "or the log report (--log)")
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("--visit", metavar="ID")
    which.add_argument("--log", action="store_true",
                       help="the log report as PDF: totals, then the visits the filters pass")
    log_query_args(report)
    report.add_argument("--format", choices=("csv", "pdf"), default="pdf")
    report.add_argument("--output", "-o", type=Path, default=None,
                        help="file to write (default for CSV: standard output)")
    report.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    from inspector_app.services.reports import one_form_report

    if args.format == "pdf" and args.output is None:
        raise UserError(Text("PDF 报告需要 --output 文件名。", "A PDF report needs --output."),
                        code="report.output")
    if args.log:
        return _log_report(args)
    with workspace(args) as ws:
        report = one_form_report(ws, args.visit, lang())
    data = report.csv(lang()) if args.format == "csv" else report.pdf(lang())
    if args.output is None:  # CSV only: as text, escaped on a terminal, without the BOM
        sys.stdout.write(data.decode("utf-8-sig"))
        return 0
    args.output.write_bytes(data)
    say(Text("已写入 {f}（{n} 行）。", "Wrote {f} ({n} rows).").format(f=args.output,
                                                                  n=len(report.rows)))
    return 0


def _log_report(args: argparse.Namespace) -> int:
    from inspector_app.services.reports import write_log_report
    from inspector_app.services.visit_log import local_time_text, sources_text

    if args.format != "pdf":
        raise UserError(Text("汇总报告只有 PDF 格式；表格请用 inspector export --format csv。",
                             "The log report is a PDF; for a table use inspector export "
                             "--format csv."), code="report.log_format")
    with workspace(args) as ws:
        log, rows = chosen_rows(ws, args)
        scope = [sources_text(log)[1]]
        if rows:
            scope.append(Text("签到日期：{a} 至 {b}（北京时间）", "Checked in {a} to {b} (China time)")
                         .format(a=local_time_text(rows[0].visit.checked_in.wall_ms)[:10],
                                 b=local_time_text(rows[-1].visit.checked_in.wall_ms)[:10]))
        write_log_report(ws, args.output, rows, scope, lang())
    say(Text("已写入 {f}（{n} 次检查）。", "Wrote {f} ({n} visits).").format(f=args.output,
                                                                        n=len(rows)))
    return 0
