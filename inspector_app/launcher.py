"""The ``inspector`` program: the command line, plus ``inspector gui`` — the tablet app.

This is the composition root above both front ends: the command line
(:mod:`inspector_app.cli`) knows nothing of Qt, and the app
(:mod:`inspector_app.ui`) knows nothing of the command line.  Qt is imported
only when the app starts, so every other command (and the Qt-free core) never
loads it.  ``inspector`` with no command opens the app where a window can open.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from inspector_protocol.text import Text


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("gui", help="start the tablet app (PySide6)")
    parser.add_argument("--startup-probe", action="store_true",
                        help="start normally and exit 0 as soon as the first window is painted "
                        "(start-up benchmark)")
    parser.set_defaults(handler=run_gui)


def has_display(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether a window can be shown: always on Windows and macOS; on Linux only with an X or
    Wayland display, or a Qt platform chosen explicitly (``offscreen`` in tests)."""
    env = os.environ if environ is None else environ
    if (platform or sys.platform) in ("win32", "darwin"):
        return True
    return any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


NO_DISPLAY = Text("没有可用的图形显示（未设置 DISPLAY 或 WAYLAND_DISPLAY），无法打开平板界面；"
                  "以下是文字状态。图形界面请在平板桌面上运行 inspector。",
                  "No graphical display is available (neither DISPLAY nor WAYLAND_DISPLAY is "
                  "set), so the tablet app cannot open; here is the status in text. Run "
                  "'inspector' on the tablet's desktop for the app.")


def run_default(args: argparse.Namespace) -> int:
    """``inspector`` with no command: the app, or the text status where no window can open."""
    if not has_display():
        from inspector_app.cli.status import show_status

        for lang in ("zh", "en"):  # said in both: nobody chose a language yet
            print(NO_DISPLAY.render(lang), file=sys.stderr)
        return show_status(args)
    args.startup_probe = False
    return run_gui(args)


def run_gui(args: argparse.Namespace) -> int:
    from inspector_app.platform.settings import resolve_data_dir
    from inspector_app.ui.tablet_app import run

    return run(resolve_data_dir(args.data_dir), lang=args.lang,
               startup_probe=args.startup_probe)


def main(argv: Sequence[str] | None = None) -> int:
    import os

    from inspector_app import cli

    # Whatever the login's umask, what the product writes (ledger, photos, caches,
    # exports) is readable by this user only (docs/trust-model.md, secrets at rest).
    os.umask(0o077)

    return cli.main(argv, extra_commands=(register,), default=run_default)
