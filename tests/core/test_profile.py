"""Malformed department profiles are refused with a message naming the field."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector_app.platform.jsondoc import DocumentError
from inspector_app.platform.validation import SchemaError
from inspector_app.profile import demo_profile_path, load_profile, parse_profile

DEMO = json.loads(demo_profile_path().read_text(encoding="utf-8"))


def _mutated(change: Callable[[dict[str, Any]], None]) -> bytes:
    doc = copy.deepcopy(DEMO)
    change(doc)
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def test_the_demo_profile_is_valid_with_a_dozen_enterprises() -> None:
    profile = load_profile(demo_profile_path())
    assert profile.name.zh.startswith("陵城区市场监督管理局")
    assert len(profile.enterprises) >= 12
    assert profile.frequency_rule.visits == 4 and profile.frequency_rule.window_days == 15
    assert any(not k.is_enforcement for k in profile.visit_kinds)


SCHEMA_CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unknown key", lambda d: d.update(colour="red"), "colour"),
    ("nested unknown key", lambda d: d["departments"][0].update(boss="x"), "departments[0].boss"),
    ("wrong type", lambda d: d["frequency_rule"].update(visits="4"), "frequency_rule.visits"),
    ("out of range", lambda d: d["frequency_rule"].update(window_days=0),
     "frequency_rule.window_days"),
    ("missing field", lambda d: d.pop("visit_kinds"), "visit_kinds"),
    ("missing Chinese", lambda d: d["name"].pop("zh"), "name.zh"),
    ("bad USCC", lambda d: d["enterprises"][3].update(uscc="91350100M000100Y44"),
     "enterprises[3].uscc"),
    ("duplicate enterprise", lambda d: d["enterprises"].append(dict(d["enterprises"][0])),
     f"enterprises[{len(DEMO['enterprises'])}]"),
    ("plain http to a remote host", lambda d: d["endpoint"].update(url="http://example.org"),
     "endpoint.url"),
    ("bad issuer key", lambda d: d["issuer_keys"][0].update(public_key="AAAA"),
     "issuer_keys[0].public_key"),
    ("bad pattern", lambda d: d["legacy_qr_patterns"].append("(unclosed"),
     "legacy_qr_patterns[2]"),
    ("pattern without uscc group", lambda d: d["legacy_qr_patterns"].append("^x$"),
     "legacy_qr_patterns[2]"),
    ("unknown category", lambda d: d["visit_kinds"][0].update(category="raid"),
     "visit_kinds[0].category"),
    ("officer of unknown department", lambda d: d["officers"][0].update(department="nowhere"),
     "officers[0].department"),
    ("boolean as number", lambda d: d["frequency_rule"].update(visits=True),
     "frequency_rule.visits"),
]


@pytest.mark.parametrize(("label", "change", "path"), SCHEMA_CASES, ids=[c[0] for c in SCHEMA_CASES])
def test_schema_problems_name_the_field(
    label: str, change: Callable[[dict[str, Any]], None], path: str
) -> None:
    with pytest.raises(SchemaError) as err:
        parse_profile(_mutated(change), "profile.json")
    paths = [p.path for p in err.value.problems]
    assert path in paths, (label, paths)
    assert path in err.value.render("en") and path in err.value.render("zh")


def test_every_problem_is_reported_at_once() -> None:
    def several(doc: dict[str, Any]) -> None:
        doc["frequency_rule"]["visits"] = -1
        doc["name"]["fr"] = "x"

    with pytest.raises(SchemaError) as err:
        parse_profile(_mutated(several))
    assert {"frequency_rule.visits", "name.fr"} <= {p.path for p in err.value.problems}


def test_truncated_profile_names_the_field_it_broke_in() -> None:
    raw = demo_profile_path().read_bytes()
    cut = raw.index(b'"frequency_rule"') + len(b'"frequency_rule": {"vis')
    with pytest.raises(DocumentError) as err:
        parse_profile(raw[:cut], "profile.json")
    assert "truncated" in err.value.render("en")
    assert err.value.path.startswith("frequency_rule")


def test_invalid_utf8_names_the_field() -> None:
    raw = demo_profile_path().read_bytes()
    at = raw.index("德州".encode())
    broken = raw[:at] + b"\xff\xfe" + raw[at + 2 :]
    with pytest.raises(DocumentError) as err:
        parse_profile(broken, "profile.json")
    assert "UTF-8" in err.value.render("en")
    assert err.value.path.startswith("enterprises[")


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(DocumentError) as err:
        parse_profile(b'{"schema": "inspector-profile/1", "schema": "x"}')
    assert "schema" in err.value.render("en")


def test_missing_file_is_an_environment_problem(tmp_path: Path) -> None:
    from inspector_protocol.errors import EnvironmentProblem

    with pytest.raises(EnvironmentProblem):
        load_profile(tmp_path / "nope.json")
