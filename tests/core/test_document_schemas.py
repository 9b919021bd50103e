"""The published JSON Schemas are generated from the models, current, and agree with them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema_rs
import pytest

from inspector_app.checklists import Template, bundled_templates
from inspector_app.profile import demo_profile_path

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "docs" / "schemas"


def _gen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "gen-schemas"), *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_schemas_in_docs_are_current() -> None:
    result = _gen("--check")
    assert result.returncode == 0, result.stderr


def test_a_stale_schema_is_detected_and_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, out)
    (out / "profile.schema.json").write_text("{}\n", encoding="utf-8")
    stale = _gen("--check", "--out", str(out))
    assert stale.returncode == 1 and "profile.schema.json" in stale.stderr
    assert "checklist-template" not in stale.stderr
    assert _gen("--out", str(out)).returncode == 0
    assert (out / "profile.schema.json").read_bytes() == (SCHEMAS / "profile.schema.json").read_bytes()


def _validator(name: str) -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(json.loads((SCHEMAS / name).read_text(encoding="utf-8")))


def test_the_profile_schema_accepts_the_demo_and_refuses_an_unknown_field() -> None:
    validator = _validator("profile.schema.json")
    demo = json.loads(demo_profile_path().read_text(encoding="utf-8"))
    assert validator.is_valid(demo)
    assert not validator.is_valid({**demo, "colour": "red"})
    assert not validator.is_valid({**demo, "frequency_rule": {"visits": 1, "window_days": 15}})


@pytest.mark.parametrize("template", bundled_templates(), ids=lambda t: t.id)
def test_the_template_schema_accepts_every_bundled_template(template: Template) -> None:
    validator = _validator("checklist-template.schema.json")
    document = dict(template.document)
    assert validator.is_valid(document)
    first_item = document["sections"][0]["items"][0]
    broken = {**document, "sections": [{**document["sections"][0],
                                        "items": [{**first_item, "answer": {"type": "boolean"}}]}]}
    assert not validator.is_valid(broken)
