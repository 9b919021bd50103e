"""``inspector draw verify FILE``: re-run a published double-random draw offline.

Works on any computer: no ledger is needed.  Where this device is enrolled, the
signatures must also be the pinned central endpoint's; ``--server-key`` names
the key explicitly.  Exit codes are in ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
from pathlib import Path
from typing import Any, Literal

from inspector_app.cli.common import emit_json, lang, say
from inspector_app.cli.exit_codes import ExitCode
from inspector_protocol import keys
from inspector_protocol.draws import (
    MAX_EXPORT_BYTES,
    DrawExport,
    DrawFormatError,
    DrawVerification,
    parse_export,
    verify_draw,
)
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

KeySource = Literal["given", "pinned", "file"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("draw", help="double-random draws (双随机抽查)")
    commands = parser.add_subparsers(dest="draw_command", metavar="DRAW_COMMAND", required=True)
    verify = commands.add_parser(
        "verify", help="re-run a published draw and check that its result follows from its "
                       "commitment")
    verify.add_argument("file", type=Path, metavar="FILE", help="the draw file (draw export, or "
                        "GET /v1/draws/ID)")
    verify.add_argument("--json", action="store_true")
    verify.add_argument("--server-key", default=None, metavar="KEY",
                        help="the central endpoint's public key (base64 or hex of the raw "
                             "Ed25519 key); default: the key pinned at enrolment, if any")
    verify.add_argument("--commitment", default=None, metavar="HASH",
                        help="the commitment digest noted when the draw was published (at least "
                             "its first 16 hex digits)")
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    export = _read(args.file)
    trusted, source = _trusted_key(args)
    verification = verify_draw(export, trusted, known_commitment=_commitment(args.commitment))
    if args.json:
        emit_json(_to_json(verification, export, source))
    else:
        _print(verification, source)
    if verification.state == "verified":
        return int(ExitCode.OK)
    if verification.state == "not_run":
        return int(ExitCode.REFUSED)
    return int(ExitCode.INTEGRITY)


def _read(path: Path) -> DrawExport:
    with path.open("rb") as handle:
        raw = handle.read(MAX_EXPORT_BYTES + 1)
    try:
        return parse_export(raw)
    except DrawFormatError as exc:
        raise UserError(Text("无法核验 {f}：{err}", "Cannot verify {f}: {err}").format(
            f=path.name, err=exc.text), code=exc.code) from None


def _trusted_key(args: argparse.Namespace) -> tuple[bytes | None, KeySource]:
    if args.server_key is not None:
        return _parse_key(args.server_key), "given"
    pinned = _pinned_key(args)
    return (pinned, "pinned") if pinned is not None else (None, "file")


def _commitment(text: str | None) -> str | None:
    if text is None:
        return None
    value = text.strip().lower()
    if not 16 <= len(value) <= 64 or any(c not in "0123456789abcdef" for c in value):
        raise UserError(Text("--commitment 应为承诺摘要（十六进制，至少前 16 位）",
                             "--commitment must be the commitment digest (hex, at least its first "
                             "16 digits)"), code="draw.bad_commitment")
    return value


def _parse_key(text: str) -> bytes:
    value = text.strip()
    try:
        raw = bytes.fromhex(value) if len(value) == 64 else base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != 32:
        raise UserError(Text("--server-key 应为中心端 Ed25519 公钥（32 字节）的 base64 或十六进制",
                             "--server-key must be the central endpoint's Ed25519 public key "
                             "(32 bytes) in base64 or hex"), code="draw.bad_key")
    return raw


def _pinned_key(args: argparse.Namespace) -> bytes | None:
    """The key pinned when this device enrolled; none on a computer without a ledger."""
    from inspector_app.platform.settings import resolve_data_dir
    from inspector_app.services.workspace import is_initialised, open_workspace
    from inspector_app.sync.state import SyncStore

    folder = resolve_data_dir(args.data_dir)
    if not is_initialised(folder):
        return None
    with open_workspace(folder) as ws:
        enrolment = SyncStore(ws.ledger).enrolment()
    return None if enrolment is None else enrolment.server_public_key


_KEY_WORDS: dict[KeySource, Text] = {
    "given": Text("命令行给出的中心端密钥 {key}", "the central key {key} given on the command line"),
    "pinned": Text("本机注册时固定的中心端密钥 {key}", "the central key {key} pinned at enrolment"),
    "file": Text("文件自带的密钥 {key}（本机未固定中心端密钥：只说明文件自身一致，不能证明由中心端签发；"
                 "请用 --server-key 指定）",
                 "the key {key} inside the file (no central key is pinned here: this shows the "
                 "file is consistent with itself, not that the centre signed it; name the key with "
                 "--server-key)"),
}


def _print(verification: DrawVerification, source: KeySource) -> None:
    commitment, result = verification.commitment, verification.result
    title = f" “{commitment.title}”" if commitment is not None and commitment.title else ""
    where = dict(id=verification.draw_id, title=title)
    if verification.state == "verified":
        assert result is not None
        say(Text("抽查 {id}{title}：核验通过。公布的结果可由承诺的密钥、公开随机数和名录重算得出"
                 "（{n} 家企业逐位一致）。",
                 "Draw {id}{title}: verified. The published result follows from the committed "
                 "secret, the beacon and the pools ({n} enterprises, every position the same).")
            .format(**where, n=len(result.tasks)))
    elif verification.state == "not_run":
        say(Text("抽查 {id}{title} 尚未开奖：承诺与公布的名录一致；开奖后可重算核验。",
                 "Draw {id}{title} has not been run yet: the commitment matches the published "
                 "pools; re-run it once the result is published.").format(**where))
    else:
        say(Text("抽查 {id}{title}：核验失败，发现 {n} 处问题：",
                 "Draw {id}{title}: verification FAILED, {n} problem(s):")
            .format(**where, n=len(verification.problems)))
        for problem in verification.problems:
            print(f"  - {problem.text.render(lang())} [{problem.code}]")
    say(Text("签名核验所用密钥：{key}", "Signatures checked with {key}").format(
        key=_KEY_WORDS[source].format(key=verification.server_key_id)))
    if commitment is not None:
        beacon = result.beacon if result is not None else None
        if beacon is None:
            say(Text("公开随机数来源：{source}", "Beacon source: {source}").format(
                source=commitment.beacon_source))
        else:
            say(Text("公开随机数“{beacon}”，来源：{source}。本程序无法离线核实该值，请对照该来源自行核对。",
                     "Beacon \"{beacon}\" from: {source}. This program cannot check that value "
                     "offline: compare it with the named source yourself.").format(
                beacon=beacon, source=commitment.beacon_source))


def _to_json(verification: DrawVerification, export: DrawExport,
             source: KeySource) -> dict[str, Any]:
    commitment, result = verification.commitment, verification.result
    return {
        "draw_id": verification.draw_id,
        "state": verification.state,
        "verified": verification.state == "verified",
        "problems": [{"code": p.code, "message": p.text.render(lang()), "position": p.position}
                     for p in verification.problems],
        "server_key": {"key_id": verification.server_key_id, "source": source,
                       "file_key_id": keys.key_id(base64.b64decode(export.server_public_key))},
        "beacon": {"source": None if commitment is None else commitment.beacon_source,
                   "value": None if result is None else result.beacon},
        "tasks": None if verification.expected is None
        else [t.model_dump() for t in verification.expected],
    }
