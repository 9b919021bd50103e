"""``inspector selftest``: is this installation ready to record visits?

Run by department IT after installing (and by the installer checks): camera,
decoders, Chinese font, ledger database, keys, endpoint.  Warnings (no camera,
not set up yet) leave the exit status at 0; any failed check makes it non-zero,
so a deployment script can stop on it.
"""

from __future__ import annotations

import argparse
import platform
import sys
from typing import Any

from inspector_app import __version__
from inspector_app.cli.common import data_dir, emit_json, lang
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.services.readiness import CheckResult, run_self_test
from inspector_app.services.workspace import is_initialised, open_workspace
from inspector_protocol.text import Text

MARKS = {"ok": "✓", "warning": "!", "failed": "✗"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "selftest", help="check camera, decoders, fonts, database, keys and endpoint")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run_selftest)


def run_selftest(args: argparse.Namespace) -> int:
    folder = data_dir(args)
    if is_initialised(folder):
        with open_workspace(folder) as ws:
            results = run_self_test(ws)
    else:
        results = run_self_test(None)
    failed = any(r.outcome == "failed" for r in results)
    if args.json:
        emit_json(report_json(results, str(folder)))
    else:
        for result in results:
            print(f"{MARKS[result.outcome]} {result.name.render(lang())}: "
                  f"{result.detail.render(lang())}")
        print(Text("自检未通过。", "Self-test FAILED.").render(lang()) if failed
              else Text("自检通过。", "Self-test passed.").render(lang()))
    return int(ExitCode.ENVIRONMENT if failed else ExitCode.OK)


def report_json(results: list[CheckResult], folder: str) -> dict[str, Any]:
    return {
        "version": __version__,
        "ok": not any(r.outcome == "failed" for r in results),
        "executable": sys.executable,
        "python": platform.python_version(),
        "platform": sys.platform,
        "data_dir": folder,
        "checks": [{"id": r.key, "outcome": r.outcome,
                    "name": {"zh": r.name.render("zh"), "en": r.name.render("en")},
                    "detail": {"zh": r.detail.render("zh"), "en": r.detail.render("en")}}
                   for r in results],
    }
