"""The enterprise's access code (一企一档) and the issuer's registration of it.

The legal representative gets the code on a letter printed apart from the gate
poster; with it, ``/enterprise`` on the central endpoint shows every visit to
the enterprise.  The code is 16 characters of a 30-symbol alphabet without
look-alikes (0/O, 1/I/L, U), about 78 random bits, printed in groups of four.
At that strength one SHA-256 (domain-tagged) is as hard to reverse as a
password hash would be, and costs the server nothing per attempt: the centre
stores only :func:`access_code_hash` and looks the code up by it.

The issuer (who holds the key that signs the enterprise's QY1 poster) makes
both at once; the centre learns the hash from a **registration**, a canonical
JSON statement signed by that issuer key (tag ``ENTERPRISE_ACCESS``)::

    {"code_hash": <hex>, "issued_ms": <int>, "issuer_key": <key id>,
     "phone": <text or null>, "type": "enterprise_access", "uscc": <USCC>, "v": 1}

written as ``{"statement": <the canonical JSON text>, "sig": <base64>}``.  The
centre accepts it only under an issuer key of its ``issuer_keys`` feed that is
not revoked, and only if it is newer than the registration it holds, so a
replayed old file cannot bring an old code back.  A tablet holds no issuer
key, so a tablet cannot forge one (``docs/trust-model.md``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from inspector_protocol import keys, tags
from inspector_protocol.canonical import canonical_bytes
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text
from inspector_protocol.uscc import parse_uscc

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 16
STATEMENT_TYPE = "enterprise_access"
MAX_FILE_BYTES = 4096


def new_access_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_CHARS))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_CHARS, 4))


def normalise_access_code(text: str) -> str | None:
    """The code's 16 characters from what a person typed; None if it cannot be one."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(compact) != CODE_CHARS or any(ch not in ALPHABET for ch in compact):
        return None
    return compact


def access_code_hash(code: str) -> str:
    compact = normalise_access_code(code)
    if compact is None:
        raise ValueError("not an access code")
    return hashlib.sha256(tags.ENTERPRISE_ACCESS_HASH.value + compact.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class AccessRegistration:
    uscc: str
    code_hash: str
    issued_ms: int
    issuer_key: str
    phone: str | None


def sign_registration(registration: AccessRegistration, sign: Any) -> bytes:
    """The registration file's bytes, signed by ``sign`` (the issuer key's sign method)."""
    raw = canonical_bytes({"v": 1, "type": STATEMENT_TYPE, "uscc": registration.uscc,
                           "code_hash": registration.code_hash,
                           "issued_ms": registration.issued_ms,
                           "issuer_key": registration.issuer_key, "phone": registration.phone})
    signature = sign(tags.ENTERPRISE_ACCESS.value + raw)
    return json.dumps({"statement": raw.decode("utf-8"), "sig": keys.b64encode(signature)},
                      ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


_BAD = Text("这不是有效的企业查询码登记文件。", "This is not a valid access-code registration file.")


def read_registration(data: bytes) -> tuple[AccessRegistration, bytes, bytes]:
    """The registration, its signed bytes and signature (signature not checked here)."""
    if len(data) > MAX_FILE_BYTES:
        raise UserError(_BAD, code="access.malformed")
    try:
        outer = json.loads(data)
        raw = str(outer["statement"]).encode("utf-8")
        sig = keys.b64decode(str(outer["sig"]))
        body = json.loads(raw)
        registration = AccessRegistration(
            parse_uscc(str(body["uscc"])).value, str(body["code_hash"]), int(body["issued_ms"]),
            str(body["issuer_key"]), None if body.get("phone") is None else str(body["phone"]))
    except (ValueError, KeyError, TypeError, UserError):
        raise UserError(_BAD, code="access.malformed") from None
    if (body.get("v") != 1 or body.get("type") != STATEMENT_TYPE or canonical_bytes(body) != raw
            or len(registration.code_hash) != 64 or len(sig) != 64):
        raise UserError(_BAD, code="access.malformed")
    return registration, raw, sig


def access_letter(uscc: str, code: str) -> str:
    """The letter for the legal representative: printed apart from the poster, never on it."""
    return (f"企业档案查询码 · Enterprise archive access code\n\n"
            f"统一社会信用代码 USCC: {uscc}\n查询码 Access code: {code}\n\n"
            "请法定代表人妥善保管，勿张贴。凭此码在中心端 /enterprise 页面查看本企业的全部检查记录、"
            "整改要求、评价和投诉。换发新码后，旧码立即失效。\n"
            "For the legal representative; do not post it. It opens /enterprise on the central "
            "endpoint: every visit, rectification, rating and complaint. A new code replaces this "
            "one at once.\n")
