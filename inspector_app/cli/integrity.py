"""``inspector verify``: is this ledger intact?"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector_app.cli.common import emit_json, lang, say, workspace
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.ledger.bundling import verify_bundle
from inspector_app.ledger.verify import UNDETECTABLE, verify_ledger
from inspector_protocol.bundle import read_bundle
from inspector_protocol.text import Text


def register(subparsers: Any) -> None:
    verify = subparsers.add_parser(
        "verify", help="check every signature, chain link and sequence number of the ledger")
    verify.add_argument("--json", action="store_true")
    verify.add_argument("--bundle", type=Path, default=None,
                        help="verify a bundle exported on another device instead of this ledger")
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    if args.bundle is not None:
        report = verify_bundle(read_bundle(args.bundle))
    else:
        with workspace(args) as ws:
            report = verify_ledger(ws.ledger.conn)
    if args.json:
        emit_json(report.to_json(lang()))
    else:
        if report.intact:
            say(Text("记录完整：已检查 {n} 条记录，签名、链接和序号均正确。",
                     "Ledger intact: {n} events checked; every signature, link and sequence "
                     "number is correct.").format(n=report.events_checked))
        else:
            say(Text("记录不完整：发现 {k} 处问题（已检查 {n} 条记录）：",
                     "Ledger NOT intact: {k} problem(s) in {n} events:")
                .format(k=len(report.problems), n=report.events_checked))
            for finding in report.problems:
                print(f"  #{finding.seq}: {finding.text.render(lang())}")
        say(Text("本机检查无法发现：", "What a check on this device cannot detect:"))
        for text in UNDETECTABLE:
            print(f"  - {text.render(lang())}")
    return int(ExitCode.OK if report.intact else ExitCode.INTEGRITY)
