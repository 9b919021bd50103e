"""``inspector qr``: issue, check and print enterprise QR codes (the issuer's side)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector_protocol.errors import UserError
from inspector_protocol.text import Text, current_lang

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from inspector_app.profile import Profile

DEFAULT_VALIDITY_DAYS = 730


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("qr", help="issue and check enterprise QR codes (企业码)")
    commands = parser.add_subparsers(dest="qr_command", metavar="QR_COMMAND", required=True)

    issue = commands.add_parser("issue", help="print a signed enterprise code")
    _issuing_arguments(issue)
    issue.set_defaults(handler=run_issue)

    poster = commands.add_parser("poster", help="write the A4 gate poster (PDF and PNG)")
    _issuing_arguments(poster)
    poster.add_argument("--out", type=Path, default=Path("."), metavar="DIR",
                        help="folder for <USCC>.pdf and <USCC>.png (default: here)")
    poster.add_argument("--phone", default=None,
                        help="the enterprise's phone for visit notifications (goes into the "
                             "access-code registration)")
    poster.set_defaults(handler=run_poster)

    verify = commands.add_parser("verify", help="check a scanned code's text offline")
    verify.add_argument("text")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(handler=run_verify)


def _issuing_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", type=Path, required=True, metavar="FILE",
                        help="the issuer's Ed25519 private key (PKCS#8 PEM); it stays with you")
    parser.add_argument("--key-id", default=None,
                        help="issuer key id (default: the profile key matching --key)")
    parser.add_argument("--uscc", required=True, help="the enterprise's USCC")
    parser.add_argument("--name", default=None,
                        help="enterprise name (default: from the profile's registry)")
    parser.add_argument("--validity-days", type=int, default=DEFAULT_VALIDITY_DAYS)


def _profile(args: argparse.Namespace) -> Profile:
    from inspector_app.platform.settings import resolve_data_dir
    from inspector_app.services.workspace import load_active_profile

    return load_active_profile(resolve_data_dir(args.data_dir))


def _trusted_profile(args: argparse.Namespace) -> Profile:
    """For verifying: issuer keys from the profile and from sync, revocations included."""
    from inspector_app.platform.settings import resolve_data_dir
    from inspector_app.services.code_trust import trusted_profile_for

    return trusted_profile_for(resolve_data_dir(args.data_dir))


def _issue(args: argparse.Namespace, now: datetime) -> tuple[str, str, str, str]:
    """(code text, USCC, name, key id) from the issuing arguments."""
    from inspector_app.scanning.issuing import issue_enterprise_code, load_issuer_key
    from inspector_protocol.uscc import parse_uscc

    profile = _profile(args)
    uscc = parse_uscc(args.uscc)
    key = load_issuer_key(args.key)
    key_id = args.key_id or _key_id_for(key, profile)
    record = profile.enterprise(uscc)
    name = args.name or (record.name if record else None)
    if name is None:
        raise UserError(
            Text("部门配置中没有企业 {uscc}，请用 --name 给出企业名称",
                 "Enterprise {uscc} is not in the profile; give its name with --name")
            .format(uscc=uscc),
            code="qr.unknown_enterprise",
        )
    text = issue_enterprise_code(uscc, name, key_id=key_id, private_key=key, issued_at=now,
                                 validity_days=args.validity_days)
    return text, uscc.value, name, key_id


def _key_id_for(key: Ed25519PrivateKey, profile: Profile) -> str:
    public = key.public_key().public_bytes_raw()
    for issuer_key in profile.issuer_keys:
        if issuer_key.public_key == public and not issuer_key.revoked:
            return issuer_key.key_id
    raise UserError(
        Text("该私钥不对应部门配置中任何有效的签发密钥；请用 --key-id 指定编号",
             "This key matches no live issuer key in the profile; name it with --key-id"),
        code="qr.key_not_in_profile",
    )


def run_issue(args: argparse.Namespace) -> int:
    text, *_ = _issue(args, datetime.now(UTC))
    print(text)
    return 0


def run_poster(args: argparse.Namespace) -> int:
    from inspector_app.scanning.poster import PosterContent, write_pdf, write_png

    now = datetime.now(UTC)
    text, uscc, name, key_id = _issue(args, now)
    profile = _profile(args)
    content = PosterContent(text, name, uscc, f"{profile.name.zh} · {key_id}",
                            profile.reporting_phone,
                            now + timedelta(days=args.validity_days))
    args.out.mkdir(parents=True, exist_ok=True)
    pdf, png = args.out / f"{uscc}.pdf", args.out / f"{uscc}.png"
    write_pdf(content, pdf)
    write_png(content, png)
    print(pdf)
    print(png)
    for written in _access_code(args, uscc, now):
        print(written)
    return 0


def _access_code(args: argparse.Namespace, uscc: str, now: datetime) -> list[Path]:
    """The archive access code: a letter of its own (never on the poster) and the registration
    the centre imports (``inspector-central enterprise register-code``), signed by the issuer."""
    from inspector_app.scanning.issuing import load_issuer_key
    from inspector_protocol import keys
    from inspector_protocol.enterprise_access import (
        AccessRegistration,
        access_code_hash,
        access_letter,
        new_access_code,
        sign_registration,
    )
    from inspector_protocol.private_files import create_private_file

    key = load_issuer_key(args.key)
    code = new_access_code()
    # The centre's issuer_keys feed names a key by its own id (keys.key_id), not the label
    # the profile gives it.
    registration = AccessRegistration(uscc, access_code_hash(code), int(now.timestamp() * 1000),
                                      keys.key_id(key.public_key().public_bytes_raw()),
                                      args.phone.strip() if args.phone else None)
    letter, signed = args.out / f"{uscc}-access-letter.txt", args.out / f"{uscc}-access.json"
    for path, data in ((letter, access_letter(uscc, code).encode("utf-8")),
                       (signed, sign_registration(registration, key.sign))):
        create_private_file(path)
        path.write_bytes(data)
    return [letter, signed]


def run_verify(args: argparse.Namespace) -> int:
    from inspector_app.scanning.classify import classify

    verdict = classify(args.text, _trusted_profile(args), datetime.now(UTC))
    if args.json:
        print(json.dumps(verdict.to_json(), ensure_ascii=False))
    else:
        who = " ".join(x for x in (verdict.name, verdict.uscc) if x)
        print(f"[{verdict.kind}/{verdict.status}] {who} — "
              f"{verdict.reason.text.render(current_lang())}")
    return 0 if verdict.status != "rejected" else 1
