"""What a person reads when a document is refused: the place, and a message in both languages."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from inspector_app.profile import demo_profile_path, parse_profile
from inspector_protocol.checklist_template import template_from_document
from inspector_protocol.shapes import SchemaError
from inspector_protocol.strict_json import DocumentError, decode_json
from tests.checklists.helpers import small_template_document

DEMO = json.loads(demo_profile_path().read_text(encoding="utf-8"))
Doc = dict[str, Any]


def _profile_problems(change: Callable[[Doc], None]) -> dict[str, tuple[str, str]]:
    doc = copy.deepcopy(DEMO)
    change(doc)
    with pytest.raises(SchemaError) as caught:
        parse_profile(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    return {p.path: (p.render("en"), p.render("zh")) for p in caught.value.problems}


def _answer(doc: Doc) -> Doc:
    result: Doc = doc["sections"][0]["items"][0]["answer"]
    return result


PROFILE_CASES: list[tuple[str, Callable[[Doc], None], str, str, str]] = [
    ("too long", lambda d: d["officers"][0].update(name="x" * 65), "officers[0].name",
     "length must be 1–64, not 65", "长度应在 1–64 之间"),
    ("object expected", lambda d: d.update(frequency_rule=[]), "frequency_rule",
     "must be an object, not array", "应为对象"),
    ("text as a string", lambda d: d.update(name="x"), "name", "must be an object, not 'x'", "应为对象"),
    ("null for a number", lambda d: d["frequency_rule"].update(visits=None), "frequency_rule.visits",
     "must be an integer, not null", "应为整数"),
    ("fraction for an integer", lambda d: d.update(version=1.5), "version",
     "must be an integer, not float", "应为整数"),
    ("empty Chinese", lambda d: d["name"].update(zh=""), "name.zh", "length must be 1–10000, not 0",
     "长度应在"),
    ("unknown language", lambda d: d["name"].update(fr="x"), "name.fr",
     "unknown field (allowed: zh, en)", "未知字段"),
    ("key not base64", lambda d: d["issuer_keys"][0].update(public_key="!!"),
     "issuer_keys[0].public_key", "is not valid base64", "不是有效的 base64"),
    ("phone format", lambda d: d.update(reporting_phone="abc"), "reporting_phone",
     "does not match the format", "格式不符"),
    ("above the maximum", lambda d: d.update(idle_lock_minutes=500), "idle_lock_minutes",
     "must be between 1 and 240, not 500", "应在 1–240 之间"),
]


@pytest.mark.parametrize(("change", "path", "en", "zh"), [c[1:] for c in PROFILE_CASES],
                         ids=[c[0] for c in PROFILE_CASES])
def test_each_kind_of_profile_error_has_its_own_message(
        change: Callable[[Doc], None], path: str, en: str, zh: str) -> None:
    problems = _profile_problems(change)
    assert path in problems, problems
    assert en in problems[path][0] and zh in problems[path][1]
    assert "is not valid (" not in problems[path][0]  # not the fallback for unmapped errors


def test_an_answer_type_that_is_not_a_string_is_named_at_the_type() -> None:
    doc = small_template_document()
    _answer(doc)["type"] = 5
    with pytest.raises(SchemaError) as caught:
        template_from_document(doc)
    [problem] = caught.value.problems
    assert problem.path == "sections[0].items[0].answer.type"
    assert "must be one of date, multiple_choice" in problem.render("en")


def test_an_error_inside_an_answer_names_the_document_path_not_the_answer_type() -> None:
    doc = small_template_document()
    _answer(doc)["allow_na"] = "no"
    with pytest.raises(SchemaError) as caught:
        template_from_document(doc)
    assert [p.path for p in caught.value.problems] == ["sections[0].items[0].answer.allow_na"]


def test_an_element_that_fails_does_not_also_make_its_list_too_short() -> None:
    doc = small_template_document()
    doc["sections"][1]["items"][0]["answer"]["options"][0]["value"] = "a b"
    with pytest.raises(SchemaError) as caught:
        template_from_document(doc)
    assert [p.path for p in caught.value.problems] == ["sections[1].items[0].answer.options[0].value"]


def test_nan_is_not_json() -> None:
    with pytest.raises(DocumentError) as caught:
        decode_json(b'{"visits": NaN}', "p.json")
    assert "NaN" in caught.value.render("en") and "NaN" in caught.value.render("zh")


def test_a_syntax_error_names_line_column_and_field() -> None:
    with pytest.raises(DocumentError) as caught:
        decode_json(b'{\n  "a": {"b": [1, 2,]}\n}', "p.json")
    assert caught.value.path == "a.b[2]"
    assert "line 2, column 20" in caught.value.render("en")
    assert "第 2 行第 20 列" in caught.value.render("zh")


def test_invalid_utf8_names_byte_line_and_column() -> None:
    with pytest.raises(DocumentError) as caught:
        decode_json(b'{"a": 1,\n "b": "x\xff"}', "p.json")
    assert "byte 17 (line 2, column 9" in caught.value.render("en")
    assert caught.value.path == "b"


def test_a_byte_order_mark_is_accepted() -> None:
    assert decode_json(b'\xef\xbb\xbf{"a": 1}', "p.json") == {"a": 1}


def test_an_unpaired_surrogate_escape_is_refused_naming_the_field() -> None:
    with pytest.raises(DocumentError) as caught:
        decode_json(b'{"name": {"zh": "x\\ud800"}}', "p.json")
    assert caught.value.path == "name.zh"
    assert decode_json(b'{"a": "\\ud83d\\ude00"}', "p.json") == {"a": "\U0001f600"}  # a pair is a character


def test_a_document_nested_too_deeply_is_refused_not_a_crash() -> None:
    with pytest.raises(DocumentError) as caught:
        decode_json(b"[" * 100_000, "p.json")
    assert "nested too deeply" in caught.value.render("en")
