"""``inspector-central enterprise …``: access codes, phones, complaints, ratings (for the office).

* ``rotate-code --uscc U`` — a new access code made here; prints the letter for the
  legal representative; the previous code stops working.
* ``register-code FILE`` — import the registration the poster command wrote (signed
  by an issuer key of the ``issuer_keys`` feed).
* ``set-phone --uscc U --phone P`` — the phone told of new visits.
* ``complaints [--state S] [--json]`` and ``handle-complaint --number N --actor A
  --state S [--note T]`` — the oversight office's queue until the console has it.
* ``ratings --department D`` — what the department may see (aggregates over ≥ 5).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from inspector_central.storage import Database
from inspector_protocol.china_time import format_china
from inspector_protocol.enterprise_access import access_letter
from inspector_protocol.errors import UserError
from inspector_protocol.text import current_lang


def register_enterprise_commands(commands: Any,
                                 open_database: Callable[[argparse.Namespace], Database]) -> None:
    parser = commands.add_parser("enterprise", help="the enterprise's side: access codes, phones, "
                                 "complaints and ratings (docs/enterprise.md)")
    actions = parser.add_subparsers(dest="enterprise_action", required=True, metavar="ACTION")

    rotate = actions.add_parser("rotate-code", help="a new access code for an enterprise's archive "
                                "(prints the letter; the old code stops working)")
    rotate.add_argument("--uscc", required=True)
    rotate.set_defaults(handler=lambda a: _rotate(a, open_database(a)))

    register = actions.add_parser("register-code", help="import an access-code registration "
                                  "signed by an issuer key (written by 'inspector qr poster')")
    register.add_argument("file", type=Path)
    register.set_defaults(handler=lambda a: _register(a, open_database(a)))

    phone = actions.add_parser("set-phone", help="the phone told of each visit that reaches here")
    phone.add_argument("--uscc", required=True)
    phone.add_argument("--phone", required=True)
    phone.set_defaults(handler=lambda a: _set_phone(a, open_database(a)))

    listing = actions.add_parser("complaints", help="complaints for the oversight office")
    listing.add_argument("--state", default=None,
                         choices=("received", "in_review", "resolved", "dismissed"))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=lambda a: _complaints(a, open_database(a)))

    handle = actions.add_parser("handle-complaint", help="move a complaint on, with who and why")
    handle.add_argument("--number", required=True)
    handle.add_argument("--actor", required=True, help="who handles it (recorded)")
    handle.add_argument("--state", required=True, choices=("in_review", "resolved", "dismissed"))
    handle.add_argument("--note", default=None)
    handle.set_defaults(handler=lambda a: _handle(a, open_database(a)))

    summary = actions.add_parser("ratings", help="a department's rating summary (what the "
                                 "department may see: aggregates over at least 5 ratings)")
    summary.add_argument("--department", required=True)
    summary.add_argument("--json", action="store_true")
    summary.set_defaults(handler=lambda a: _ratings(a, open_database(a)))


def _refused(exc: UserError) -> int:
    print(exc.text.render(current_lang()), file=sys.stderr)
    return 1


def _rotate(args: argparse.Namespace, database: Database) -> int:
    from inspector_central.enterprise.access import rotate_code
    from inspector_central.signing import now_ms

    try:
        code = rotate_code(database, args.uscc, now_ms())
    except UserError as exc:
        return _refused(exc)
    print(access_letter(args.uscc.strip().upper(), code))
    return 0


def _register(args: argparse.Namespace, database: Database) -> int:
    from inspector_central.enterprise.access import register_code

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        uscc = register_code(database, data)
    except UserError as exc:
        return _refused(exc)
    print(f"access code registered for {uscc}; any earlier code no longer works")
    return 0


def _set_phone(args: argparse.Namespace, database: Database) -> int:
    from inspector_central.enterprise.access import set_phone
    from inspector_central.signing import now_ms

    try:
        with database.transaction() as tx:
            set_phone(tx, args.uscc, args.phone, now_ms())
    except UserError as exc:
        return _refused(exc)
    print("phone registered")
    return 0


def _complaints(args: argparse.Namespace, database: Database) -> int:
    from inspector_central.enterprise.complaints import complaints_for_oversight

    with database.transaction(write=False) as tx:
        found = complaints_for_oversight(tx, args.state)
    for c in found:
        if args.json:
            print(json.dumps(asdict(c), ensure_ascii=False))
        else:
            print(f"{c.number}  {format_china(c.created_ms)}  {c.state}  {c.category}  "
                  f"{c.enterprise}  {c.department or '-'}  {c.body[:60]}")
    return 0


def _handle(args: argparse.Namespace, database: Database) -> int:
    from inspector_central.enterprise.complaints import handle_complaint, normalise_tracking_number
    from inspector_central.signing import now_ms

    number = normalise_tracking_number(args.number) or args.number
    try:
        with database.transaction() as tx:
            done = handle_complaint(tx, number, args.actor, args.state, args.note, now_ms())
    except UserError as exc:
        return _refused(exc)
    print(f"{done.number}: {done.state}")
    return 0


def _ratings(args: argparse.Namespace, database: Database) -> int:
    from inspector_central.enterprise.ratings import department_rating_summary

    with database.transaction(write=False) as tx:
        summary = department_rating_summary(tx, args.department)
    if args.json:
        print(json.dumps(asdict(summary), ensure_ascii=False))
    elif summary.status == "too_few":
        print(f"{summary.department}: too few anonymous ratings to show (fewer than 5)")
    else:
        print(f"{summary.department}: {summary.count} anonymous ratings, mean {summary.mean}, "
              f"median {summary.median}")
    if not args.json and summary.tablet_count:
        print(f"given in front of the officer (a separate number): {summary.tablet_count}, "
              f"mean {summary.tablet_mean}")
    return 0
