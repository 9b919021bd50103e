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
    visits.add_argument("--evidence", action="store_true",
                        help="also each visit's photos: received, partial or missing")
    visits.set_defaults(handler=run_visits)

    alarms = commands.add_parser("alarms", help="tamper alarms with their evidence")
    alarms.add_argument("--json", action="store_true")
    alarms.add_argument("--device", default=None)
    alarms.set_defaults(handler=run_alarms)

    revoke = commands.add_parser(
        "revoke-officer", help="withdraw an officer from now on: their later events are refused, "
        "their codes fail the public verification page, tablets stop signing them in")
    revoke.add_argument("--credential", required=True, help="credential number 执法证号")
    revoke.add_argument("--reason", required=True)
    revoke.set_defaults(handler=run_revoke_officer)

    revoke_device = commands.add_parser(
        "revoke-device", help="revoke a tablet from now on: its token stops working and its "
        "later events are refused")
    revoke_device.add_argument("--device", required=True, help="the device id")
    revoke_device.add_argument("--reason", required=True)
    revoke_device.set_defaults(handler=run_revoke_device)

    officer = commands.add_parser("officer", help="the roster: officers and their activation codes")
    actions = officer.add_subparsers(dest="officer_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="put an officer on the roster and print a one-time "
                             "activation code for their enrolment on a tablet")
    add.add_argument("--credential", required=True, help="credential number 执法证号")
    add.add_argument("--name", required=True)
    add.add_argument("--department", required=True, help="department id, as in the profile")
    add.set_defaults(handler=run_officer_add)
    code = actions.add_parser("activation-code", help="another activation code for an officer "
                              "on the roster (a second tablet, a lost sheet)")
    code.add_argument("--credential", required=True)
    code.set_defaults(handler=run_officer_code)
    listing = actions.add_parser("list", help="the roster, with withdrawn officers and key counts")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_officer_list)
    withdraw = actions.add_parser("withdraw", help="the same as revoke-officer")
    withdraw.add_argument("--credential", required=True)
    withdraw.add_argument("--reason", required=True)
    withdraw.set_defaults(handler=run_revoke_officer)

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

    from inspector_central.provisioning_commands import register_provisioning_commands

    register_provisioning_commands(commands)

    demo = commands.add_parser(
        "demo-data", help="write a generated district (enterprises, officers, tablets and their "
        "signed visits, ingested as if synced) for the console and its benchmarks; Longhua's "
        "numbers by default")
    demo.add_argument("--enterprises", type=int, default=284_316, metavar="N")
    demo.add_argument("--visits", type=int, default=180_000, metavar="M",
                      help="visits in all, enforcement and non-enforcement (default 180000)")
    demo.add_argument("--days", type=int, default=730, metavar="D",
                      help="the days the visits spread over, ending yesterday (default 730)")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    demo.add_argument("--until", default=None, metavar="YYYY-MM-DD",
                      help="the day after the last visit day (default: today, China time)")
    demo.add_argument("--database", default=None, metavar="URL",
                      help="a PostgreSQL URL (the same as the global --database-url)")
    demo.add_argument("--json", action="store_true")
    demo.set_defaults(handler=run_demo_data)

    from inspector_central.draw_commands import register_draw_commands

    register_draw_commands(commands, open_database)
    from inspector_central.enterprise.commands import register_enterprise_commands

    register_enterprise_commands(commands, open_database)
    from inspector_central.console.commands import register_console_commands

    register_console_commands(commands, open_database)
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

    database = open_database(args)
    rows = list_visits(database)
    evidence = {}
    if args.evidence:
        from inspector_central.photos import evidence_by_visit

        evidence = evidence_by_visit(database)
    if args.json:
        print(json.dumps([{**r.to_json(), **({"evidence": [
            p.to_json() for p in evidence.get(r.visit_id, [])]} if args.evidence else {})}
            for r in rows], ensure_ascii=False))
        return 0
    for r in rows:
        minutes = "-" if r.duration_s is None else f"{r.duration_s // 60}min"
        print(f"{r.visit_id[:8]}  {_when(r.checked_in_ms)}  {r.enterprise}  {r.department}  "
              f"{r.kind}  {minutes}  {r.state}  {r.events} events  {r.verification}")
        for photo in evidence.get(r.visit_id, []):
            size = "-" if photo.size is None else f"{photo.size} B"
            held = f" ({photo.held_bytes} B held)" if photo.state == "partial" else ""
            print(f"    photo {photo.sha256[:16]}  {size}  {photo.state}{held}")
    return 0


