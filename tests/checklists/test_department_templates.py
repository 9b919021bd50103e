"""The templates a department's visit starts with come from the profile and the registry."""

from __future__ import annotations

import pytest

from inspector_app.checklists import (
    Template,
    TemplateNotAvailable,
    TemplateRegistry,
    check_in_templates,
    profile_template_problems,
    templates_for_department,
)
from inspector_app.profile import demo_profile_path, load_profile
from inspector_app.profile.model import Department
from inspector_protocol.errors import UserError
from tests.checklists.helpers import make_template, small_template_document

PROFILE = load_profile(demo_profile_path())


def test_an_inspection_starts_with_the_enforcement_checklists(
        bundled: tuple[Template, ...]) -> None:
    registry = TemplateRegistry(bundled)
    chosen = templates_for_department(PROFILE, "lc-em", registry, enforcement=True)
    assert [t.id for t in chosen] == ["hazardous-chemicals", "dust-explosion"]
    record = check_in_templates(PROFILE, "lc-em", registry, enforcement=False)
    assert [r["id"] for r in record] == ["non-enforcement-visit"]
    assert set(record[0]) == {"id", "version", "hash"}


def test_the_newest_version_is_chosen_at_check_in(bundled: tuple[Template, ...]) -> None:
    document = next(t for t in bundled if t.id == "food-premises").document
    newer = make_template(dict(document), change=lambda d: d.update(version=2))
    registry = TemplateRegistry([*bundled, newer])
    chosen = templates_for_department(PROFILE, "lc-amr", registry, enforcement=True)
    assert newer in chosen


def test_unknown_department_is_refused(bundled: tuple[Template, ...]) -> None:
    with pytest.raises(UserError, match="no department 'lc-env'"):
        templates_for_department(PROFILE, "lc-env", TemplateRegistry(bundled))


def test_a_missing_template_stops_the_check_in(bundled: tuple[Template, ...]) -> None:
    registry = TemplateRegistry(t for t in bundled if t.id != "dust-explosion")
    with pytest.raises(TemplateNotAvailable):
        templates_for_department(PROFILE, "lc-em", registry)


def test_profile_problems_name_missing_and_misassigned_templates(
        bundled: tuple[Template, ...]) -> None:
    registry = TemplateRegistry([*(t for t in bundled if t.id != "dust-explosion"),
                                 make_template(small_template_document())])
    fire = Department(id=PROFILE.departments[2].id, name=PROFILE.departments[2].name, templates=("small",))
    profile = PROFILE.model_copy(update={"departments": (*PROFILE.departments[:2], fire)})
    problems = [p.render("en") for p in profile_template_problems(profile, registry)]
    assert problems == [
        "checklist 'dust-explosion' of department lc-em is not on this device",
        "checklist 'small' is meant for lc-amr, but the profile gives it to lc-fire",
    ]
    assert profile_template_problems(PROFILE, TemplateRegistry(bundled)) == []
