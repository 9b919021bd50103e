"""``inspector report``: the one-form report (一表通查) of a visit, as CSV or PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from inspector_app.cli.common import lang, say, workspace
from inspector_app.cli.visits import visit_json
from inspector_app.services.recorder import VisitRecorder
from inspector_protocol.text import Text


def register(subparsers: Any) -> None:
    report = subparsers.add_parser("report", help="the one-form report of a visit (CSV or PDF)")
    report.add_argument("--visit", required=True, metavar="ID")
    report.add_argument("--format", choices=("csv", "pdf"), default="pdf")
    report.add_argument("--output", "-o", type=Path, default=None,
                        help="file to write (default for CSV: standard output)")
    report.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    from inspector_app.checklists import VisitHeader, one_form, one_form_csv, one_form_pdf

    with workspace(args) as ws:
        recorder = VisitRecorder(ws)
        visit = recorder.visit(args.visit)
        rows = one_form(recorder.checklists(visit.id),
                        {d.id: d.name for d in ws.profile.departments})
        names = {o.credential: o.name for o in ws.ledger.officer_keys()}
        names.update({o.credential: o.name for o in ws.profile.officers})
        summary = visit_json(visit, ws)
    if args.format == "csv":
        data = one_form_csv(rows, lang(), names)
    else:
        header = VisitHeader(
            enterprise_name=visit.enterprise.name or visit.enterprise.uscc,
            uscc=visit.enterprise.uscc, visit_id=visit.id,
            checked_in=summary["checked_in"], checked_out=summary["checked_out"],
        )
        data = one_form_pdf(rows, header, lang(), officer_names=names)
    if args.output is None:
        if args.format == "pdf":
            from inspector_protocol.errors import UserError

            raise UserError(Text("PDF 报告需要 --output 文件名。", "A PDF report needs --output."),
                            code="report.output")
        sys.stdout.buffer.write(data)
        return 0
    args.output.write_bytes(data)
    say(Text("已写入 {f}（{n} 行）。", "Wrote {f} ({n} rows).").format(f=args.output, n=len(rows)))
    return 0
