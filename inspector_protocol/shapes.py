"""Document shapes declared once, as pydantic models, and what their errors say to a person.

Profiles and checklist templates are JSON written by someone else and then drive
tablets nobody debugs in the field.  Each is one frozen, strict pydantic model
that forbids unknown fields: the model is at once the published JSON Schema
(``docs/schemas/``), the validator and the typed object the code uses.  This
module turns pydantic's errors into bilingual messages from one table, each with
the path of the field (``departments[1].name.zh``), every problem at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from inspector_protocol.errors import UserError
from inspector_protocol.strict_json import decode_json
from inspector_protocol.text import LANGS, Lang, Text

M = TypeVar("M", bound="Shape")


class Shape(BaseModel):
    """Base of every document model: immutable, strict JSON types, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class ShapeProblem(ValueError):
    """Raised by a validator of meaning (a valid USCC, a parseable key, ...)."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.render("en"))
        self.text = text


def problems_at(title: str, problems: Iterable[tuple[tuple[str | int, ...], Text]]) -> ValidationError:
    """One error with several places, for rules across fields; pydantic prefixes the locations."""
    return ValidationError.from_exception_data(title, [
        InitErrorDetails(type=PydanticCustomError("shape_problem", "{en}", {"en": text.render("en"),
                                                                          "text": text}),
                         loc=loc, input=None)
        for loc, text in problems])


def unique_by(key: Callable[[Any], Hashable]) -> AfterValidator:
    """For a tuple field: no two elements may share ``key`` (the later ones are reported)."""
    def check(values: tuple[Any, ...]) -> tuple[Any, ...]:
        first: dict[Hashable, int] = {}
        duplicates = [((i,), Text("与第 {first} 项重复：{key}", "duplicates element {first}: {key}")
                       .format(first=first[k], key=k))
                      for i, k in enumerate(map(key, values)) if first.setdefault(k, i) != i]
        if duplicates:
            raise problems_at("duplicates", duplicates)
        return values
    return AfterValidator(check)


@dataclass(frozen=True)
class Problem:
    path: str
    text: Text

    def render(self, lang: Lang) -> str:
        return f"{self.path or '<top>'}: {self.text.render(lang)}"


class SchemaError(UserError):
    """A document does not have the declared shape; ``problems`` lists every fault."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        zh, en = ("\n".join("  " + p.render(lang) for p in problems) for lang in LANGS)
        summary = Text("{source} 有 {n} 处错误：\n{details}", "{source} has {n} problem(s):\n{details}")
        super().__init__(summary.format(source=source, n=len(problems), details=Text(zh, en)),
                         code="document.schema")


def parse_document(model: type[M], raw: bytes, source: str, max_bytes: int) -> tuple[M, Any]:
    """Decode ``raw`` strictly and validate it: the typed document and the decoded JSON."""
    if len(raw) > max_bytes:
        raise UserError(Text("{source} 过大（{n} 字节，上限 {max}）",
                             "{source} is too large ({n} bytes, max {max})")
                        .format(source=source, n=len(raw), max=max_bytes), code="document.too_large")
    document = decode_json(raw, source)
    return validate_document(model, document, source), document


def validate_document(model: type[M], document: Any, source: str) -> M:
    """Validate decoded JSON against ``model`` in strict JSON mode, or raise :class:`SchemaError`."""
    try:
        return model.model_validate_json(json.dumps(document, ensure_ascii=False), strict=True)
    except ValidationError as exc:
        errors = exc.errors()
        # A collection whose elements failed is also "too short after validation": say it once.
        inner = {e["loc"][:n] for e in errors for n in range(len(e["loc"]))}
        schema = _schema(model)
        raise SchemaError(source, [_problem(error, schema) for error in errors
                                   if not (error["type"] == "too_short" and error["loc"] in inner)]) from None


@cache
def _schema(model: type[Shape]) -> dict[str, Any]:
    return model.model_json_schema()


