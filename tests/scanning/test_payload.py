"""The signed enterprise code: issuing, size, offline verification, legacy codes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector_app.profile import Profile
from inspector_app.scanning.classify import classify
from inspector_protocol import base45
from inspector_protocol import enterprise_code as payload
from inspector_protocol.errors import UserError
from inspector_protocol.uscc import complete_uscc

#: A long but real-looking company name (24 characters).
LONG_NAME = "德州市陵城区鑫源新能源汽车零部件制造有限责任公司"


def test_issued_code_verifies_offline(
    issue: Callable[..., str], demo_profile: Profile, now: datetime
) -> None:
    verdict = classify(issue(), demo_profile, now)
    record = demo_profile.enterprises[0]
    assert (verdict.kind, verdict.status) == ("signed", "verified")
    assert (verdict.uscc, verdict.name, verdict.key_id) == (
        record.uscc.value, record.name, "lc-demo-1",
    )


def test_every_demo_enterprise_gets_a_verifiable_code(
    issue: Callable[..., str], demo_profile: Profile, now: datetime
) -> None:
    for record in demo_profile.enterprises:
        verdict = classify(issue(uscc=record.uscc, name=record.name), demo_profile, now)
        assert (verdict.status, verdict.uscc) == ("verified", record.uscc.value)


def test_long_chinese_name_fits_version_10_at_ecc_q(issue: Callable[..., str]) -> None:
    text = issue(name=LONG_NAME)
    qr = segno.make(text, error="q", micro=False, boost_error=False)
    assert qr.mode == "alphanumeric"
    assert isinstance(qr.version, int) and qr.version <= 10
    assert qr.error == "Q"


def test_a_name_too_long_for_the_poster_is_refused_when_issuing(
    issue: Callable[..., str],
) -> None:
    with pytest.raises(UserError) as raised:
        issue(name=LONG_NAME * 2)
    assert raised.value.code == "qr.name_too_long"


def test_issuing_refuses_what_verification_would_refuse(issue: Callable[..., str]) -> None:
    for bad in ({"validity_days": 0}, {"key_id": "has space"}, {"name": "  "}):
        with pytest.raises(UserError):
            issue(**bad)


def test_naive_times_are_a_programming_error(
    issue: Callable[..., str], demo_profile: Profile, now: datetime
) -> None:
    with pytest.raises(ValueError, match="timezone"):
        issue(issued_at=now.replace(tzinfo=None))
    with pytest.raises(ValueError, match="timezone"):
        classify("anything", demo_profile, now.replace(tzinfo=None))


def test_clock_skew_of_a_few_minutes_is_tolerated(
    issue: Callable[..., str], demo_profile: Profile, now: datetime
) -> None:
    text = issue(issued_at=now + timedelta(minutes=5))
    assert classify(text, demo_profile, now).status == "verified"


def test_legacy_url_and_bare_uscc_are_unverified_with_the_profile_name(
    demo_profile: Profile, now: datetime
) -> None:
    record = demo_profile.enterprises[1]
    for text in (f"https://qy.example.gov.cn/e?uscc={record.uscc}&from=poster",
                 record.uscc.value):
        verdict = classify(text, demo_profile, now)
        assert (verdict.kind, verdict.status, verdict.reason.code) == (
            "legacy", "unverified", "legacy.unverified",
        )
        assert (verdict.uscc, verdict.name) == (record.uscc.value, record.name)


def test_legacy_code_of_an_enterprise_not_in_the_profile(
    demo_profile: Profile, now: datetime
) -> None:
    unknown = complete_uscc("91371421MA3C00000")
    verdict = classify(unknown.value, demo_profile, now)
    assert (verdict.status, verdict.uscc, verdict.name) == ("unverified", unknown.value, None)


def test_json_form_has_exactly_the_documented_keys(
    issue: Callable[..., str], demo_profile: Profile, now: datetime
) -> None:
    as_json = classify(issue(), demo_profile, now).to_json()
    assert set(as_json) == {"kind", "status", "reason", "uscc", "name"}
    assert set(as_json["reason"]) == {"code", "zh", "en"}


def test_uscc_packing_round_trips(demo_profile: Profile) -> None:
    for record in demo_profile.enterprises:
        assert payload.unpack_uscc(payload.pack_uscc(record.uscc.value)) == record.uscc.value


@settings(max_examples=300)
@given(st.binary(max_size=200))
def test_base45_round_trips(data: bytes) -> None:
    encoded = base45.encode(data)
    assert set(encoded) <= set(base45.ALPHABET)
    assert base45.decode(encoded) == data


def test_base45_matches_the_rfc_examples() -> None:
    assert base45.encode(b"AB") == "BB8"
    assert base45.encode(b"Hello!!") == "%69 VD92EX0"
    assert base45.encode(b"ietf!") == "QED8WEX0"
    assert base45.decode("QED8WEX0") == b"ietf!"
