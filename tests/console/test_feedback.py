"""Ratings and complaints in the console: the oversight office sees each anonymous rating
and handles complaints (the complainant sees the state change); a department sees only its
own aggregate, over at least five ratings, and gets 404 for every rating and complaint page
(even complaints about itself)."""

from __future__ import annotations

from pathlib import Path

import requests

from inspector_app.sync.client import run_sync
from inspector_central.enterprise.ratings import MIN_RATINGS_SHOWN
from inspector_protocol.china_time import china_date
from tests.central.harness import CentralServer, enrolled, tablet
from tests.console.helpers import Console, complain, rate_anonymously, signed_in
from tests.enterprise.visits import checked_out_visit


def _aggregates(client: Console, day: str) -> dict[str, dict[str, object]]:
    overview = client.get(f"/v1/oversight/overview?period=year&at={day}").json()
    departments = client.get(f"/v1/oversight/departments?period=year&at={day}").json()
    assert overview["ratings"] == departments["ratings"]
    return {r["department"]: r for r in overview["ratings"]}


def test_the_office_sees_each_rating_and_handles_complaints_the_department_only_its_aggregate(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    transport = enrolled(ws, server)
    visits = [checked_out_visit(ws, rating=90) for _ in range(MIN_RATINGS_SHOWN)]
    run_sync(ws, transport)
    office = signed_in(server, "jiwei", "oversight")
    amr = signed_in(server, "amr-head", "department", "lc-amr")
    em = signed_in(server, "em-head", "department", "lc-em")
    checked_in = office.get(f"/v1/oversight/visits/{visits[0].visit_id}").json()["checked_in_ms"]
    day = china_date(checked_in).isoformat()

    # Four anonymous ratings: the department is told nothing of them, only its tablet ratings.
    scores = [95, 40, 80, 85, 100]
    for visit, score in zip(visits[:-1], scores, strict=False):
        rate_anonymously(visit.url, score)
    few = _aggregates(amr, day)
    assert set(few) == {"lc-amr"}
    assert few["lc-amr"]["status"] == "too_few" and few["lc-amr"]["anonymous_mean"] is None
    assert (few["lc-amr"]["tablet_count"], few["lc-amr"]["tablet_mean"]) == (5, 90.0)
    page = amr.get(f"/console/overview?period=year&at={day}").text
    assert "匿名评价不足 5 条，不显示" in page
    # The fifth: now the aggregate, still apart from the tablet's number.
    rate_anonymously(visits[-1].url, scores[-1])
    shown = _aggregates(amr, day)["lc-amr"]
    assert (shown["status"], shown["anonymous_count"], shown["anonymous_mean"],
            shown["anonymous_median"], shown["anonymous_bands"]) == ("shown", 5, 80.0, 85.0,
                                                                      [1, 0, 2, 2])
    assert shown["tablet_mean"] == 90.0
    assert _aggregates(em, day) == {"lc-em": {
        "department": "lc-em", "status": "too_few", "anonymous_count": None,
        "anonymous_mean": None, "anonymous_median": None, "anonymous_bands": None,
        "tablet_count": 0, "tablet_mean": None}}
    assert "lc-amr" not in em.get(f"/console/departments?period=year&at={day}").text
    assert _aggregates(office, day)["lc-amr"] == shown
    departments_page = amr.get(f"/console/departments?period=year&at={day}").text
    assert "80.0" in departments_page and "评分40" not in departments_page

    # Each rating, anonymous and tablet side by side: the office's alone.
    every = office.get(f"/v1/oversight/ratings?period=year&at={day}").json()["items"]
    assert sorted(r["anonymous_score"] for r in every) == sorted(scores)
    assert {r["tablet_score"] for r in every} == {90}
    assert {r["visit_id"] for r in every} == {v.visit_id for v in visits}
    assert "评分40" in office.get(f"/console/ratings?period=year&at={day}").text

    # A complaint about lc-amr: the office handles it; lc-amr itself gets 404 everywhere.
    number = complain(visits[0].url)
    queue = office.get("/v1/oversight/complaints?state=received").json()
    assert [c["number"] for c in queue["items"]] == [number] and queue["counts"]["received"] == 1
    assert queue["items"][0]["department"] == "lc-amr"
    for client in (amr, em):
        for path in ("/console/ratings", "/v1/oversight/ratings", "/console/complaints",
                     "/v1/oversight/complaints", f"/console/complaints/{number}",
                     f"/v1/oversight/complaints/{number}",
                     f"/console/complaints/{number}/photo.jpg"):
            answer = client.get(path)
            assert answer.status_code == 404, (path, answer.status_code)
            assert "未出示执法证件" not in answer.text and "评分40" not in answer.text
        assert client.post_json(f"/v1/oversight/complaints/{number}/handle",
                                {"state": "dismissed", "note": "不成立"}).status_code == 404
        refused = client.post_form(f"/console/complaints/{number}/handle",
                                   {"csrf": client.csrf, "state": "dismissed", "note": "不成立"})
        assert refused.status_code == 404
        assert "/console/complaints" not in client.get("/console/overview").text

    detail = office.get(f"/console/complaints/{number}")
    assert detail.status_code == 200 and "检查人员未出示执法证件" in detail.text
    # The form needs the session's anti-forgery token.
    forged = office.post_form(f"/console/complaints/{number}/handle",
                              {"csrf": "x" * 32, "state": "in_review", "note": "核查"})
    assert forged.status_code == 403
    assert office.get(f"/v1/oversight/complaints/{number}").json()["state"] == "received"
    moved = office.post_form(f"/console/complaints/{number}/handle",
                             {"csrf": office.csrf, "state": "in_review", "note": "已调取执法记录"})
    assert moved.status_code == 303
    tracked = requests.get(server.url + "/complaints/track", params={"number": number}, timeout=10)
    assert "监督部门核查中" in tracked.text and "已调取执法记录" not in tracked.text
    resolved = office.post_json(f"/v1/oversight/complaints/{number}/handle",
                                {"state": "resolved", "note": "已约谈并整改"})
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    assert [(s["actor"], s["to_state"], s["note"]) for s in resolved.json()["history"]] == [
        ("complainant", "received", None), ("jiwei", "in_review", "已调取执法记录"),
        ("jiwei", "resolved", "已约谈并整改")]
    assert office.post_json(f"/v1/oversight/complaints/{number}/handle",
                            {"state": "dismissed", "note": "x"}).status_code == 409
    tracked = requests.get(server.url + "/complaints/track", params={"number": number}, timeout=10)
    assert "已办结" in tracked.text and "已约谈并整改" not in tracked.text
    with server.backend.database().transaction(write=False) as tx:
        audited = [(str(r[0]), str(r[1]), str(r[2])) for r in tx.all(
            "SELECT actor, action, target FROM audit_log WHERE action = 'complaint_handled' "
            "ORDER BY id")]
    assert audited == [("jiwei", "complaint_handled", number)] * 2
    assert "处理投诉" in office.get("/console/audit").text
