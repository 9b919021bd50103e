"""The catalogue of refused codes: every layer of the payload, each with its own reason.

Each case builds one bad text and names the verdict the officer must get.  The
cases walk the layers in order: the raw input, "is it ours", the prefix, the
base45 encoding, the binary layout, each field, the issuer key, the signature,
and the validity period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_app.profile import IssuerKey, Profile
from inspector_app.scanning.classify import classify
from inspector_protocol import base45, tags
from inspector_protocol import enterprise_code as payload
from inspector_protocol.uscc import USCC


@dataclass(frozen=True)
class Tools:
    """What a case may use to build its text."""

    issue: Callable[..., str]
    key: Ed25519PrivateKey
    other_key: Ed25519PrivateKey
    uscc: USCC
    other_uscc: USCC
    issued_at: datetime

    def raw(self, *, uscc: str | None = None, name: str = "德州恒信机械制造有限公司",
            key_id: str = "lc-demo-1", days: int = 365, key: Ed25519PrivateKey | None = None,
            issued_at: int | None = None) -> str:
        """Sign any field values, bypassing the issuer's own checks."""
        body = payload.encode_body(
            uscc or self.uscc.value, name, key_id,
            issued_at if issued_at is not None else int(self.issued_at.timestamp()), days,
        )
        return payload.encode_text(body, (key or self.key).sign(tags.ENTERPRISE_QR.value + body))

    def raw_bytes(self, data: bytes) -> str:
        return payload.PREFIX + base45.encode(data)

    def decoded(self) -> bytes:
        return base45.decode(self.issue()[len(payload.PREFIX):])


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Tools], str]
    kind: str
    reason: str
    #: Shift of "now" from the test's fixed instant.
    later: timedelta = timedelta(0)
    revoked: bool = False


def _swap_name(t: Tools) -> str:
    """The signature of one code on the body of another: a tampered name."""
    good = t.decoded()
    body = payload.encode_body(t.uscc.value, "伪造企业有限公司", "lc-demo-1",
                               int(t.issued_at.timestamp()), 365)
    return t.raw_bytes(body + good[-64:])


def _swap_field(t: Tools, **changes: object) -> str:
    good = payload.decode_text(t.issue())
    fields = {"uscc": good.uscc, "name": good.name, "key_id": good.key_id,
              "issued_at": good.issued_at, "validity_days": good.validity_days, **changes}
    body = payload.encode_body(**fields)  # type: ignore[arg-type]
    return t.raw_bytes(body + good.signature)


def _flip_signature_bit(t: Tools) -> str:
    data = bytearray(t.decoded())
    data[-1] ^= 0x01
    return t.raw_bytes(bytes(data))


def _replace_body_char(t: Tools, position: int, ch: str) -> str:
    text = t.issue()
    at = len(payload.PREFIX) + position
    return text[:at] + ch + text[at + 1:]


def _bad_name_bytes(t: Tools) -> str:
    good = payload.decode_text(t.issue())
    body = good.body
    name_start = 12 + 4 + 2 + 1 + len(good.key_id) + 1
    bad = body[: name_start - 1] + bytes((2,)) + b"\x81\x20"
    return t.raw_bytes(bad + t.key.sign(tags.ENTERPRISE_QR.value + bad))


def _key_id_length(t: Tools, length: int) -> str:
    data = bytearray(t.decoded())
    data[18] = length
    return t.raw_bytes(bytes(data))


