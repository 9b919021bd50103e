"""A real tablet syncs the 4th enforcement visit in 15 days: the centre warns (both databases)."""

from __future__ import annotations

from pathlib import Path

from inspector_protocol.china_time import china_date
from tests.central.harness import CentralServer
from tests.console.helpers import ENTERPRISE, new_tablet, signed_in


def test_the_fourth_enforcement_visit_in_15_days_raises_a_warning_listing_the_visits(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    device = new_tablet(server, template_data_dir, tmp_path / "tab")
    first = [device.enforcement_visit() for _ in range(3)]
    device.survey()  # non-enforcement visits never count
    device.sync()
    office = signed_in(server, "jiwei", "oversight")
    window = [w for w in office.get("/v1/oversight/warnings").json()["items"]
              if w["rule_id"] == "window-4-in-15"]
    assert window == []
    fourth = device.enforcement_visit()
    device.sync()
    warnings = office.get("/v1/oversight/warnings?state=open").json()["items"]
    window = [w for w in warnings if w["rule_id"] == "window-4-in-15"]
    assert len(window) == 1
    assert window[0]["trigger_visit"] == fourth
    assert [v["visit_id"] for v in window[0]["visits"]] == [*first, fourth]
    assert window[0]["enterprise"] == ENTERPRISE and window[0]["department"] == "lc-amr"
    assert "国办发〔2024〕54号" in window[0]["rule_source"]
    # The annual cap of 2 per agency fires from the 3rd visit of a calendar year on.
    years = [china_date(office.get(f"/v1/oversight/visits/{v}").json()["checked_in_ms"]).year
             for v in [*first, fourth]]
    over_cap = [v for i, v in enumerate([*first, fourth]) if years[:i + 1].count(years[i]) > 2]
    assert sorted(w["trigger_visit"] for w in warnings
                  if w["rule_id"] == "annual-cap-per-agency") == sorted(over_cap)
    # The statistics followed the ingest: the department's row for the year of the 4th visit.
    day = china_date(office.get(f"/v1/oversight/visits/{fourth}").json()["checked_in_ms"])
    in_year = sum(1 for y in years if y == day.year)
    [amr] = [r for r in office.get(f"/v1/oversight/departments?period=year&at={day}").json()[
        "rows"] if r["department"] == "lc-amr"]
    assert (amr["visits"], amr["enforcement"], amr["average_duration_s"]) == (in_year, in_year, 2700)
    assert (amr["typed_or_unverified_share"], amr["exit_without_scan"], amr["open_visits"]) == (
        0, 0, 0)
    assert amr["duration_buckets"]["30-60min"] == in_year
    overview = office.get(f"/v1/oversight/overview?period=year&at={day}").json()
    assert overview["enforcement_visits"] == in_year
    # Syncing again, and evaluating everything from scratch, repeats no warning.
    device.sync()
    from inspector_central.console.evaluate import evaluate_all

    held = evaluate_all(server.backend.database(), 0)
    assert held == len(warnings)
    assert len(office.get("/v1/oversight/warnings").json()["items"]) == len(warnings)