def run_alarms(args: argparse.Namespace) -> int:
    from inspector_central.alarms import list_alarms

    alarms = list_alarms(open_database(args), args.device)
    if args.json:
        print(json.dumps([a.to_json() for a in alarms], ensure_ascii=False))
        return 0
    for a in alarms:
        where = "" if a.seq is None else f" at event {a.seq}"
        times = "" if a.count == 1 else f"  x{a.count} (last {_when(a.last_ms or a.detected_ms)})"
        print(f"#{a.id}  {_when(a.detected_ms)}  {a.device}  {a.kind}{where}{times}")
    return 0


def run_revoke_officer(args: argparse.Namespace) -> int:
    from inspector_central.roster import withdraw_officer

    credential, reason = args.credential.strip(), args.reason.strip()
    if not 0 < len(credential) <= 64 or not 0 < len(reason) <= 500:
        print("the credential must be 1-64 characters and the reason 1-500", file=sys.stderr)
        return 2
    since = withdraw_officer(open_database(args), credential, reason)
    print(f"officer {credential} withdrawn from {_when(since)} (server time); "
          "events made later are refused")
    return 0


def run_revoke_device(args: argparse.Namespace) -> int:
    from inspector_central.roster import RosterError, revoke_device

    device, reason = args.device.strip(), args.reason.strip()
    if not 0 < len(device) <= 64 or not 0 < len(reason) <= 500:
        print("the device id must be 1-64 characters and the reason 1-500", file=sys.stderr)
        return 2
    try:
        since = revoke_device(open_database(args), device, reason)
    except RosterError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"device {device} revoked from {_when(since)} (server time): its token no longer "
          "works and events it made later are refused")
    return 0


def run_officer_add(args: argparse.Namespace) -> int:
    from inspector_central.roster import RosterError, add_officer

    try:
        code = add_officer(open_database(args), args.credential.strip(), args.name.strip(),
                           args.department.strip())
    except RosterError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(code)
    return 0


def run_officer_code(args: argparse.Namespace) -> int:
    from inspector_central.roster import RosterError, issue_activation_code

    try:
        print(issue_activation_code(open_database(args), args.credential.strip()))
    except RosterError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def run_officer_list(args: argparse.Namespace) -> int:
    from inspector_central.roster import roster

    entries = roster(open_database(args))
    if args.json:
        print(json.dumps([e.to_json() for e in entries], ensure_ascii=False))
        return 0
    for e in entries:
        print(f"{e.credential}  {e.name or '-'}  {e.department or '-'}  {e.state}  "
              f"{e.activated_keys} activated key(s), {e.unactivated_keys} not activated")
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


def run_demo_data(args: argparse.Namespace) -> int:
    import datetime as dt

    from inspector_central.demo_data import Shape, generate
    from inspector_protocol.china_time import china_today

    if not (1 <= args.enterprises <= 5_000_000 and 0 <= args.visits <= 5_000_000
            and 15 <= args.days <= 3660):
        print("--enterprises 1-5000000, --visits 0-5000000, --days 15-3660", file=sys.stderr)
        return 2
    try:
        until = dt.date.fromisoformat(args.until) if args.until else china_today()
    except ValueError:
        print("--until must be a date, YYYY-MM-DD", file=sys.stderr)
        return 2
    if args.database:
        args.database_url = args.database
    database = open_database(args)
    with database.transaction(write=False) as tx:
        held = tx.one("SELECT COUNT(*) FROM devices")
    if held and int(held[0]):
        print("this database already holds devices; demo data goes into an empty one",
              file=sys.stderr)
        return 1
    shape = Shape(args.enterprises, args.visits, args.days, args.seed, until)
    summary = generate(database, server_key_of(args, database), shape,
                       progress=lambda line: print(line, file=sys.stderr))
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False))
    else:
        print(f"{summary.enterprises} enterprises, {summary.officers} officers on "
              f"{summary.devices} tablets, {summary.visits} visits ({summary.enforcement} "
              f"enforcement, {summary.warned} past the frequency rule), {summary.events} events "
              f"ingested, {summary.refused} refused, in {sum(summary.seconds.values()):.0f} s")
    return 0 if summary.refused == 0 else 3


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
            settings.use(settings.load(args))  # what ingest, alarms and limits read
            return int(handler(args))
        except settings.SettingsError as exc:
            print(exc, file=sys.stderr)
            return 2
        except InspectorError as exc:
            print(exc.render(current_lang()), file=sys.stderr)
            return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
