"""``inspector export --format csv|jsonl|bundle``: hand records over."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from inspector_app.cli.common import lang, say, workspace
from inspector_app.cli.visits import log_query, log_query_args, visit_rows
from inspector_app.ledger.bundling import write_bundle
from inspector_app.platform.fileio import write_durably
from inspector_app.services.recorder import VisitRecorder
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text


def register(subparsers: Any) -> None:
    export = subparsers.add_parser("export", help="export the visit log or a signed bundle")
    export.add_argument("--format", required=True, choices=("csv", "jsonl", "bundle"))
    export.add_argument("--output", "-o", type=Path, default=None,
                        help="file to write (default: standard output; required for bundle)")
    log_query_args(export)  # for csv: the same visits as ``visits`` and the logs screen
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    from inspector_app.services.exports import chosen_visit_log_csv

    with workspace(args) as ws:
        if args.format == "bundle":
            if args.output is None:
                raise UserError(Text("导出记录包需要 --output 文件名。",
                                     "A bundle needs an --output file."), code="export.output")
            count = write_bundle(ws.ledger, args.output)
            say(Text("已导出 {n} 条签名记录到 {f}。", "Exported {n} signed events to {f}.")
                .format(n=count, f=args.output))
            return 0
        if args.format == "csv":
            # The same file as the app's export: China time, names beside ids, formulas defused.
            data = chosen_visit_log_csv(ws, lang(), log_query(args), args.bundle)
        else:
            recorder = VisitRecorder(ws)
            rows = visit_rows(sorted(recorder.visits(), key=lambda v: v.checked_in.wall_ms), ws)
            data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    if args.output is None:
        # As text, so that control characters from outside are escaped on a terminal, and
        # without the byte-order mark, which only a file for a spreadsheet needs (and which a
        # console in a legacy code page cannot print).
        sys.stdout.write(data.decode("utf-8-sig"))
    else:
        write_durably(args.output, data)  # a failed export leaves nothing behind
    return 0
