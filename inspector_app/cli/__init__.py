"""The ``inspector`` command line.

Each command group lives in its own module under this package and exposes
``register(subparsers)``; a registered parser sets ``handler`` to a function
``(args) -> int``.  Handlers raise :class:`~inspector_protocol.errors.UserError` or
:class:`~inspector_protocol.errors.EnvironmentProblem` for failures a person should
read; :func:`main` renders those in the chosen language with the documented
exit codes (``docs/cli.md``), and reports anything else as a bug.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from inspector_app import __version__
from inspector_app.cli.exit_codes import ExitCode, exit_code_for
from inspector_app.platform.settings import (
    add_global_options,
    environment_help,
    resolve_data_dir,
    resolve_language,
)
from inspector_protocol.environment import classify
from inspector_protocol.errors import InspectorError
from inspector_protocol.terminal import safe_terminal
from inspector_protocol.text import Text, current_lang, set_lang

#: Command modules, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "setup",
    "officers",
    "visits",
    "integrity",
    "export",
    "report",
    "scan",
    "qr",
    "checklist",
    "sync",
    "draw",
    "selftest",
)

log = logging.getLogger("inspector")


#: Registers a command group on the subparsers (``register(subparsers)``).
Registrar = Callable[[Any], None]
Handler = Callable[[argparse.Namespace], int]


def build_parser(extra_commands: Sequence[Registrar] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inspector",
        description="入企扫码 — offline-first field inspector (scan-to-enter visit records)",
        epilog=environment_help(), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"inspector {__version__}")
    add_global_options(parser)  # from the one settings table (docs/cli.md shows the same)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"inspector_app.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"inspector_app.cli.{name}":
                raise
            continue  # a command group whose module is not part of this build
        module.register(subparsers)
    for register in extra_commands:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None, *, extra_commands: Sequence[Registrar] = (),
         default: Handler | None = None) -> int:
    """Run one command; ``extra_commands`` and ``default`` come from the program's entry
    (:mod:`inspector_app.launcher` adds the app), so this package never imports Qt."""
    with safe_terminal():
        return _run(build_parser(extra_commands), argv, default)


def _run(parser: argparse.ArgumentParser, argv: Sequence[str] | None,
         default: Handler | None) -> int:
    args = parser.parse_args(argv)
    set_lang(None)  # one process may run several commands (tests, the app's launcher)
    try:
        args.lang = resolve_language(args.lang)
    except InspectorError as exc:  # a bad $INSPECTOR_LANG: said in both, nobody chose one
        for lang in ("zh", "en"):
            print(exc.render(lang), file=sys.stderr)
        return int(ExitCode.USAGE)
    if args.lang:
        set_lang(args.lang)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler = getattr(args, "handler", None)
    if handler is None:
        from inspector_app.cli.status import show_status

        handler = default or show_status  # the launcher opens the app where a display exists
    try:
        return int(handler(args))
    except InspectorError as exc:
        print(exc.render(current_lang()), file=sys.stderr)
        return int(exit_code_for(exc))
    except KeyboardInterrupt:
        print(Text("已取消", "Cancelled").render(current_lang()), file=sys.stderr)
        return int(ExitCode.CANCELLED)
    except Exception as exc:
        problem = classify(exc, where=_data_dir_or_none(args))
        if problem is not None:  # a full disk, a locked database, ...: never a bug
            print(problem.render(current_lang()), file=sys.stderr)
            return int(ExitCode.ENVIRONMENT)
        log.exception("unexpected error")
        print(Text("内部错误（程序缺陷），详情见上方日志。请将其报告给管理员。",
                   "Internal error (a bug); details are logged above. Please report it.")
              .render(current_lang()), file=sys.stderr)
        return int(ExitCode.BUG)


def _data_dir_or_none(args: argparse.Namespace) -> Path | None:
    """The data folder, to look at its storage when a failure is vague (never raises)."""
    try:
        return resolve_data_dir(getattr(args, "data_dir", None))
    except Exception:  # noqa: BLE001 — only a hint for the message; the failure itself is reported
        return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