CASES: tuple[Case, ...] = (
    # The raw input.
    Case("empty", lambda t: "", "foreign", "payload.empty"),
    Case("blank", lambda t: "  \n\t", "foreign", "payload.empty"),
    Case("oversize-input", lambda t: "A" * 5000, "foreign", "payload.oversize"),
    Case("nul-bytes", lambda t: "\x00\x01\x02\x03binary", "foreign", "payload.binary"),
    Case("escape-sequence", lambda t: "\x1b[31mred\x7f", "foreign", "payload.binary"),
    # Not ours at all.
    Case("web-link", lambda t: "https://www.example.com/", "foreign",
         "foreign.not_enterprise_code"),
    Case("wifi", lambda t: "WIFI:S:factory;T:WPA;P:secret;;", "foreign",
         "foreign.not_enterprise_code"),
    Case("payment", lambda t: "wxp://f2f0abcdefABCDEF123", "foreign",
         "foreign.not_enterprise_code"),
    Case("vcard", lambda t: "BEGIN:VCARD\nFN:张明\nEND:VCARD", "foreign",
         "foreign.not_enterprise_code"),
    Case("short-id-in-url", lambda t: "https://x.gov.cn/e?uscc=9137", "foreign",
         "foreign.not_enterprise_code"),
    Case("chinese-text", lambda t: "欢迎光临", "foreign", "foreign.not_enterprise_code"),
    # Legacy posters with a bad USCC.
    Case("legacy-url-check-char", lambda t: f"https://x.gov.cn/e?uscc={t.uscc.value[:17]}A",
         "legacy", "legacy.bad_uscc"),
    Case("legacy-bare-check-char", lambda t: t.uscc.value[:17] + "A", "legacy",
         "legacy.bad_uscc"),
    Case("legacy-bare-division", lambda t: "91AB" + t.uscc.value[4:], "legacy",
         "legacy.bad_uscc"),
    # The prefix.
    Case("future-version", lambda t: "QY2:ABC", "signed", "signed.unsupported_version"),
    Case("version-10", lambda t: "QY10:" + t.issue()[4:], "signed",
         "signed.unsupported_version"),
    Case("lowercase-prefix", lambda t: "qy1:" + t.issue()[4:], "signed", "signed.bad_prefix"),
    Case("missing-colon", lambda t: "QY1" + t.issue()[4:], "signed", "signed.bad_prefix"),
    Case("wrong-separator", lambda t: "QY1;" + t.issue()[4:], "signed", "signed.bad_prefix"),
    # The base45 encoding.
    Case("lowercase-body", lambda t: _replace_body_char(t, 5, "a"), "signed",
         "signed.bad_characters"),
    Case("hash-in-body", lambda t: _replace_body_char(t, 0, "#"), "signed",
         "signed.bad_characters"),
    Case("chinese-in-body", lambda t: _replace_body_char(t, 9, "码"), "signed",
         "signed.bad_characters"),
    Case("triple-overflow", lambda t: "QY1:" + ":::" + t.issue()[7:], "signed",
         "signed.bad_encoding"),
    Case("pair-overflow", lambda t: t.issue()[: (len(t.issue()) - 4) // 3 * 3 + 4] + "::",
         "signed", "signed.bad_encoding"),
    # Truncation and extra data.
    Case("one-char-short", lambda t: t.issue()[:-1], "signed", "signed.truncated"),
    Case("two-bytes-short", lambda t: t.raw_bytes(t.decoded()[:-2]), "signed",
         "signed.truncated"),
    Case("prefix-only", lambda t: "QY1:", "signed", "signed.truncated"),
    Case("half", lambda t: t.issue()[: len(t.issue()) // 2 // 3 * 3 + 4], "signed",
         "signed.truncated"),
    Case("key-id-runs-past-end", lambda t: _key_id_length(t, 200), "signed",
         "signed.truncated"),
    Case("trailing-bytes", lambda t: t.issue() + base45.encode(b"\x00\x00"), "signed",
         "signed.trailing_data"),
    Case("oversize-code", lambda t: "QY1:" + "000" * 80, "signed", "signed.oversize"),
    # The fields.
    Case("uscc-check-char", lambda t: t.raw(uscc=t.uscc.value[:17] + "A"), "signed",
         "signed.bad_uscc"),
    Case("uscc-division-letter", lambda t: t.raw(uscc="91AB" + t.uscc.value[4:]), "signed",
         "signed.bad_uscc"),
    Case("uscc-out-of-range", lambda t: t.raw_bytes(b"\xff" * 12 + t.decoded()[12:]), "signed",
         "signed.bad_uscc"),
    Case("key-id-charset", lambda t: t.raw(key_id="lc demo"), "signed", "signed.bad_key_id"),
    Case("key-id-empty", lambda t: t.raw(key_id=""), "signed", "signed.bad_key_id"),
    Case("name-empty", lambda t: t.raw(name=""), "signed", "signed.bad_name"),
    Case("name-control-char", lambda t: t.raw(name="恒信\n机械"), "signed", "signed.bad_name"),
    Case("name-bad-gb18030", _bad_name_bytes, "signed", "signed.bad_name"),
    Case("zero-validity", lambda t: t.raw(days=0), "signed", "signed.bad_validity"),
    # The issuer key.
    Case("unknown-key", lambda t: t.raw(key_id="lc-other-9", key=t.other_key), "signed",
         "signed.unknown_key"),
    Case("revoked-key", lambda t: t.issue(), "signed", "signed.revoked_key", revoked=True),
    # The signature.
    Case("forged-with-known-key-id", lambda t: t.raw(key=t.other_key), "signed",
         "signed.bad_signature"),
    Case("tampered-name", _swap_name, "signed", "signed.bad_signature"),
    Case("tampered-issue-time", lambda t: _swap_field(t, issued_at=int(t.issued_at.timestamp())
                                                      + 86_400 * 300), "signed",
         "signed.bad_signature"),
    Case("tampered-validity", lambda t: _swap_field(t, validity_days=3650), "signed",
         "signed.bad_signature"),
    Case("swapped-uscc", lambda t: _swap_field(t, uscc=t.other_uscc.value), "signed",
         "signed.bad_signature"),
    Case("flipped-signature-bit", _flip_signature_bit, "signed", "signed.bad_signature"),
    # The validity period.
    Case("expired", lambda t: t.issue(validity_days=10), "signed", "signed.expired"),
    Case("expired-exactly-now", lambda t: t.issue(validity_days=30), "signed", "signed.expired"),
    Case("not-yet-valid", lambda t: t.issue(), "signed", "signed.not_yet_valid",
         later=-timedelta(days=31)),
)


def _profile_for(case: Case, profile: Profile) -> Profile:
    if not case.revoked:
        return profile
    keys = tuple(k.model_copy(update={"revoked": True}) for k in profile.issuer_keys)
    return profile.model_copy(update={"issuer_keys": keys})


@pytest.fixture
def tools(issue: Callable[..., str], issuer_key: Ed25519PrivateKey,
          other_key: Ed25519PrivateKey, demo_profile: Profile, issued_at: datetime) -> Tools:
    return Tools(issue, issuer_key, other_key, demo_profile.enterprises[0].uscc,
                 demo_profile.enterprises[1].uscc, issued_at)


def test_catalogue_is_large_and_covers_every_reason() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    from inspector_protocol import reasons

    refusals = {
        r.code for r in vars(reasons).values()
        if isinstance(r, reasons.Reason) and r.code not in {"signed.verified", "legacy.unverified"}
    }
    assert refusals == {c.reason for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused_with_its_specific_reason(
    case: Case, tools: Tools, demo_profile: Profile, now: datetime
) -> None:
    verdict = classify(case.make(tools), _profile_for(case, demo_profile), now + case.later)
    assert (verdict.kind, verdict.status, verdict.reason.code) == (
        case.kind, "rejected", case.reason,
    )
    for lang in ("zh", "en"):
        message = verdict.reason.text.render(lang)
        assert message and "{" not in message


def test_unknown_key_is_not_confused_with_revoked(
    tools: Tools, profile_with_keys: Callable[..., Profile], demo_profile: Profile, now: datetime
) -> None:
    live = IssuerKey(key_id="lc-other-9", public_key=tools.other_key.public_key().public_bytes_raw())
    profile = profile_with_keys(*demo_profile.issuer_keys, live)
    verdict = classify(tools.raw(key_id="lc-other-9", key=tools.other_key), profile, now)
    assert verdict.status == "verified"
