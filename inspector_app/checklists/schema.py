"""The checklist template format ``inspector-checklist/1``: shape, meaning, identity.

A template is written by department staff and then drives forms on tablets that
nobody debugs in the field, so a template is refused as a whole, at load time,
with every problem named by its path (``sections[1].items[3].answer.unit``):
first the shape (:data:`TEMPLATE_SPEC`), then the rules a shape cannot express
(unique ids across sections, conditions that look back, a rectification on every
item that can fail).  The format is documented in ``docs/checklist-format.md``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from inspector_app.checklists.model import (
    SCHEMA_ID,
    SEVERITIES,
    TEMPLATE_KINDS,
    AnswerSpec,
    Condition,
    DateAnswer,
    Item,
    MultipleChoiceAnswer,
    NumberAnswer,
    Option,
    PhotoAnswer,
    Rectification,
    Scoring,
    Section,
    SingleChoiceAnswer,
    Template,
    TemplateRef,
    TextAnswer,
    YesNoAnswer,
)
from inspector_app.checklists.semantics import semantic_problems
from inspector_app.platform.jsondoc import decode_json
from inspector_app.platform.validation import (
    LANG_TEXT,
    Bool,
    Field,
    Int,
    ListOf,
    Number,
    Obj,
    SchemaError,
    Str,
    Tagged,
    validate,
)
from inspector_app.profile.model import LangText
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
ID = Str(pattern=r"[a-z0-9][a-z0-9_.-]{0,63}")
_OPTIONAL_TEXT = Field(LANG_TEXT, required=False)
_BOUND = Field(Number(), required=False)

_OPTION = Obj({
    "value": Str(max_len=64, pattern=r"[A-Za-z0-9_.-]+"),
    "label": LANG_TEXT,
    "failing": Field(Bool(), required=False, default=False),
})
_OPTIONS = ListOf(_OPTION, min_items=2, max_items=100, unique_by=lambda o: o["value"])

ANSWER_SPEC = Tagged("type", {
    "yes_no": Obj({
        "type": Str(),
        "pass": Field(Str(choices=("yes", "no")), required=False),
        "allow_na": Field(Bool(), required=False, default=True),
    }),
    "number": Obj({
        "type": Str(),
        "unit": Field(Str(max_len=20), required=False),
        "min": _BOUND,
        "max": _BOUND,
        "integer": Field(Bool(), required=False, default=False),
        "acceptable_min": _BOUND,
        "acceptable_max": _BOUND,
    }),
    "text": Obj({
        "type": Str(),
        "max_length": Field(Int(minimum=1, maximum=10_000), required=False, default=2000),
    }),
    "single_choice": Obj({"type": Str(), "options": _OPTIONS}),
    "multiple_choice": Obj({
        "type": Str(),
        "options": _OPTIONS,
        "min_selected": Field(Int(minimum=0, maximum=100), required=False, default=0),
        "max_selected": Field(Int(minimum=1, maximum=100), required=False),
    }),
    "date": Obj({
        "type": Str(),
        "past_is_failing": Field(Bool(), required=False, default=False),
    }),
    "photo": Obj({
        "type": Str(),
        "min_photos": Field(Int(minimum=1, maximum=50), required=False, default=1),
        "max_photos": Field(Int(minimum=1, maximum=50), required=False, default=10),
    }),
})

ITEM_SPEC = Obj({
    "id": ID,
    "title": LANG_TEXT,
    "content": LANG_TEXT,
    "guidance": _OPTIONAL_TEXT,
    "answer": ANSWER_SPEC,
    "required": Field(Bool(), required=False, default=True),
    "show_if": Field(Obj({
        "item": ID,
        "any_of": ListOf(Str(max_len=64), min_items=1, max_items=100, unique_by=lambda v: v),
    }), required=False),
    "legal_basis": Field(ListOf(LANG_TEXT, max_items=20), required=False, default=[]),
    "severity": Field(Str(choices=SEVERITIES), required=False, default="general"),
    "rectification": Field(Obj({
        "requirement": LANG_TEXT,
        "deadline_days": Int(minimum=0, maximum=365),
    }), required=False),
    "points": Field(Int(minimum=0, maximum=1000), required=False),
})

TEMPLATE_SPEC = Obj({
    "schema": Str(choices=(SCHEMA_ID,)),
    "id": ID,
    "version": Int(minimum=1, maximum=1_000_000),
    "kind": Str(choices=TEMPLATE_KINDS),
    "departments": Field(ListOf(ID, unique_by=lambda d: d), required=False, default=[]),
    "title": LANG_TEXT,
    "description": _OPTIONAL_TEXT,
    "scoring": Field(Obj({"pass_percent": Int(minimum=0, maximum=100)}), required=False),
    "sections": ListOf(
        Obj({
            "id": ID,
            "title": LANG_TEXT,
            "items": ListOf(ITEM_SPEC, min_items=1, max_items=500),
        }),
        min_items=1,
        max_items=100,
        unique_by=lambda s: s["id"],
    ),
})


def canonical_json(document: Any) -> bytes:
    """The bytes a template's hash is taken over: sorted keys, no spaces, UTF-8.

    Hashing the canonical form rather than the file means re-indenting or
    re-ordering keys keeps a template's identity; changing any value changes it.
    """
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(document: Any) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


def parse_template(raw: bytes, source: str = "template") -> Template:
    """Validate template bytes (UTF-8 JSON) and build the typed :class:`Template`."""
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise UserError(
            Text("{source} 过大（{n} 字节，上限 {max}）", "{source} is too large ({n} bytes, max {max})")
            .format(source=source, n=len(raw), max=MAX_TEMPLATE_BYTES),
            code="checklist.too_large",
        )
    return template_from_document(decode_json(raw, source), source)


def template_from_document(document: Any, source: str = "template") -> Template:
    """Validate an already decoded template document (e.g. from a sync reply)."""
    cleaned = validate(TEMPLATE_SPEC, document, source)
    problems = semantic_problems(cleaned)
    if problems:
        raise SchemaError(source, problems)
    return _build(cleaned, content_hash(document), document)


def _lang(value: dict[str, Any]) -> LangText:
    return LangText(zh=value["zh"], en=value.get("en"))


def _build(doc: dict[str, Any], digest: str, original: dict[str, Any]) -> Template:
    scoring = doc["scoring"]
    return Template(
        ref=TemplateRef(doc["id"], doc["version"], digest),
        kind=doc["kind"],
        departments=tuple(doc["departments"]),
        title=_lang(doc["title"]),
        description=_lang(doc["description"]) if doc["description"] else None,
        sections=tuple(
            Section(s["id"], _lang(s["title"]),
                    tuple(_build_item(i, scored=scoring is not None) for i in s["items"]))
            for s in doc["sections"]
        ),
        scoring=Scoring(scoring["pass_percent"]) if scoring else None,
        document=original,
    )


def _build_item(doc: dict[str, Any], *, scored: bool) -> Item:
    answer = build_answer(doc["answer"])
    show_if, rect = doc["show_if"], doc["rectification"]
    default_points = 1 if scored and answer.can_fail else 0
    return Item(
        id=doc["id"],
        title=_lang(doc["title"]),
        content=_lang(doc["content"]),
        guidance=_lang(doc["guidance"]) if doc["guidance"] else None,
        answer=answer,
        required=doc["required"],
        show_if=Condition(show_if["item"], tuple(show_if["any_of"])) if show_if else None,
        legal_basis=tuple(_lang(b) for b in doc["legal_basis"]),
        severity=doc["severity"],
        rectification=(Rectification(_lang(rect["requirement"]), rect["deadline_days"])
                       if rect else None),
        points=doc["points"] if doc["points"] is not None else default_points,
    )


def build_answer(doc: dict[str, Any]) -> AnswerSpec:
    kind = doc["type"]
    if kind == "yes_no":
        return YesNoAnswer(pass_value=doc["pass"], allow_na=doc["allow_na"])
    if kind == "number":
        return NumberAnswer(doc["unit"], doc["min"], doc["max"], doc["integer"],
                            doc["acceptable_min"], doc["acceptable_max"])
    if kind == "text":
        return TextAnswer(doc["max_length"])
    if kind == "date":
        return DateAnswer(doc["past_is_failing"])
    if kind == "photo":
        return PhotoAnswer(doc["min_photos"], doc["max_photos"])
    options = tuple(Option(o["value"], _lang(o["label"]), o["failing"]) for o in doc["options"])
    if kind == "single_choice":
        return SingleChoiceAnswer(options)
    max_selected = doc["max_selected"] if doc["max_selected"] is not None else len(options)
    return MultipleChoiceAnswer(options, doc["min_selected"], max_selected)
