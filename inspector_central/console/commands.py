"""``inspector-central user …`` and ``inspector-central rules …``.

Exit codes as elsewhere in the command line: 0 done, 1 refused (the message says
why: a short passphrase, an unknown account, a rules file with problems, one per
line), 2 a usage error.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector_central.storage import Database

OpenDatabase = Callable[[argparse.Namespace], Database]


def register_console_commands(commands: Any, open_database: OpenDatabase) -> None:
    user = commands.add_parser("user", help="oversight console accounts (docs/console.md)")
    actions = user.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add an account; the passphrase from --passphrase-file "
                             "or typed twice")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=("oversight", "department"))
    add.add_argument("--department", default=None, help="the department id (department accounts)")
    add.add_argument("--passphrase-file", type=Path, default=None, metavar="FILE",
                     help="read the passphrase from the first line of FILE")
    add.set_defaults(handler=lambda a: _user_add(a, open_database))
    listing = actions.add_parser("list", help="accounts, with disabled and locked ones")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=lambda a: _user_list(a, open_database))
    disable = actions.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("--name", required=True)
    disable.set_defaults(handler=lambda a: _user_disable(a, open_database))

    rules = commands.add_parser("rules", help="frequency rules as data (docs/console.md)")
    verbs = rules.add_subparsers(dest="rules_action", required=True, metavar="ACTION")
    check = verbs.add_parser("check", help="check a rules file, field by field; changes nothing")
    check.add_argument("file", type=Path)
    check.set_defaults(handler=_rules_check)
    install = verbs.add_parser("install", help="install a rules file as the next version, then "
                               "evaluate every visit under it")
    install.add_argument("file", type=Path)
    install.set_defaults(handler=lambda a: _rules_install(a, open_database))
    evaluate = verbs.add_parser("evaluate", help="evaluate the rules in force over every visit "
                                "(idempotent: a warning is never repeated) and recompute the "
                                "console's statistics")
    evaluate.set_defaults(handler=lambda a: _rules_evaluate(a, open_database))
    show = verbs.add_parser("show", help="print the rules file in force")
    show.set_defaults(handler=lambda a: _rules_show(a, open_database))


def _now() -> int:
    from inspector_central.signing import now_ms

    return now_ms()


def _read_passphrase(file: Path | None) -> str:
    from inspector_central.console.accounts import AccountError
    from inspector_protocol.text import Text

    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise AccountError(Text("无法读取口令文件：{e}", "Cannot read the passphrase file: {e}")
                               .format(e=exc.strerror or str(exc)), code="console.passphrase_file"
                               ) from None
        return lines[0] if lines else ""
    first = getpass.getpass("口令 Passphrase: ")
    if getpass.getpass("再次输入 Again: ") != first:
        raise AccountError(Text("两次输入的口令不一致。", "The two passphrases differ."),
                           code="console.passphrase_mismatch")
    return first


def _user_add(args: argparse.Namespace, open_database: OpenDatabase) -> int:
    from inspector_central.console.accounts import add_user, check_passphrase

    passphrase = _read_passphrase(args.passphrase_file)
    check_passphrase(passphrase)
    user = add_user(open_database(args), args.name, args.role, args.department, passphrase,
                    now_ms=_now())
    print(f"account {user.name} added ({user.role}"
          + (f", department {user.department})" if user.department else ")"))
    return 0


def _user_list(args: argparse.Namespace, open_database: OpenDatabase) -> int:
    from inspector_central.console.accounts import list_users
    from inspector_protocol.china_time import china_isoformat

    users = list_users(open_database(args))
    if args.json:
        print(json.dumps([u.to_json() for u in users], ensure_ascii=False))
        return 0
    now = _now()
    for u in users:
        state = ("disabled" if u.disabled_ms is not None else
                 f"locked until {china_isoformat(u.locked_until_ms, 'minutes')}"
                 if u.locked_until_ms is not None and u.locked_until_ms > now else "active")
        print(f"{u.name}  {u.role}  {u.department or '-'}  {state}")
    return 0


def _user_disable(args: argparse.Namespace, open_database: OpenDatabase) -> int:
    from inspector_central.console.accounts import disable_user

    user = disable_user(open_database(args), args.name.strip(), now_ms=_now())
    print(f"account {user.name} disabled; its sessions are ended")
    return 0


def _rules_check(args: argparse.Namespace) -> int:
    from inspector_central.console.rules import RulesError, read_rules_file
    from inspector_protocol.text import current_lang

    try:
        rules = read_rules_file(args.file)
    except RulesError as exc:
        print(exc.text.render(current_lang()), file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{args.file}: {len(rules.rules)} rule(s) valid: "
          + ", ".join(f"{r.id} ({r.kind})" for r in rules.rules))
    return 0


def _rules_install(args: argparse.Namespace, open_database: OpenDatabase) -> int:
    from inspector_central.console.audit import audit
    from inspector_central.console.evaluate import evaluate_all
    from inspector_central.console.rules import document_hash, read_rules_file

    status = _rules_check(args)
    if status:
        return status
    read_rules_file(args.file)
    data = args.file.read_bytes()
    database = open_database(args)
    now = _now()
    with database.transaction() as tx:
        row = tx.one("SELECT MAX(version) FROM console_rules")
        version = (int(row[0]) if row and row[0] is not None else 0) + 1
        tx.execute("INSERT INTO console_rules (version, installed_ms, installed_by, sha256, "
                   "document) VALUES (?, ?, ?, ?, ?)",
                   (version, now, "cli", document_hash(data), data.decode("utf-8")))
        audit(tx, now, "cli", "rules_installed", f"v{version}", sha256=document_hash(data))
    held = evaluate_all(database, now)
    print(f"rules version {version} installed; {held} warning(s) held after evaluation")
    return 0


def _rules_evaluate(args: argparse.Namespace, open_database: OpenDatabase) -> int:
    from inspector_central.console.evaluate import evaluate_all
    from inspector_central.console.statistics import refresh_all
    from inspector_central.console.views import index_registry

    database = open_database(args)
    index_registry(database)
    refresh_all(database)
    held = evaluate_all(database, _now())
    print(f"{held} warning(s) held after evaluation")
    return 0


def _rules_show(args: argparse.Namespace, open_database: OpenDatabase) -> int:
    from inspector_central.console.rules import DEFAULT_RULES

    database = open_database(args)
    with database.transaction(write=False) as tx:
        row = tx.one("SELECT version, document FROM console_rules ORDER BY version DESC LIMIT 1")
    if row is None:
        print(DEFAULT_RULES.read_text(encoding="utf-8"), end="")
    else:
        print(str(row[1]), end="")
    return 0
