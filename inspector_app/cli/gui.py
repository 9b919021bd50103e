"""``inspector gui``: the tablet app.

Qt is imported only when the command runs, so the rest of the command line
(and the Qt-free core) never loads it.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("gui", help="start the tablet app (PySide6)")
    parser.add_argument("--startup-probe", action="store_true",
                        help="start normally and exit 0 as soon as the first window is painted "
                        "(start-up benchmark)")
    parser.set_defaults(handler=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    from inspector_app.settings import resolve_data_dir
    from inspector_app.ui.app import run

    return run(resolve_data_dir(args.data_dir), lang=args.lang,
               startup_probe=args.startup_probe)
