"""The templates shipped with the app: valid, complete, and citing only real laws."""

from __future__ import annotations

import json
import re

import pytest

from inspector_app.checklists import Template, TemplateRegistry, parse_template
from inspector_app.profile import demo_profile_path, load_profile
from inspector_protocol.checklist_template import canonical_json, content_hash

ENFORCEMENT = ("special-equipment", "food-premises", "hazardous-chemicals", "dust-explosion",
               "fire-safety-workshop")
#: The laws and regulations the bundled templates may cite.  A citation is the law's
#: name, optionally followed by an article number written in Chinese numerals.
KNOWN_LAWS = (
    "《中华人民共和国特种设备安全法》",
    "《中华人民共和国食品安全法》",
    "《危险化学品安全管理条例》",
    "《中华人民共和国安全生产法》（2021年修正）",
    "《中华人民共和国消防法》",
    "《工贸企业粉尘防爆安全规定》（应急管理部令第6号）",
)
_CITATION = re.compile("(" + "|".join(map(re.escape, KNOWN_LAWS)) + ")(第[一二三四五六七八九十百]+条)?")


def _by_id(bundled: tuple[Template, ...]) -> dict[str, Template]:
    return {t.id: t for t in bundled}


def test_every_template_the_demo_profile_names_is_bundled(bundled: tuple[Template, ...]) -> None:
    profile = load_profile(demo_profile_path())
    named = {t for department in profile.departments for t in department.templates}
    assert named == set(_by_id(bundled))


def test_each_template_is_scoped_to_the_departments_that_use_it(
        bundled: tuple[Template, ...]) -> None:
    profile = load_profile(demo_profile_path())
    for template in bundled:
        users = {d.id for d in profile.departments if template.id in d.templates}
        assert set(template.departments) <= users or not template.departments, template.id


@pytest.mark.parametrize("template_id", ENFORCEMENT)
def test_enforcement_templates_have_at_least_fifteen_items(
        bundled: tuple[Template, ...], template_id: str) -> None:
    template = _by_id(bundled)[template_id]
    assert template.kind == "enforcement"
    assert len(template.items) >= 15
    # A text written without English falls back to the Chinese: English must be its own.
    assert all(item.title.en != item.title.zh and item.content.en != item.content.zh
               for item in template.items)


def test_the_non_enforcement_record_can_have_no_findings(bundled: tuple[Template, ...]) -> None:
    record = _by_id(bundled)["non-enforcement-visit"]
    assert record.kind == "non_enforcement"
    assert not any(item.answer.can_fail for item in record.items)
    assert {"ne-purpose", "ne-met-name", "ne-feedback"} <= {i.id for i in record.items}


def test_special_equipment_covers_what_the_officers_checked(bundled: tuple[Template, ...]) -> None:
    """The Lingcheng forklift inspection: licence, registration, inspection mark, brakes."""
    template = _by_id(bundled)["special-equipment"]
    ids = {i.id for i in template.items}
    assert {"fl-operator-licence", "fl-registration-mark", "fl-inspection-mark", "fl-brakes",
            "fl-safety-attachments", "cr-limiters", "pv-safety-valve"} <= ids


def test_legal_basis_cites_only_known_laws(bundled: tuple[Template, ...]) -> None:
    for template in bundled:
        for item in template.items:
            for basis in item.legal_basis:
                assert _CITATION.fullmatch(basis.zh), f"{template.id}/{item.id}: {basis.zh}"
                assert basis.en != basis.zh, f"{template.id}/{item.id} has no English citation"


def test_the_hash_ignores_layout_but_not_content(bundled: tuple[Template, ...]) -> None:
    template = bundled[0]
    relaid = json.dumps(template.document, ensure_ascii=True, indent=8, sort_keys=True)
    assert parse_template(relaid.encode(), "relaid").ref == template.ref
    changed = dict(template.document, version=template.version + 1)
    assert content_hash(changed) != template.ref.hash
    assert canonical_json(template.document).startswith(b'{"departments":')


def test_bundled_templates_fit_in_one_registry(bundled: tuple[Template, ...]) -> None:
    registry = TemplateRegistry(bundled)
    assert registry.ids() == tuple(sorted(t.id for t in bundled))
