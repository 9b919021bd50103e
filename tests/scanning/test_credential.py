"""The officer credential code (亮码入企): issued on the tablet, checked offline or by link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_protocol.officer_credential import (
    CredentialRejected,
    OfficerCredential,
    code_from_scan,
    issue_credential,
    verification_link,
    verify_credential,
)

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
OFFICER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
PUBLIC = OFFICER_KEY.public_key().public_bytes_raw()
VISIT = OfficerCredential("37142320001", "张明", "lc-amr", "routine", "特种设备安全隐患排查",
                          int(NOW.timestamp()))


def test_round_trip_and_fits_a_phone_friendly_code() -> None:
    code = issue_credential(VISIT, OFFICER_KEY)
    assert verify_credential(code, PUBLIC, NOW + timedelta(minutes=30)) == VISIT
    link = verification_link("https://jd.example.gov.cn/v", code)
    assert code_from_scan(link) == code
    assert verify_credential(link, PUBLIC, NOW) == VISIT
    version = segno.make(link, error="m").version
    assert isinstance(version, int) and version <= 15


@pytest.mark.parametrize(("mutate", "reason"), [
    (lambda c: c[:-5], "credential.malformed"),
    (lambda c: "ZF2:" + c[4:], "credential.malformed"),
    (lambda c: c[:10] + ("A" if c[10] != "A" else "B") + c[11:], None),
])
def test_tampered_codes_are_refused(mutate: object, reason: str | None) -> None:
    code = issue_credential(VISIT, OFFICER_KEY)
    with pytest.raises(CredentialRejected) as raised:
        verify_credential(mutate(code), PUBLIC, NOW)  # type: ignore[operator]
    assert raised.value.reason.code in ({reason} if reason else
                                        {"credential.malformed", "credential.bad_signature"})


def test_another_officers_key_or_an_old_code_is_refused() -> None:
    code = issue_credential(VISIT, OFFICER_KEY)
    stranger = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key().public_bytes_raw()
    with pytest.raises(CredentialRejected, match="bad_signature"):
        verify_credential(code, stranger, NOW)
    with pytest.raises(CredentialRejected, match="expired"):
        verify_credential(code, PUBLIC, NOW + timedelta(days=1))
    with pytest.raises(CredentialRejected, match="not_yet_valid"):
        verify_credential(code, PUBLIC, NOW - timedelta(hours=1))


def test_the_link_carries_the_code_in_the_query_where_a_server_receives_it() -> None:
    """Browsers never send a URL fragment; the query reaches the verification page whole."""
    code = issue_credential(VISIT, OFFICER_KEY)
    link = verification_link("https://jd.example.gov.cn/verify", code)
    parts = urlsplit(link)
    assert parts.path == "/verify" and parts.fragment == ""
    assert parse_qs(parts.query) == {"code": [code]}  # '+' and space survive form decoding
    awkward = "ZF1:A B+C%D$E*F-G.H/I"  # every base45 character a URL treats specially
    query = urlsplit(verification_link("https://jd.example.gov.cn/verify", awkward)).query
    assert " " not in query and "+" not in query and parse_qs(query) == {"code": [awkward]}
    assert verification_link("https://jd.example.gov.cn/verify?lang=zh", code).count("?") == 1


def test_links_with_the_code_in_the_fragment_are_still_read() -> None:
    code = issue_credential(VISIT, OFFICER_KEY)
    assert code_from_scan("https://jd.example.gov.cn/verify#" + quote(code, safe=":$*+-./")) == code
    assert code_from_scan("http://[unclosed/verify") == "http://[unclosed/verify"
