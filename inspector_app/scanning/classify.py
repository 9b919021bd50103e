"""What a scanned text is: our signed enterprise code, a legacy poster, or something else.

Every text that comes out of a decoder passes through :func:`classify`, which
never raises for any input: the officer always gets a verdict and, when the code
is refused or only half trusted, a specific reason.  Verification is offline
(the issuer keys come from the department profile) and the time is passed in,
so a verdict depends only on the text, the profile and ``now``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from inspector_app.profile import Profile
from inspector_app.profile.patterns import compile_pattern
from inspector_protocol import enterprise_code as payload
from inspector_protocol import reasons, tags
from inspector_protocol.china_time import format_china
from inspector_protocol.enterprise_code import EnterpriseCode, PayloadRejected
from inspector_protocol.reasons import Reason
from inspector_protocol.text import Text
from inspector_protocol.uscc import InvalidUSCC, parse_uscc

Kind = Literal["signed", "legacy", "foreign"]
Status = Literal["verified", "unverified", "rejected"]

#: Far beyond any QR code (version 40 holds 4296 characters); refused before any parsing.
MAX_INPUT_CHARS = 4296
#: Legacy patterns are regular expressions from the profile: bound their input.
MAX_LEGACY_CHARS = 512
#: Tablet clocks drift; a code issued a few minutes "in the future" is still fine.
CLOCK_SKEW = timedelta(minutes=10)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class PayloadVerdict:
    kind: Kind
    status: Status
    reason: Reason
    uscc: str | None = None
    name: str | None = None
    key_id: str | None = None
    issued_at: int | None = None
    expires_at: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "status": self.status,
            "reason": {
                "code": self.reason.code,
                "zh": self.reason.text.render("zh"),
                "en": self.reason.text.render("en"),
            },
            "uscc": self.uscc,
            "name": self.name,
        }


def classify(text: str, profile: Profile, now: datetime) -> PayloadVerdict:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not text.strip():
        return PayloadVerdict("foreign", "rejected", reasons.EMPTY)
    if len(text) > MAX_INPUT_CHARS:
        return PayloadVerdict("foreign", "rejected", reasons.OVERSIZE.with_detail(n=len(text)))
    if payload.FAMILY.match(text):
        return _signed(text, profile, now)
    if _CONTROL.search(text):
        return PayloadVerdict("foreign", "rejected", reasons.BINARY)
    return _legacy(text, profile) or PayloadVerdict("foreign", "rejected", reasons.FOREIGN)


def _signed(text: str, profile: Profile, now: datetime) -> PayloadVerdict:
    try:
        code = payload.decode_text(text)
    except PayloadRejected as exc:
        return PayloadVerdict("signed", "rejected", exc.reason)
    try:
        verify(code, profile, now)
    except PayloadRejected as exc:
        return _verdict(code, "rejected", exc.reason)
    return _verdict(code, "verified", reasons.VERIFIED)


def _verdict(code: EnterpriseCode, status: Status, reason: Reason) -> PayloadVerdict:
    return PayloadVerdict(
        "signed", status, reason, code.uscc, code.name, code.key_id, code.issued_at,
        code.expires_at,
    )


def verify(code: EnterpriseCode, profile: Profile, now: datetime) -> None:
    """Raise :class:`PayloadRejected` unless ``code`` is valid, issued by a live key, now."""
    try:
        parse_uscc(code.uscc)
    except InvalidUSCC as exc:
        raise PayloadRejected(_with_uscc_detail(reasons.BAD_USCC, exc)) from None
    key = profile.issuer_key(code.key_id)
    if key is None:
        raise PayloadRejected(reasons.UNKNOWN_KEY.with_detail(key_id=code.key_id))
    if key.revoked:
        raise PayloadRejected(reasons.REVOKED_KEY.with_detail(key_id=code.key_id))
    if not _signature_ok(key.public_key, code):
        raise PayloadRejected(reasons.BAD_SIGNATURE)
    instant = now.timestamp()
    if code.issued_at > instant + CLOCK_SKEW.total_seconds():
        raise PayloadRejected(reasons.NOT_YET_VALID.with_detail(issued=_shown(code.issued_at)))
    if instant >= code.expires_at:
        raise PayloadRejected(reasons.EXPIRED.with_detail(expires=_shown(code.expires_at)))


def _signature_ok(public_key: bytes, code: EnterpriseCode) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            code.signature, tags.ENTERPRISE_QR.value + code.body
        )
    except InvalidSignature:
        return False
    return True


def _shown(timestamp: int) -> str:
    # Dates in messages are China time, as on the poster.
    return format_china(timestamp * 1000)


def _with_uscc_detail(reason: Reason, exc: InvalidUSCC) -> Reason:
    """The USCC's own message, in each language, inside the code-level message."""
    return Reason(
        reason.code,
        Text(
            reason.text.zh.format(detail=exc.text.render("zh")),
            reason.text.en.format(detail=exc.text.render("en")),
        ),
    )


def _legacy(text: str, profile: Profile) -> PayloadVerdict | None:
    """Old posters (a URL with the USCC, a bare USCC), matched by the profile's patterns."""
    candidate = text.strip()
    if len(candidate) > MAX_LEGACY_CHARS:
        return None
    for pattern in profile.legacy_qr_patterns:
        match = compile_pattern(pattern).search(candidate)
        if match is None or match.group("uscc") is None:
            continue
        try:
            uscc = parse_uscc(match.group("uscc"))
        except InvalidUSCC as exc:
            return PayloadVerdict(
                "legacy", "rejected", _with_uscc_detail(reasons.LEGACY_BAD_USCC, exc),
                uscc=match.group("uscc"),
            )
        record = profile.enterprise(uscc)
        return PayloadVerdict(
            "legacy", "unverified", reasons.LEGACY_UNVERIFIED, uscc.value,
            record.name if record else None,
        )
    return None
