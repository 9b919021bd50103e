"""The officer credential code ``ZF1:`` (亮码入企): who is entering, and why, signed.

Shown on the tablet at the gate so the enterprise's guard can check the officer
and the visit.  The same text serves two readers: the guard's phone opens
``<verify_url>?code=<code>`` on the central endpoint (the query, unlike a URL
fragment, reaches the server, which checks the code against the officer keys it
holds), and any copy of this app verifies it offline against the officer's
enrolled public key.

Text form: ``ZF1:`` + base45 of::

     1  n + text: credential number (执法证号), UTF-8
     1  n + text: officer name
     1  n + text: department id
     1  n + text: visit kind id
     1  n + text: reason (事由), UTF-8, at most 120 bytes
     4  time, Unix seconds
    64  Ed25519 signature by the officer's key over tags.OFFICER_CREDENTIAL.value + the bytes above

It expires ``VALID_FOR`` after its time: a screenshot is useless the next day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from inspector_protocol import base45, tags
from inspector_protocol.reasons import Reason
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PREFIX = "ZF1:"
VALID_FOR = timedelta(hours=12)
MAX_FIELD_BYTES = 120
MAX_TEXT_CHARS = 600


@dataclass(frozen=True)
class OfficerCredential:
    credential: str
    name: str
    department: str
    visit_kind: str
    reason: str
    at: int


class CredentialRejected(Exception):
    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.code)
        self.reason = reason


MALFORMED = Reason("credential.malformed", Text("执法人员身份码格式错误或不完整",
                                                  "The officer code is malformed or incomplete"))
BAD_SIGNATURE = Reason("credential.bad_signature",
                       Text("执法人员身份码签名无效：内容被篡改或不是该执法人员签发",
                            "The officer code's signature is invalid: altered or not this officer's"))
EXPIRED = Reason("credential.expired", Text("执法人员身份码已过期，请执法人员重新出示",
                                              "The officer code has expired; ask for a fresh one"))
NOT_YET_VALID = Reason("credential.not_yet_valid",
                       Text("执法人员身份码时间在未来，请核对设备时间",
                            "The officer code is dated in the future; check the device clocks"))


def _field(value: str) -> bytes:
    raw = value.encode("utf-8")
    if not raw or len(raw) > MAX_FIELD_BYTES or not value.isprintable():
        raise ValueError(f"credential field is empty, too long or not printable: {value!r}")
    return bytes((len(raw),)) + raw


def _body(c: OfficerCredential) -> bytes:
    fields = (c.credential, c.name, c.department, c.visit_kind, c.reason)
    return b"".join(_field(f) for f in fields) + c.at.to_bytes(4, "big")


def issue_credential(credential: OfficerCredential, key: Ed25519PrivateKey) -> str:
    body = _body(credential)
    return PREFIX + base45.encode(body + key.sign(tags.OFFICER_CREDENTIAL.value + body))


def verification_link(verify_url: str, code: str) -> str:
    """The URL a guard's phone opens: the code in the query string, percent-encoded.

    ``+`` and space (both in the base45 alphabet) are escaped as well: a query
    string decodes a bare ``+`` as a space.
    """
    from urllib.parse import quote

    separator = "&" if "?" in verify_url else "?"
    return f"{verify_url}{separator}code={quote(code, safe=':$*-./')}"


def code_from_scan(text: str) -> str:
    """The ``ZF1:`` text from what was scanned: the bare code or a verification link.

    Links carry it in ``?code=``; links made before that carried it in the
    fragment, and are still read.
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    if text.startswith(PREFIX):
        return text
    try:
        parts = urlsplit(text)
    except ValueError:  # not a URL at all (e.g. an unclosed "[" host): left for the parser to refuse
        return text
    codes = parse_qs(parts.query).get("code")
    if codes:
        return codes[0]
    return unquote(parts.fragment) if parts.fragment else text


def parse_credential(text: str) -> tuple[OfficerCredential, bytes, bytes]:
    """The credential, its signed bytes and its signature; :class:`CredentialRejected` if bad."""
    if not text.startswith(PREFIX) or len(text) > MAX_TEXT_CHARS:
        raise CredentialRejected(MALFORMED)
    try:
        data = base45.decode(text[len(PREFIX):])
        fields, at = [], 0
        for _ in range(5):
            n = data[at]
            fields.append(data[at + 1 : at + 1 + n].decode("utf-8"))
            if len(fields[-1].encode("utf-8")) != n or not fields[-1]:
                raise CredentialRejected(MALFORMED)
            at += 1 + n
        when = int.from_bytes(data[at : at + 4], "big")
        body, signature = data[: at + 4], data[at + 4 :]
    except (base45.Base45Error, IndexError, UnicodeDecodeError):
        raise CredentialRejected(MALFORMED) from None
    if len(signature) != 64 or len(body) != at + 4:
        raise CredentialRejected(MALFORMED)
    credential = OfficerCredential(
        credential=fields[0], name=fields[1], department=fields[2], visit_kind=fields[3],
        reason=fields[4], at=when,
    )
    return credential, body, signature


def verify_credential(text: str, officer_public_key: bytes, now: datetime) -> OfficerCredential:
    """Offline check against the officer's enrolled public key (raw Ed25519, 32 bytes)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    credential, body, signature = parse_credential(code_from_scan(text))
    try:
        Ed25519PublicKey.from_public_bytes(officer_public_key).verify(
            signature, tags.OFFICER_CREDENTIAL.value + body
        )
    except InvalidSignature:
        raise CredentialRejected(BAD_SIGNATURE) from None
    instant = now.timestamp()
    if credential.at > instant + 600:
        raise CredentialRejected(NOT_YET_VALID)
    if instant > credential.at + VALID_FOR.total_seconds():
        raise CredentialRejected(EXPIRED)
    return credential
