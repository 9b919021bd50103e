"""Malformed templates are refused, each with a message naming the place to fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from inspector_app.checklists import parse_template
from inspector_app.platform.jsondoc import DocumentError
from inspector_app.platform.validation import SchemaError
from tests.checklists.helpers import as_bytes, make_template, small_template_document

Doc = dict[str, Any]


def _item(doc: Doc, section: int, item: int) -> Doc:
    result: Doc = doc["sections"][section]["items"][item]
    return result


def _set(path: Callable[[Doc], Doc], key: str, value: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        path(doc)[key] = value
    return change


def _drop(path: Callable[[Doc], Doc], key: str) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        del path(doc)[key]
    return change


def _top(doc: Doc) -> Doc:
    return doc


def _licence(doc: Doc) -> Doc:
    return _item(doc, 0, 1)


def _licence_answer(doc: Doc) -> Doc:
    result: Doc = _item(doc, 0, 1)["answer"]
    return result


def _pressure_answer(doc: Doc) -> Doc:
    result: Doc = _item(doc, 0, 2)["answer"]
    return result


def _storage_answer(doc: Doc) -> Doc:
    result: Doc = _item(doc, 1, 0)["answer"]
    return result


def _hazards_answer(doc: Doc) -> Doc:
    result: Doc = _item(doc, 1, 1)["answer"]
    return result


def _condition(doc: Doc) -> Doc:
    result: Doc = _licence(doc)["show_if"]
    return result


def _duplicate_section(doc: Doc) -> None:
    doc["sections"][1]["id"] = doc["sections"][0]["id"]


def _duplicate_item(doc: Doc) -> None:
    _item(doc, 1, 0)["id"] = "pressure"


def _duplicate_option(doc: Doc) -> None:
    _storage_answer(doc)["options"][1]["value"] = "warehouse"


def _condition_on_later_item(doc: Doc) -> None:
    _item(doc, 0, 0)["show_if"] = {"item": "storage", "any_of": ["warehouse"]}


def _condition_on_text(doc: Doc) -> None:
    doc["sections"][1]["items"].append({
        "id": "late", "title": {"zh": "后项"}, "content": {"zh": "后项"},
        "answer": {"type": "text"}, "show_if": {"item": "remarks", "any_of": ["x"]}})


def _no_na(doc: Doc) -> None:
    _item(doc, 0, 0)["answer"]["allow_na"] = False
    _condition(doc)["any_of"] = ["na"]


def _non_enforcement(doc: Doc) -> None:
    doc["kind"] = "non_enforcement"


def _unscored_points(doc: Doc) -> None:
    del doc["scoring"]


def _one_option(doc: Doc) -> None:
    del _storage_answer(doc)["options"][1]


def _bad_option_value(doc: Doc) -> None:
    _storage_answer(doc)["options"][0]["value"] = "专用 仓库"


def _duplicate_department(doc: Doc) -> None:
    doc["departments"] = ["lc-amr", "lc-amr"]


def _photo_points(doc: Doc) -> None:
    _item(doc, 1, 4)["points"] = 2


def _text_rectification(doc: Doc) -> None:
    _item(doc, 1, 3)["rectification"] = {"requirement": {"zh": "整改"}, "deadline_days": 3}


def _selection_reversed(doc: Doc) -> None:
    _hazards_answer(doc).update(min_selected=3, max_selected=2)


def _photo_range(doc: Doc) -> None:
    _item(doc, 1, 4)["answer"].update(min_photos=5, max_photos=2)


def _integer_bounds(doc: Doc) -> None:
    _pressure_answer(doc).update(integer=True, min=0.5)


LICENCE = "sections[0].items[1]"
PRESSURE = "sections[0].items[2]"
STORAGE = "sections[1].items[0]"
HAZARDS = "sections[1].items[1]"

CASES: list[tuple[str, Callable[[Doc], None], str, str]] = [
    ("wrong schema", _set(_top, "schema", "inspector-checklist/2"), "schema", "one of"),
    ("missing id", _drop(_top, "id"), "id", "missing"),
    ("id with spaces", _set(_top, "id", "Small List"), "id", "format"),
    ("version zero", _set(_top, "version", 0), "version", "between"),
    ("version as text", _set(_top, "version", "1"), "version", "integer"),
    ("unknown kind", _set(_top, "kind", "inspection"), "kind", "one of"),
    ("title without Chinese", _set(_top, "title", {"en": "Small"}), "title.zh", "missing"),
    ("misspelt field", _set(_top, "titel", {"zh": "x"}), "titel", "unknown field"),
    ("no sections", _set(_top, "sections", []), "sections", "elements"),
    ("sections not a list", _set(_top, "sections", {}), "sections", "array"),
    ("duplicate section id", _duplicate_section, "sections[1]", "duplicates"),
    ("duplicate department", _duplicate_department, "departments[1]", "duplicates"),
    ("scoring out of range", _set(_top, "scoring", {"pass_percent": 150}),
     "scoring.pass_percent", "between"),
    ("item without content", _drop(_licence, "content"), f"{LICENCE}.content", "missing"),
    ("required as text", _set(_licence, "required", "yes"), f"{LICENCE}.required", "true or"),
    ("unknown severity", _set(_licence, "severity", "critical"), f"{LICENCE}.severity", "one of"),
    ("legal basis not a list", _set(_licence, "legal_basis", "第十四条"),
     f"{LICENCE}.legal_basis", "array"),
    ("unknown answer type", _set(_licence_answer, "type", "boolean"), f"{LICENCE}.answer.type",
     "one of"),
    ("answer without type", _drop(_licence_answer, "type"), f"{LICENCE}.answer.type", "missing"),
    ("unit on a yes/no answer", _set(_licence_answer, "unit", "MPa"), f"{LICENCE}.answer.unit",
     "unknown field"),
    ("impossible pass value", _set(_licence_answer, "pass", "na"), f"{LICENCE}.answer.pass",
     "one of"),
    ("number min above max", _set(_pressure_answer, "min", 20), f"{PRESSURE}.answer.acceptable_max",
     "less than"),
    ("acceptable range beyond max", _set(_pressure_answer, "acceptable_max", 11),
     f"{PRESSURE}.answer.max", "less than"),
    ("fractional bound of an integer", _integer_bounds, f"{PRESSURE}.answer.min", "integers"),
    ("number bound as text", _set(_pressure_answer, "max", "10"), f"{PRESSURE}.answer.max",
     "number"),
    ("single choice with one option", _one_option, f"{STORAGE}.answer.options", "elements"),
    ("duplicate option", _duplicate_option, f"{STORAGE}.answer.options[1]", "duplicates"),
    ("option value with spaces", _bad_option_value, f"{STORAGE}.answer.options[0].value",
     "format"),
    ("more selections than options", _set(_hazards_answer, "max_selected", 5),
     f"{HAZARDS}.answer.max_selected", "only 3 options"),
    ("min selections above max", _selection_reversed, f"{HAZARDS}.answer.max_selected",
     "less than"),
    ("photo range reversed", _photo_range, "sections[1].items[4].answer.max_photos", "less than"),
    ("text limit zero", _set(lambda d: _item(d, 1, 3)["answer"], "max_length", 0),
     "sections[1].items[3].answer.max_length", "between"),
    ("duplicate item id across sections", _duplicate_item, f"{STORAGE}.id", "sections[0].items[2]"),
    ("condition on unknown item", _set(_condition, "item", "no-such-item"),
     f"{LICENCE}.show_if.item", "unknown item"),
    ("condition on a later item", _condition_on_later_item, "sections[0].items[0].show_if.item",
     "later item"),
    ("condition on itself", _set(_condition, "item", "licence"), f"{LICENCE}.show_if.item",
     "its own item"),
    ("impossible condition value", _set(_condition, "any_of", ["maybe"]),
     f"{LICENCE}.show_if.any_of[0]", "not a possible answer"),
    ("condition on n/a that is not allowed", _no_na, f"{LICENCE}.show_if.any_of[0]",
     "not a possible answer"),
    ("empty condition", _set(_condition, "any_of", []), f"{LICENCE}.show_if.any_of", "elements"),
    ("condition on a text item", _condition_on_text, "sections[1].items[5].show_if.item",
     "yes/no or choice"),
    ("failable item without rectification", _drop(_licence, "rectification"),
     f"{LICENCE}.rectification", "needs a rectification"),
    ("rectification that can never apply", _text_rectification,
     "sections[1].items[3].rectification", "must not have a rectification"),
    ("failable item marked info", _set(_licence, "severity", "info"), f"{LICENCE}.severity",
     "cannot be 'info'"),
    ("negative deadline", _set(lambda d: _licence(d)["rectification"], "deadline_days", -1),
     f"{LICENCE}.rectification.deadline_days", "between"),
    ("points without scoring", _unscored_points, f"{LICENCE}.points", "no scoring"),
    ("points on an item that cannot fail", _photo_points, "sections[1].items[4].points",
     "cannot carry points"),
    ("findings in a non-enforcement record", _non_enforcement, f"{LICENCE}.answer",
     "non-enforcement"),
    ("scoring in a non-enforcement record", _non_enforcement, "scoring", "not scored"),
]


@pytest.mark.parametrize(("change", "path", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_malformed_template_is_refused_naming_the_place(
        change: Callable[[Doc], None], path: str, message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        make_template(change=change)
    problems = {p.path: p.render("en") for p in caught.value.problems}
    assert path in problems, f"expected a problem at {path}, got {problems}"
    assert message in problems[path]
    assert path in caught.value.render("en")  # the person sees the place, not only the test


def test_there_are_at_least_thirty_malformed_cases() -> None:
    assert len(CASES) >= 30


def test_every_problem_is_reported_at_once() -> None:
    def break_many(doc: Doc) -> None:
        doc["version"] = 0
        _licence(doc)["severity"] = "critical"
        _condition(doc)["item"] = "nowhere"

    with pytest.raises(SchemaError) as caught:
        make_template(change=break_many)
    paths = {p.path for p in caught.value.problems}
    assert {"version", f"{LICENCE}.severity"} <= paths


def test_messages_exist_in_chinese() -> None:
    with pytest.raises(SchemaError) as caught:
        make_template(change=_drop(_licence, "rectification"))
    assert "须给出整改要求" in caught.value.render("zh")


def test_duplicate_json_key_is_refused_with_its_name() -> None:
    raw = as_bytes(small_template_document()).replace(b'"version": 1,',
                                                      b'"version": 1, "version": 2,', 1)
    with pytest.raises(DocumentError) as caught:
        parse_template(raw, "dup.json")
    assert caught.value.path == "version"


def test_truncated_file_names_the_field_it_broke_in() -> None:
    raw = as_bytes(small_template_document())
    cut = raw[: raw.index(b'"rectification"') + 30]
    with pytest.raises(DocumentError) as caught:
        parse_template(cut, "cut.json")
    assert caught.value.path.startswith("sections[0].items[1].rectification")


def test_a_valid_template_builds() -> None:
    template = make_template()
    assert template.ref.id == "small"
    assert [i.id for i in template.items][:3] == ["has-forklift", "licence", "pressure"]
    assert template.item("licence") is not None
    assert template.item("licence").points == 3  # type: ignore[union-attr]
    assert template.item("pressure").points == 1  # type: ignore[union-attr]  # default when scored