def _problem(error: ErrorDetails, root: dict[str, Any]) -> Problem:
    """Where an error is (in the document's terms) and what it says."""
    parts: list[str] = []
    parent: dict[str, Any] = {}
    node = _resolve(root, root)
    for part in error["loc"]:
        mapping = node.get("discriminator", {}).get("mapping", {})
        if part in mapping:  # pydantic names the union member it tried: not a field of the document
            node = _resolve(root, {"$ref": mapping[part]})
            continue
        parts.append(f"[{part}]" if isinstance(part, int) else f"{'.' if parts else ''}{part}")
        parent = node
        node = _resolve(root, node.get("items", {}) if isinstance(part, int)
                        else node.get("properties", {}).get(part, {}))
    path = "".join(parts)
    kind = error["type"]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        path = f"{path}.{node.get('discriminator', {}).get('propertyName', 'type')}"
    return Problem(path, _MESSAGES.get(kind, _fallback)(error, node, parent))


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` and see through ``X | None``."""
    while True:
        if "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in node:
            node = next(n for n in node["anyOf"] if n.get("type") != "null")
        else:
            return node


def _got(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    names: dict[type, str] = {dict: "object", list: "array"}
    return names.get(type(value), type(value).__name__)


def _wrong_type(zh: str, en: str) -> Callable[[ErrorDetails, dict[str, Any], dict[str, Any]], Text]:
    return lambda e, node, parent: Text("应为{expected}，实际为 {got}", "must be {expected}, not {got}"
                                        ).format(expected=Text(zh, en), got=_got(e["input"]))


def _bounds(low: str, high: str, zh: str, en: str, measure: Callable[[Any], Any] | None = None
            ) -> Callable[[ErrorDetails, dict[str, Any], dict[str, Any]], Text]:
    """A range message naming both ends of the declared range (from the schema)."""
    return lambda e, node, parent: Text(zh, en).format(
        lo=node.get(low, "-∞" if measure is None else 0), hi=node.get(high, "∞"),
        got=e["input"] if measure is None else measure(e["input"]))


def _choices(e: ErrorDetails, node: dict[str, Any], parent: dict[str, Any]) -> Text:
    ctx = e.get("ctx", {})
    allowed = (node.get("enum") or ([node["const"]] if "const" in node else None)
               or list(node.get("discriminator", {}).get("mapping", {})))
    expected = ", ".join(map(str, allowed)) if allowed else ctx.get("expected", "")
    tagged = "discriminator" in node and isinstance(e["input"], dict)
    got = e["input"].get(node["discriminator"]["propertyName"]) if tagged else e["input"]
    return Text("应为以下之一：{choices}，实际为 {got}", "must be one of {choices}, not {got}").format(
        choices=expected, got=_got(got))


def _fallback(e: ErrorDetails, node: dict[str, Any], parent: dict[str, Any]) -> Text:
    return Text("无效（{msg}）", "is not valid ({msg})").format(msg=e["msg"])


def _meaning(e: ErrorDetails, node: dict[str, Any], parent: dict[str, Any]) -> Text:
    ctx = e.get("ctx", {})
    cause = ctx.get("error", ctx.get("text"))
    if isinstance(cause, ShapeProblem):
        return cause.text
    return cause if isinstance(cause, Text) else _fallback(e, node, parent)


_MISSING = Text("缺少必填字段", "required field is missing")

#: pydantic's error type → the bilingual message shown for it.
_MESSAGES: dict[str, Callable[[ErrorDetails, dict[str, Any], dict[str, Any]], Text]] = {
    "missing": lambda e, node, parent: _MISSING,
    "union_tag_not_found": lambda e, node, parent: _MISSING,
    "extra_forbidden": lambda e, node, parent: Text(
        "未知字段（允许的字段：{known}）", "unknown field (allowed: {known})").format(
        known=", ".join(parent.get("properties", {}))),
    "string_type": _wrong_type("文本", "a string"),
    "int_type": _wrong_type("整数", "an integer"),
    "float_type": _wrong_type("数字", "a number"),
    "bool_type": _wrong_type("true 或 false", "true or false"),
    "model_type": _wrong_type("对象", "an object"),
    "dict_type": _wrong_type("对象", "an object"),
    "tuple_type": _wrong_type("数组", "an array"),
    "list_type": _wrong_type("数组", "an array"),
    "literal_error": _choices,
    "union_tag_invalid": _choices,
    "string_pattern_mismatch": lambda e, node, parent: Text(
        "格式不符（{pattern}）：{got}", "does not match the format {pattern}: {got}").format(
        pattern=str(e.get("ctx", {}).get("pattern")).strip("^$"), got=_got(e["input"])),
    **dict.fromkeys(("greater_than_equal", "less_than_equal"), _bounds(
        "minimum", "maximum", "应在 {lo}–{hi} 之间，实际为 {got}",
        "must be between {lo} and {hi}, not {got}")),
    **dict.fromkeys(("string_too_short", "string_too_long"), _bounds(
        "minLength", "maxLength", "长度应在 {lo}–{hi} 之间，实际为 {got}",
        "length must be {lo}–{hi}, not {got}", len)),
    **dict.fromkeys(("too_short", "too_long"), _bounds(
        "minItems", "maxItems", "元素个数应在 {lo}–{hi} 之间，实际为 {got}",
        "must have {lo}–{hi} elements, not {got}", len)),
    "value_error": _meaning,
    "shape_problem": _meaning,
}
