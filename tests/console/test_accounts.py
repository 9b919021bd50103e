"""Sign-in, lockout, anti-forgery tokens, session expiry and the audit log, over HTTP on a
real server process (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import requests

from inspector_central.console.accounts import ACCOUNT_FAILURES
from tests.central.harness import CentralServer
from tests.console.helpers import Console, account, signed_in


def _audit(server: CentralServer) -> list[tuple[str, str, str]]:
    with server.backend.database().transaction(write=False) as tx:
        return [(str(r[0]), str(r[1]), str(r[2])) for r in tx.all(
            "SELECT actor, action, detail FROM audit_log ORDER BY id")]


def test_wrong_passphrase_then_lockout_that_says_when_it_lifts(server: CentralServer) -> None:
    passphrase = account(server, "jiwei", "oversight")
    client = Console(server)
    wrong = client.sign_in("jiwei", "not-the-passphrase")
    assert wrong.status_code == 401
    assert "账号或口令错误" in wrong.text
    for _ in range(ACCOUNT_FAILURES - 2):
        assert client.sign_in("jiwei", "still-wrong-passphrase").status_code == 401
    locked = client.sign_in("jiwei", "the-last-wrong-one")
    assert locked.status_code == 401 and "已锁定" in locked.text and "后解除" in locked.text
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", locked.text)
    # Even the right passphrase is refused while the lock holds.
    refused = client.sign_in("jiwei", passphrase)
    assert refused.status_code == 401 and "已锁定" in refused.text
    assert client.get("/console/overview").status_code == 303
    actions = [a for _actor, a, _d in _audit(server)]
    assert actions.count("sign_in_failed") == ACCOUNT_FAILURES + 1
    assert "sign_in" not in actions


def test_an_unknown_account_is_refused_like_a_wrong_passphrase(server: CentralServer) -> None:
    answer = Console(server).sign_in("nobody", "whatever-passphrase")
    assert answer.status_code == 401 and "账号或口令错误" in answer.text
    assert _audit(server)[-1][:2] == ("nobody", "sign_in_failed")


def test_sign_in_form_without_its_token_is_refused(server: CentralServer) -> None:
    passphrase = account(server, "jiwei", "oversight")
    answer = requests.post(f"{server.url}/console/login", timeout=30, data={
        "name": "jiwei", "passphrase": passphrase, "login_csrf": "forged"})
    assert answer.status_code == 403
    assert "console" not in answer.cookies


def test_session_cookie_flags_and_posts_without_the_token_are_refused(
        server: CentralServer) -> None:
    office = signed_in(server, "jiwei", "oversight")
    cookie = next(c for c in office.http.cookies if c.name == "console")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite", "").lower() == "strict"
    # JSON without the header, and a form without the field: refused, nothing done.
    refused = office.post_json("/v1/oversight/warnings/1/close", {"note": "x"}, csrf=False)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "console.csrf"
    form = office.post_form("/console/warnings/1/close", {"note": "x", "csrf": "forged"})
    assert form.status_code == 403
    # Sign-out needs the token too; with it, the session is gone for good.
    office.post_form("/console/logout", {"csrf": "forged"})
    assert office.get("/console/overview").status_code == 200
    office.post_form("/console/logout", {"csrf": office.csrf})
    assert office.get("/console/overview").status_code == 303
    assert office.get("/v1/oversight/overview").status_code == 401
    assert [a for _actor, a, _d in _audit(server)][-1] == "sign_out"


def test_an_expired_session_sends_the_user_back_to_the_sign_in_page(
        server: CentralServer) -> None:
    office = signed_in(server, "jiwei", "oversight")
    assert office.get("/v1/oversight/overview").status_code == 200
    with server.backend.database().transaction() as tx:
        tx.execute("UPDATE console_sessions SET expires_ms = 1")
    page = office.get("/console/warnings?state=open")
    assert page.status_code == 303
    assert page.headers["location"] == "/console/login?next=%2Fconsole%2Fwarnings%3Fstate%3Dopen"
    assert office.get("/v1/oversight/overview").status_code == 401


def test_a_disabled_account_loses_its_sessions(server: CentralServer) -> None:
    from inspector_central.console.accounts import disable_user

    head = signed_in(server, "amr-head", "department", "lc-amr")
    disable_user(server.backend.database(), "amr-head", now_ms=0)
    assert head.get("/v1/oversight/overview").status_code == 401
    assert [a for _actor, a, _d in _audit(server)][-1] == "user_disabled"


def test_the_audit_log_is_the_oversight_office_s_alone(server: CentralServer) -> None:
    head = signed_in(server, "amr-head", "department", "lc-amr")
    office = signed_in(server, "jiwei", "oversight")
    assert head.get("/v1/oversight/audit").status_code == 404
    assert head.get("/console/audit").status_code == 404
    entries = office.get("/v1/oversight/audit").json()["items"]
    assert [(e["actor"], e["action"]) for e in entries][:4] == [
        ("jiwei", "sign_in"), ("it-admin", "user_added"), ("amr-head", "sign_in"),
        ("it-admin", "user_added")]
    assert entries[0]["address"] == "127.0.0.1"
    page = office.get("/console/audit?lang=en")
    assert page.status_code == 200 and "signed in" in page.text


def test_many_failures_from_one_address_lock_the_address(server: CentralServer) -> None:
    from inspector_central.console.accounts import ADDRESS_FAILURES

    passphrase = account(server, "jiwei", "oversight")
    client = Console(server)
    for attempt in range(ADDRESS_FAILURES - 1):
        assert "账号或口令错误" in client.sign_in(f"guess{attempt}", "wrong-passphrase").text
    locked = client.sign_in(f"guess{ADDRESS_FAILURES}", "wrong-passphrase")
    assert locked.status_code == 401 and "来自该地址的失败登录过多" in locked.text
    # Another account from the same address, with its right passphrase: refused meanwhile.
    refused = client.sign_in("jiwei", passphrase)
    assert refused.status_code == 401 and "来自该地址" in refused.text
    assert _audit(server)[-1][1:] == ("sign_in_failed", '{"why": "address_locked"}')
