"""Anonymous ratings over HTTP: once per visit, changeable for 7 days, CSRF, rate limits,
and what the department and the oversight office each see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from inspector_app.services.workspace import Workspace
from inspector_app.sync.client import run_sync
from inspector_central.enterprise.ratings import (
    MIN_RATINGS_SHOWN,
    RATING_CHANGE_DAYS,
    department_rating_summary,
    rate,
    rating_of,
    ratings_for_oversight,
)
from inspector_protocol.visit_receipt import parse_signed_receipt
from tests.central.harness import Backend, CentralServer, enrolled, tablet
from tests.enterprise.visits import checked_out_visit, form_session

DAY_MS = 86_400_000


def _rate(url: str, score: str, comment: str = "", *, session: requests.Session | None = None,
          csrf: str | None = None) -> requests.Response:
    if session is None:
        session, csrf = form_session(url)
    return session.post(url + "/rating", data={"csrf": csrf or "", "score": score,
                                                "comment": comment}, timeout=10)


def _synced_visits(ws: Workspace, server: CentralServer, count: int, rating: int | None = 90
                   ) -> list[str]:
    transport = enrolled(ws, server)
    urls = [checked_out_visit(ws, rating=rating).url for _ in range(count)]
    run_sync(ws, transport)
    return urls


def test_one_rating_per_visit_changeable_for_seven_days_then_closed(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    [url] = _synced_visits(ws, server, 1)
    first = _rate(url, "60", "没有出示证件")
    assert first.status_code == 200 and "评价已保存" in first.text
    assert "当前评价：60" in first.text
    changed = _rate(url, "75", "补充说明")
    assert "当前评价：75" in changed.text and "修改评价" in changed.text
    database = server.backend.database()
    visit_id = parse_signed_receipt(url).receipt.visit_id
    with database.transaction() as tx:
        stored = rating_of(tx, visit_id)
        assert stored is not None and (stored.score, stored.changes) == (75, 1)
        # Nothing stored can point at whoever rated: no address, no browser.
        row = tx.one("SELECT * FROM enterprise_ratings WHERE visit_id = ?", (visit_id,))
    assert row is not None and not any(
        marker in str(value) for value in row for marker in ("127.0.0.1", "python-requests"))
    # The edge of the window, moved on the stored clock: one second inside, then outside.
    _age(database, visit_id, RATING_CHANGE_DAYS * DAY_MS - 1000)
    assert "当前评价：80" in _rate(url, "80").text
    _age(database, visit_id, RATING_CHANGE_DAYS * DAY_MS + 1000)
    session, csrf = form_session(url + "/complaint")  # the visit's page has no rating form now
    closed = _rate(url, "10", session=session, csrf=csrf)
    assert closed.status_code == 409 and "不能再修改" in closed.text and "当前评价：80" in closed.text
    assert "修改评价" not in requests.get(url, timeout=10).text


def _age(database: object, visit_id: str, ms: int) -> None:
    from inspector_central.signing import now_ms
    from inspector_central.storage import Database

    assert isinstance(database, Database)
    with database.transaction() as tx:
        tx.execute("UPDATE enterprise_ratings SET first_ms = ? WHERE visit_id = ?",
                   (now_ms() - ms, visit_id))


def test_the_window_edge_on_a_fake_clock(sqlite_backend: Backend) -> None:
    database = sqlite_backend.database()
    start = 1_764_000_000_000
    with database.transaction() as tx:
        assert rate(tx, "v1", "h", 50, None, start) == "created"
        assert rate(tx, "v1", "h", 50, None, start + 1) == "unchanged"
        assert rate(tx, "v1", "h", 70, "x", start + RATING_CHANGE_DAYS * DAY_MS) == "changed"
        assert rate(tx, "v1", "h", 90, None, start + RATING_CHANGE_DAYS * DAY_MS + 1) == "closed"
        stored = rating_of(tx, "v1")
    assert stored is not None and (stored.score, stored.comment) == (70, "x")


def test_a_form_without_its_token_changes_nothing(
        sqlite_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    [url] = _synced_visits(ws, sqlite_server, 1)
    no_cookie = requests.post(url + "/rating", data={"csrf": "x" * 32, "score": "5"}, timeout=10)
    session, csrf = form_session(url)
    wrong = session.post(url + "/rating", data={"csrf": csrf[:-1] + "A", "score": "5"}, timeout=10)
    missing = session.post(url + "/rating", data={"score": "5"}, timeout=10)
    for refused in (no_cookie, wrong, missing):
        assert refused.status_code == 403 and "表单已过期" in refused.text
    assert "当前评价" not in requests.get(url, timeout=10).text
    assert _rate(url, "5", session=session, csrf=csrf).status_code == 200


@pytest.fixture
def limited_server(sqlite_backend: Backend, tmp_path: Path) -> Iterator[CentralServer]:
    running = CentralServer(sqlite_backend, tmp_path, env={
        "INSPECTOR_CENTRAL_RATE_BURST": "100000",
        "INSPECTOR_CENTRAL_ENTERPRISE_RATE_BURST": "6",
        "INSPECTOR_CENTRAL_ENTERPRISE_RATE_PER_MIN": "0.01",
        "INSPECTOR_CENTRAL_VISIT_RATE_BURST": "3",
        "INSPECTOR_CENTRAL_VISIT_RATE_PER_HOUR": "0.01"}).start()
    yield running
    running.stop()


def test_rate_limits_per_visit_and_per_address(
        limited_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    first, second = _synced_visits(ws, limited_server, 2)
    session, csrf = form_session(first)
    answers = [_rate(first, str(s), session=session, csrf=csrf).status_code for s in (50, 51, 52, 53)]
    assert answers == [200, 200, 200, 429]  # the visit's 3, then refused
    refused = _rate(first, "54", session=session, csrf=csrf)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "请求过于频繁" in refused.text or "提交过于频繁" in refused.text
    # Another visit from the same address: the address's 6 are spent after two more.
    answers = [_rate(second, str(s), session=session, csrf=csrf).status_code for s in (60, 61, 62)]
    assert answers == [200, 429, 429]
    # The visit keeps its last accepted rating; the refused ones changed nothing.
    assert "当前评价：60" in requests.get(second, timeout=10).text


def test_the_department_sees_aggregates_over_five_and_the_office_sees_each(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    urls = _synced_visits(ws, server, MIN_RATINGS_SHOWN)
    scores = [95, 40, 80, 85, 100]
    database = server.backend.database()
    for url, score in zip(urls[:-1], scores, strict=False):
        assert _rate(url, str(score)).status_code == 200
    with database.transaction(write=False) as tx:
        few = department_rating_summary(tx, "lc-amr")
    assert few.status == "too_few" and few.count is None and few.mean is None
    assert (few.tablet_count, few.tablet_mean) == (MIN_RATINGS_SHOWN, 90.0)  # apart, never mixed
    assert _rate(urls[-1], str(scores[-1])).status_code == 200
    with database.transaction(write=False) as tx:
        shown = department_rating_summary(tx, "lc-amr")
        every = ratings_for_oversight(tx)
    assert (shown.status, shown.count, shown.mean, shown.median) == ("shown", 5, 80.0, 85.0)
    assert shown.bands == (1, 0, 2, 2)
    assert shown.tablet_mean == 90.0
    assert sorted(r.score or 0 for r in every) == sorted(scores)
    assert {r.tablet_score for r in every} == {90}
    assert all(r.department == "lc-amr" and r.officer == "37142320001" for r in every)
