"""``inspector officer add|list``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector_app.cli.common import emit_json, read_passphrase, say, workspace
from inspector_app.services.officer_enrolment import enrol_officer, list_officers
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text


def register(subparsers: Any) -> None:
    officer = subparsers.add_parser("officer", help="enrol and list officers on this device")
    actions = officer.add_subparsers(dest="officer_action", required=True)
    add = actions.add_parser("add", help="enrol an officer: make and wrap their signing key")
    add.add_argument("--id", required=True, dest="credential", help="credential number 执法证号")
    add.add_argument("--name", required=True)
    add.add_argument("--department", default=None,
                     help="department id (default: from the profile, else its first department)")
    add.add_argument("--activation-code-file", type=Path, default=None, metavar="FILE",
                     help="a file holding the one-time activation code from department IT "
                          "(without it, the key is not activated at the centre)")
    add.set_defaults(handler=run_add)
    listing = actions.add_parser("list", help="officers enrolled or provisioned")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_list)


def run_add(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        passphrase = read_passphrase(args, confirm=True, credential=args.credential)
        event = enrol_officer(ws, args.credential, args.name, passphrase, args.department,
                              activation_code=_activation_code(args.activation_code_file))
    say(Text("已登记执法人员 {name}（{c}），签名密钥 {key}。",
             "Enrolled officer {name} ({c}), signing key {key}.")
        .format(name=args.name, c=args.credential, key=event.key_id))
    return 0


def _activation_code(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(Text("无法读取激活码文件 {p}：{e}", "Cannot read the activation code file "
                             "{p}: {e}").format(p=str(path), e=str(exc)),
                        code="officer.activation_file") from None


def run_list(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        officers = list_officers(ws)
        names = {d.id: d.name for d in ws.profile.departments}
    if args.json:
        emit_json([
            {"credential": o.credential, "name": o.name, "department": o.department,
             "enrolled": o.key_id is not None, "key_id": o.key_id, "in_profile": o.in_profile}
            for o in officers
        ])
        return 0
    for o in officers:
        dept = names[o.department] if o.department in names else Text(o.department,
                                                                                 o.department)
        state = (Text("已登记", "enrolled") if o.key_id else Text("未登记", "not enrolled"))
        say(Text("{c}  {name}  {dept}  {state}", "{c}  {name}  {dept}  {state}")
            .format(c=o.credential, name=o.name, dept=dept, state=state))
    return 0
