"""``inspector-central``: run the endpoint and administer it.

Every command takes ``--data-dir`` (SQLite, the default) or ``--database-url``
(PostgreSQL); several ``serve`` processes may share one database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inspector_central import settings
from inspector_central.storage import Database
from inspector_protocol.china_time import china_isoformat
from inspector_protocol.terminal import safe_terminal


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="inspector-central",
                                     description="The reference central endpoint of the inspector")
    settings.add_options(parser, "global")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the HTTP endpoint")
    settings.add_options(serve, "serve")
    serve.set_defaults(handler=run_serve)

    key = commands.add_parser("server-key", help="the server's signing key in a file of its own")
    key.add_argument("action", choices=("new", "export"),
                     help="new: make a new key in FILE; export: move the database's key to FILE")
    key.add_argument("--out", type=Path, required=True, metavar="FILE")
    key.set_defaults(handler=run_server_key)

    code = commands.add_parser("enrolment-code", help="print a one-time enrolment code for a device")
    code.add_argument("--device", required=True, metavar="NAME", help="a name for the tablet")
    code.add_argument("--valid-days", type=int, default=7)
    code.set_defaults(handler=run_enrolment_code)

    visits = commands.add_parser("visits", help="visits held here, with their verification state")
    visits.add_argument("--json", action="store_true")
    visits.set_defaults(handler=run_visits)

    alarms = commands.add_parser("alarms", help="tamper alarms with their evidence")
    alarms.add_argument("--json", action="store_true")
    alarms.add_argument("--device", default=None)
    alarms.set_defaults(handler=run_alarms)

    revoke = commands.add_parser(
        "revoke-officer", help="withdraw an officer: their codes fail the public verification page")
    revoke.add_argument("--credential", required=True, help="credential number 执法证号")
    revoke.add_argument("--reason", required=True)
    revoke.set_defaults(handler=run_revoke_officer)

    bundle = commands.add_parser(
        "import-bundle", help="import a tablet's bundle (inspector export --format bundle)")
    bundle.add_argument("file", type=Path)
    bundle.add_argument("--device-name", default=None,
                        help="a name for the tablet if this server does not know it yet")
    bundle.add_argument("--json", action="store_true")
    bundle.set_defaults(handler=run_import_bundle)

    feed = commands.add_parser("feed-import", help="add documents to a feed the tablets pull")
    feed.add_argument("--feed", required=True, choices=("registry", "templates", "issuer_keys"))
    feed.add_argument("file", type=Path, help="a JSON array, or JSON lines")
    feed.set_defaults(handler=run_feed_import)

    from inspector_central.draw_commands import register_draw_commands

    register_draw_commands(commands, open_database)
    return parser


def open_database(args: argparse.Namespace) -> Database:
    chosen = settings.load(args)
    if not chosen.database_url:
        _make_private(chosen.data_dir)
    return Database.open(data_dir=None if chosen.database_url else chosen.data_dir,
                         database_url=chosen.database_url,
                         sqlite_busy_timeout_ms=chosen.sqlite_busy_timeout_ms)


def _make_private(folder: Path) -> None:
    """The data folder 0700 and its files 0600 (the database holds the server key unless
    ``--server-key-file`` keeps it apart): repaired with a message, or refused."""
    from inspector_central.storage import SQLITE_FILE
    from inspector_protocol.private_files import create_private_file, secure_folder
    from inspector_protocol.text import current_lang

    for repaired in secure_folder(folder):
        print(repaired.text().render(current_lang()), file=sys.stderr)
    create_private_file(folder / SQLITE_FILE)


def server_key_of(args: argparse.Namespace, database: Database) -> Any:
    """The deployment's key: ``--server-key-file`` (or its variable) if given, else the database's."""
    from inspector_central.signing import server_key

    return server_key(database, settings.load(args).server_key_file)


def run_serve(args: argparse.Namespace) -> int:
    from inspector_central.app import create_app
    from inspector_central.server import ServeLimits, serve

    chosen = settings.load(args)
    database = open_database(args)
    limits = ServeLimits(header_timeout_s=chosen.header_timeout, body_timeout_s=chosen.body_timeout,
                         keep_alive_timeout_s=chosen.keep_alive_timeout,
                         max_connections=chosen.max_connections)
    app = create_app(database, server_key_of(args, database), body_timeout_s=limits.body_timeout_s)
    serve(app, chosen.host, chosen.port, limits)
    return 0


def run_server_key(args: argparse.Namespace) -> int:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from inspector_central.signing import ServerKey, export_server_key, write_server_key_file

    if args.out.exists():
        print(f"{args.out} exists; a key file is never overwritten", file=sys.stderr)
        return 1
    if args.action == "new":
        key = Ed25519PrivateKey.generate()
        write_server_key_file(args.out, key)
        print(f"new server key {ServerKey.of(key).key_id} written to {args.out}")
    else:
        exported = export_server_key(open_database(args), args.out)
        print(f"server key {exported.key_id} moved to {args.out}; the database no longer holds "
              "it: start every process with --server-key-file")
    return 0


def run_enrolment_code(args: argparse.Namespace) -> int:
    from inspector_central.enrolment import create_code

    name = args.device.strip()
    if not name or len(name) > 100 or not 1 <= args.valid_days <= 90:
        print("the device name must be 1-100 characters and --valid-days 1-90", file=sys.stderr)
        return 2
    print(create_code(open_database(args), name, ttl_ms=args.valid_days * 86_400_000))
    return 0


def run_visits(args: argparse.Namespace) -> int:
    from inspector_central.visits import list_visits

    rows = list_visits(open_database(args))
    if args.json:
        print(json.dumps([r.to_json() for r in rows], ensure_ascii=False))
        return 0
    for r in rows:
        minutes = "-" if r.duration_s is None else f"{r.duration_s // 60}min"
        print(f"{r.visit_id[:8]}  {_when(r.checked_in_ms)}  {r.enterprise}  {r.department}  "
              f"{r.kind}  {minutes}  {r.state}  {r.events} events  {r.verification}")
    return 0


def run_alarms(args: argparse.Namespace) -> int:
    from inspector_central.alarms import list_alarms

    alarms = list_alarms(open_database(args), args.device)
    if args.json:
        print(json.dumps([a.to_json() for a in alarms], ensure_ascii=False))
        return 0
    for a in alarms:
        where = "" if a.seq is None else f" at event {a.seq}"
        print(f"#{a.id}  {_when(a.detected_ms)}  {a.device}  {a.kind}{where}")
    return 0


def run_revoke_officer(args: argparse.Namespace) -> int:
    from inspector_central.verification import revoke_officer

    credential, reason = args.credential.strip(), args.reason.strip()
    if not 0 < len(credential) <= 64 or not 0 < len(reason) <= 500:
        print("the credential must be 1-64 characters and the reason 1-500", file=sys.stderr)
        return 2
    revoke_officer(open_database(args), credential, reason)
    print(f"officer {credential} withdrawn")
    return 0


def run_import_bundle(args: argparse.Namespace) -> int:
    """Exit 0: every event imported or already held; 1: nothing imported (unreadable bundle,
    another device key); 3: imported, but events were refused or the bundle is not intact."""
    from inspector_central.bundles import import_bundle
    from inspector_protocol.bundle import BundleError
    from inspector_protocol.text import current_lang

    database = open_database(args)
    try:
        report = import_bundle(database, server_key_of(args, database), args.file,
                               args.device_name)
    except (BundleError, OSError) as exc:
        print(exc.text.render(current_lang()) if isinstance(exc, BundleError) else str(exc),
              file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.to_json(current_lang()), ensure_ascii=False))
    else:
        print(f"{report.device}: {report.events} events, {report.accepted} imported, "
              f"{report.duplicate} already held, {len(report.refused)} refused"
              + (" (device enrolled from the bundle)" if report.enrolled_device else ""))
        for refused in report.refused:
            print(f"event #{refused.index + 1} refused: {refused.outcome}", file=sys.stderr)
        for problem in report.problems:
            print(problem.render(current_lang()), file=sys.stderr)
    return 0 if report.clean else 3


def run_feed_import(args: argparse.Namespace) -> int:
    from inspector_central.feed_documents import FeedDocumentError, read_documents
    from inspector_central.feeds import put_documents, template_conflicts

    try:
        documents = read_documents(args.feed, args.file)
    except FeedDocumentError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    database = open_database(args)
    conflicts = template_conflicts(database, documents) if args.feed == "templates" else []
    if conflicts:
        print(f"refused: {', '.join(conflicts)} reuse(s) a version already published with other "
              "content; a changed template needs a new version", file=sys.stderr)
        return 1
    count = put_documents(database, args.feed, documents)
    print(f"{count} {args.feed} documents imported")
    return 0


def _when(ms: int) -> str:
    return china_isoformat(ms, timespec="minutes")


def main(argv: Sequence[str] | None = None) -> int:
    from inspector_protocol.errors import InspectorError
    from inspector_protocol.text import current_lang

    # The database, the key file and whatever else is written here: this user's only.
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    handler: Any = args.handler
    with safe_terminal():  # device-supplied text is printed by visits and alarms
        try:
            return int(handler(args))
        except settings.SettingsError as exc:
            print(exc, file=sys.stderr)
            return 2
        except InspectorError as exc:
            print(exc.render(current_lang()), file=sys.stderr)
            return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
