"""The rules file and the evaluator, without a server: parsing, and warnings as the rules say."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector_central.cli import main
from inspector_central.console.evaluate import DAY_MS, CountedVisit, findings_for
from inspector_central.console.rules import (
    DEFAULT_RULES,
    RulesError,
    RulesFile,
    default_rules,
    parse_rules,
)
from inspector_protocol.china_time import CHINA_TZ

START = int(dt.datetime(2025, 3, 1, 9, tzinfo=CHINA_TZ).timestamp() * 1000)
TITLE = {"zh": "规则", "en": "Rule"}


def _rules(*rules: dict[str, object]) -> RulesFile:
    return parse_rules(json.dumps({"schema": "inspector-rules/1", "rules": list(rules)}).encode())


def _window(visits: int = 4, days: int = 15, **extra: object) -> dict[str, object]:
    return {"id": "w", "kind": "rolling_window", "title": TITLE, "source": "国办发〔2024〕54号",
            "visits": visits, "days": days, **extra}


def _visit(n: int, day: float, *, kind: str = "routine", department: str = "amr",
           enforcement: bool = True) -> CountedVisit:
    return CountedVisit(f"v{n:03d}", "E", department, kind, enforcement, START + int(day * DAY_MS))


def test_the_default_rules_cite_their_sources() -> None:
    rules = default_rules()
    assert {r.kind for r in rules.rules} == {"rolling_window", "annual_cap", "exempt_kinds"}
    assert all("国办发〔2024〕54号" in r.source or "司法部" in r.source for r in rules.rules)
    assert rules.exempt == {"complaint", "referral", "permit"}


def test_the_fourth_visit_within_15_days_is_warned_with_the_visits_that_caused_it() -> None:
    rules = _rules(_window())
    visits = [_visit(i, d) for i, d in enumerate([0, 3, 7, 14.9, 30])]
    [finding] = findings_for(rules, visits)
    assert finding.trigger_visit == "v003"
    assert finding.visits == ("v000", "v001", "v002", "v003")
    # Exactly 15 days after the first is outside its window.
    assert findings_for(rules, [_visit(i, d) for i, d in enumerate([0, 3, 7, 15])]) == []


def test_non_enforcement_and_exempt_kinds_never_count() -> None:
    rules = _rules(_window(), {"id": "x", "kind": "exempt_kinds", "title": TITLE, "source": "s",
                               "kinds": ["complaint"]})
    visits = [_visit(0, 0), _visit(1, 1), _visit(2, 2, kind="complaint"),
              _visit(3, 3, kind="survey", enforcement=False), _visit(4, 4, kind="complaint")]
    assert findings_for(rules, visits) == []


def test_annual_cap_per_department_in_china_time_and_per_department_numbers() -> None:
    rules = _rules({"id": "cap", "kind": "annual_cap", "title": TITLE, "source": "s",
                    "default": 2, "departments": {"em": 1}})
    new_year_eve = int(dt.datetime(2025, 12, 31, 23, 30, tzinfo=CHINA_TZ).timestamp() * 1000)
    visits = [
        CountedVisit("a1", "E", "amr", "routine", True, new_year_eve - 40 * DAY_MS),
        CountedVisit("a2", "E", "amr", "routine", True, new_year_eve - 20 * DAY_MS),
        CountedVisit("a3", "E", "amr", "routine", True, new_year_eve + 3_600_000),  # 2026 in China
        CountedVisit("e1", "E", "em", "routine", True, new_year_eve - 50 * DAY_MS),
        CountedVisit("e2", "E", "em", "routine", True, new_year_eve),
    ]
    assert [f.trigger_visit for f in findings_for(rules, visits)] == ["e2"]


def test_quiet_period_with_its_own_exemptions() -> None:
    rules = _rules({"id": "q", "kind": "quiet_period", "title": TITLE, "source": "s",
                    "days_of_month": list(range(1, 16)), "exempt_kinds": ["penalty"]})
    # START is the 1st of March; day 20 is the 21st.
    visits = [_visit(0, 0), _visit(1, 1, kind="penalty"), _visit(2, 20)]
    assert [f.trigger_visit for f in findings_for(rules, visits)] == ["v000"]


@settings(max_examples=150, deadline=None)
@given(days=st.lists(st.floats(min_value=0, max_value=120, allow_nan=False), max_size=25),
       limit=st.integers(2, 6), window=st.integers(1, 30))
def test_rolling_window_matches_counting_by_hand_and_is_order_independent(
        days: list[float], limit: int, window: int) -> None:
    rules = _rules(_window(limit, window))
    visits = [_visit(i, d) for i, d in enumerate(days)]
    found = findings_for(rules, visits)
    expected = set()
    for v in visits:
        inside = [w for w in visits if v.at_ms - window * DAY_MS < w.at_ms <= v.at_ms
                  and (w.at_ms, w.visit_id) <= (v.at_ms, v.visit_id)]
        if len(inside) >= limit:
            expected.add(v.visit_id)
    assert {f.trigger_visit for f in found} == expected
    assert len({f.key for f in found}) == len(found)  # one warning per rule and visit
    assert findings_for(rules, list(reversed(visits))) == found


@pytest.mark.parametrize(("document", "problem"), [
    ({"schema": "inspector-rules/1", "rules": [_window(visits=1)]}, "rules.0.rolling_window.visits"),
    ({"schema": "inspector-rules/1", "rules": [{**_window(), "title": {"zh": "仅中文"}}]},
     "rules.0.rolling_window.title.en"),
    ({"schema": "inspector-rules/1", "rules": [{**_window(), "extra": 1}]},
     "rules.0.rolling_window.extra"),
    ({"schema": "inspector-rules/1", "rules": [{**_window(), "kind": "weekly"}]}, "rules.0"),
    ({"schema": "inspector-rules/2", "rules": [_window()]}, "schema"),
    ({"schema": "inspector-rules/1", "rules": [_window(), _window()]}, "appears twice"),
])
def test_bad_rules_files_name_the_field(document: dict[str, object], problem: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse_rules(json.dumps(document).encode())
    assert any(problem in p for p in caught.value.problems)


def test_duplicate_keys_and_bad_json_are_refused() -> None:
    with pytest.raises(RulesError):
        parse_rules(b'{"schema": "inspector-rules/1", "schema": "inspector-rules/1", "rules": []}')
    with pytest.raises(RulesError):
        parse_rules(b"{not json")


def test_rules_check_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path / "c"), "rules", "check", str(DEFAULT_RULES)]) == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "inspector-rules/1", "rules": [_window(days=0)]}))
    assert main(["--data-dir", str(tmp_path / "c"), "rules", "check", str(bad)]) == 1
    assert "rules.0.rolling_window.days" in capsys.readouterr().err


def test_rules_install_is_versioned_audited_and_evaluates(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path / "c")]
    stricter = tmp_path / "stricter.json"
    stricter.write_text(json.dumps({"schema": "inspector-rules/1", "rules": [_window(3, 10)]}))
    assert main([*data, "rules", "install", str(stricter)]) == 0
    assert main([*data, "rules", "install", str(stricter)]) == 0
    assert "rules version 2 installed" in capsys.readouterr().out
    assert main([*data, "rules", "show"]) == 0
    assert json.loads(capsys.readouterr().out)["rules"][0]["visits"] == 3
    assert main([*data, "rules", "evaluate"]) == 0
