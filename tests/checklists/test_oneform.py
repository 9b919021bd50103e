"""How answers read on the one form, and templates shared by two departments."""

from __future__ import annotations

from typing import Any

import pytest

from inspector_app.checklists import (
    Template,
    TemplateRegistry,
    derive_visit_checklists,
    one_form,
)
from inspector_app.checklists.oneform import describe_result, describe_value
from tests.checklists.helpers import EventLog


@pytest.mark.parametrize(("item_id", "value", "zh", "en"), [
    ("has-forklift", "yes", "是", "yes"),
    ("has-forklift", "na", "不适用", "not applicable"),
    ("pressure", 1.25, "1.25 MPa", "1.25 MPa"),
    ("storage", "warehouse", "专用仓库", "专用仓库"),  # no English label: Chinese is shown
    ("hazards", ["dust", "signs"], "积尘、缺少标志", "积尘, 缺少标志"),
    ("hazards", [], "无", "none"),
    ("valid-until", "2024-06-30", "2024-06-30", "2024-06-30"),
    ("remarks", "现场 {有} 说明", "现场 {有} 说明", "现场 {有} 说明"),
    ("photos", ["a", "b"], "2 张照片", "2 photo(s)"),
    ("photos", None, "未检查", "not checked"),
])
def test_values_read_as_a_person_would_say_them(small: Template, item_id: str, value: Any,
                                                zh: str, en: str) -> None:
    item = small.item(item_id)
    assert item is not None
    text = describe_value(item, value)
    assert (text.render("zh"), text.render("en")) == (zh, en)


def test_failing_results_are_marked(small: Template) -> None:
    item = small.item("pressure")
    assert item is not None
    result = describe_result(item, 2, failing=True)
    assert (result.render("zh"), result.render("en")) == ("2 MPa（不合格）", "2 MPa (non-compliant)")


def test_a_template_brought_by_two_departments_is_one_shared_form(
        registry: TemplateRegistry, bundled: tuple[Template, ...], log: EventLog) -> None:
    record = next(t for t in bundled if t.id == "non-enforcement-visit")
    log.check_in("37142320001", "lc-amr", record)
    log.join("37142330001", "lc-em", record)
    log.answer("37142330001", record, "ne-purpose", "survey")
    visit = derive_visit_checklists(log.events, registry, log.visit)
    assert [a.department for a in visit.attached] == ["lc-amr"]
    assert visit.departments == ("lc-amr", "lc-em")
    rows = one_form(visit)
    assert {r.department for r in rows} == {"lc-amr"}
    purpose = next(r for r in rows if r.item.zh == "走访事由")
    assert purpose.officer == "37142330001" and not purpose.failing
