"""A department account sees only its own department: other departments' visits, warnings,
archive entries and JSON are 404 or absent (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from inspector_protocol.china_time import china_date
from tests.central.harness import CentralServer
from tests.console.helpers import ENTERPRISE, new_tablet, signed_in

PNG = b"\x89PNG\r\n\x1a\n"


def test_department_accounts_see_only_their_department(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    device = new_tablet(server, template_data_dir, tmp_path / "tab")
    photo = PNG + b"gauge" * 100
    amr_visits = [device.enforcement_visit(photo=photo if i == 0 else None) for i in range(4)]
    device.rate(amr_visits[-1], 61, "检查人员态度生硬")
    em_visit = device.survey(credential="37142330001")
    device.sync(photos=False)
    office = signed_in(server, "jiwei", "oversight")
    amr = signed_in(server, "amr-head", "department", "lc-amr")
    em = signed_in(server, "em-head", "department", "lc-em")

    # Visits: each department its own; the office both.
    assert em.get(f"/console/visits/{amr_visits[0]}").status_code == 404
    assert em.get(f"/v1/oversight/visits/{amr_visits[0]}").status_code == 404
    assert amr.get(f"/v1/oversight/visits/{em_visit}").status_code == 404
    assert em.get(f"/v1/oversight/visits/{em_visit}").json()["department"] == "lc-em"
    # The photo is listed as missing evidence until the tablet sends it, then as received.
    digest = hashlib.sha256(photo).hexdigest()
    shown = office.get(f"/v1/oversight/visits/{amr_visits[0]}").json()["photos"]
    assert shown == [{"sha256": digest, "state": "missing"}]
    device.sync()
    shown = office.get(f"/v1/oversight/visits/{amr_visits[0]}").json()["photos"]
    assert shown == [{"sha256": digest, "state": "received"}]

    # A rating's content is the oversight office's alone, even on the department's own visit.
    rated = f"/v1/oversight/visits/{amr_visits[-1]}"
    assert "检查人员态度生硬" in office.get(rated).text and "score=61" in office.get(rated).text
    for path in (rated, f"/console/visits/{amr_visits[-1]}",
                 f"/console/visits/{amr_visits[-1]}?format=csv"):
        answer = amr.get(path)
        assert answer.status_code == 200 and "态度生硬" not in answer.text
        assert "score=" not in answer.text and "评价内容仅监督部门可见" in answer.text

    # The enterprise's archive lists only the account's own visits.
    def archived(client: object) -> set[str]:
        assert hasattr(client, "get")
        answer = client.get(f"/v1/oversight/enterprises/{ENTERPRISE}")
        return {v["visit_id"] for v in answer.json()["visits"]}

    assert archived(em) == {em_visit}
    assert archived(amr) == set(amr_visits)
    assert archived(office) == {*amr_visits, em_visit}
    assert amr_visits[0] not in em.get(f"/console/enterprises/{ENTERPRISE}").text
    assert amr_visits[0] not in em.get(f"/console/enterprises/{ENTERPRISE}?format=csv").text

    # Warnings: lc-amr's are not listed for lc-em, nor readable, nor answerable.
    warnings = amr.get("/v1/oversight/warnings").json()["items"]
    assert warnings and all(w["department"] == "lc-amr" for w in warnings)
    target = warnings[0]["id"]
    assert em.get("/v1/oversight/warnings").json()["items"] == []
    assert em.get(f"/v1/oversight/warnings/{target}").status_code == 404
    assert em.post_json(f"/v1/oversight/warnings/{target}/justify",
                        {"justification": "不是我们的"}).status_code == 404
    assert "lc-amr" not in em.get("/console/warnings").text
    assert em.get("/v1/oversight/departments?department=lc-amr").status_code == 404
    # The period of the visit, whenever the test runs.
    day = china_date(em.get(f"/v1/oversight/visits/{em_visit}").json()["checked_in_ms"]).isoformat()
    rows = em.get(f"/v1/oversight/departments?period=year&at={day}").json()["rows"]
    assert [(r["department"], r["officer"], r["visits"]) for r in rows] == [
        ("lc-em", "37142330001", 1)]
    overview = em.get(f"/v1/oversight/overview?period=year&at={day}").json()
    assert overview["enforcement_visits"] == 0 and overview["open_warnings"] == 0

    # The workflow: the department justifies, only the office closes; all audited.
    assert amr.post_json(f"/v1/oversight/warnings/{target}/close",
                         {"note": "自己关闭"}).status_code == 403
    justified = amr.post_json(f"/v1/oversight/warnings/{target}/justify",
                              {"justification": "重污染天气应急响应"})
    assert justified.status_code == 200 and justified.json()["warning"]["state"] == "justified"
    again = amr.post_json(f"/v1/oversight/warnings/{target}/justify", {"justification": "再次"})
    assert again.status_code == 409
    assert office.post_json(f"/v1/oversight/warnings/{target}/justify",
                            {"justification": "代为说明"}).status_code == 403
    closed = office.post_json(f"/v1/oversight/warnings/{target}/close", {"note": "理由成立"})
    assert closed.json()["warning"]["state"] == "closed"
    assert closed.json()["warning"]["justified_by"] == "amr-head"
    with server.backend.database().transaction(write=False) as tx:
        audited = [(str(r[0]), str(r[1])) for r in tx.all(
            "SELECT actor, action FROM audit_log WHERE action IN "
            "('warning_justified', 'warning_closed') ORDER BY id")]
    assert audited == [("amr-head", "warning_justified"), ("jiwei", "warning_closed")]


def test_json_endpoints_need_a_session(server: CentralServer) -> None:
    import requests

    for path in ("overview", "warnings", "enterprises", f"enterprises/{ENTERPRISE}",
                 "departments", "alarms", "visits/x", "ratings", "complaints", "complaints/x"):
        answer = requests.get(f"{server.url}/v1/oversight/{path}", timeout=30)
        assert answer.status_code == 401, path
    schema = requests.get(f"{server.url}/openapi.json", timeout=30).json()
    assert {"/v1/oversight/overview", "/v1/oversight/warnings/{warning_id}/justify",
            "/v1/oversight/enterprises/{uscc}"} <= set(schema["paths"])
