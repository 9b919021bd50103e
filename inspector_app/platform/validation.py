"""A small strict schema checker for documents that come from outside.

Profiles, checklist templates, bundles and server replies are all JSON written
by someone else.  They are checked against a declared shape before anything
uses them: unknown keys, wrong types, out-of-range numbers and missing fields
are all reported, each with the path of the field (``departments[1].name.zh``),
so the person who wrote the file can find and fix every problem in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from inspector_protocol.errors import UserError
from inspector_protocol.text import Text


@dataclass(frozen=True)
class Problem:
    path: str
    text: Text

    def render(self, lang: str) -> str:
        where = self.path or "<top>"
        return f"{where}: {self.text.render('zh' if lang == 'zh' else 'en')}"


class SchemaError(UserError):
    """A document does not have the declared shape; ``problems`` lists every fault."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        summary = Text("{source} 有 {n} 处错误：\n{details}", "{source} has {n} problem(s):\n{details}")
        details = Text("\n".join("  " + p.render("zh") for p in problems),
                       "\n".join("  " + p.render("en") for p in problems))
        super().__init__(
            summary.format(source=source, n=len(problems), details=details),
            code="document.schema",
        )


class Spec:
    """A declared shape.  ``check`` appends problems and returns the cleaned value."""

    def check(self, value: Any, path: str, problems: list[Problem]) -> Any:
        raise NotImplementedError


def _wrong_type(path: str, problems: list[Problem], expected_zh: str, expected_en: str,
                value: Any) -> None:
    problems.append(
        Problem(
            path,
            Text("应为{expected}，实际为 {got}", "must be {expected}, not {got}").format(
                expected=Text(expected_zh, expected_en), got=_describe(value)
            ),
        )
    )


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    return type(value).__name__.replace("dict", "object").replace("list", "array")


@dataclass(frozen=True)
class Str(Spec):
    min_len: int = 1
    max_len: int = 10_000
    pattern: str | None = None
    choices: tuple[str, ...] | None = None

    def check(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if not isinstance(value, str):
            _wrong_type(path, problems, "文本", "a string", value)
            return value
        if not self.min_len <= len(value) <= self.max_len:
            problems.append(Problem(path, Text(
                "长度应在 {lo}–{hi} 之间，实际为 {n}", "length must be {lo}–{hi}, not {n}"
            ).format(lo=self.min_len, hi=self.max_len, n=len(value))))
        elif self.choices is not None and value not in self.choices:
            problems.append(Problem(path, Text(
                "应为以下之一：{choices}，实际为 {got}", "must be one of {choices}, not {got}"
            ).format(choices=", ".join(self.choices), got=repr(value))))
        elif self.pattern is not None and not re.fullmatch(self.pattern, value):
            problems.append(Problem(path, Text(
                "格式不符（{pattern}）：{got}", "does not match the format {pattern}: {got}"
            ).format(pattern=self.pattern, got=repr(value))))
        return value


def _check_range(value: float, lo: float | None, hi: float | None, path: str,
                 problems: list[Problem]) -> None:
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        problems.append(Problem(path, Text(
            "应在 {lo}–{hi} 之间，实际为 {got}", "must be between {lo} and {hi}, not {got}"
        ).format(lo=lo, hi=hi, got=value)))


@dataclass(frozen=True)
class Int(Spec):
    minimum: int | None = None
    maximum: int | None = None

    def check(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            _wrong_type(path, problems, "整数", "an integer", value)
        else:
            _check_range(value, self.minimum, self.maximum, path, problems)
        return value


@dataclass(frozen=True)
class Number(Spec):
    minimum: float | None = None
    maximum: float | None = None

    def check(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if not isinstance(value, int | float) or isinstance(value, bool):
            _wrong_type(path, problems, "数字", "a number", value)
        else:
            _check_range(value, self.minimum, self.maximum, path, problems)
        return value


@dataclass(frozen=True)
class Bool(Spec):
    def check(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if not isinstance(value, bool):
            _wrong_type(path, problems, "true 或 false", "true or false", value)
        return value


@dataclass(frozen=True)
class ListOf(Spec):
    item: Spec
    min_items: int = 0
    max_items: int = 100_000
    unique_by: Callable[[Any], Any] | None = None

    def check(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if not isinstance(value, list):
            _wrong_type(path, problems, "数组", "an array", value)
            return value
        if not self.min_items <= len(value) <= self.max_items:
            problems.append(Problem(path, Text(
                "元素个数应在 {lo}–{hi} 之间，实际为 {n}", "must have {lo}–{hi} elements, not {n}"
            ).format(lo=self.min_items, hi=self.max_items, n=len(value))))
        cleaned = [self.item.check(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
        if self.unique_by is not None:
            seen: dict[Any, int] = {}
            for i, v in enumerate(cleaned):
                try:
                    key = self.unique_by(v)
                except (KeyError, TypeError):
                    continue  # already reported as a shape problem
                if key in seen:
                    problems.append(Problem(f"{path}[{i}]", Text(
                        "与第 {first} 项重复：{key}", "duplicates element {first}: {key}"
                    ).format(first=seen[key], key=key)))
                else:
                    seen[key] = i
        return cleaned


@dataclass(frozen=True)
class Field:
    spec: Spec
    required: bool = True
    default: Any = None


@dataclass(frozen=True)
class Obj(Spec):
    fields: Mapping[str, Field | Spec] = field(default_factory=dict)

    def check(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if not isinstance(value, dict):
            _wrong_type(path, problems, "对象", "an object", value)
            return value
        cleaned: dict[str, Any] = {}
        for key in value:
            if key not in self.fields:
                known = ", ".join(self.fields)
                problems.append(Problem(_join(path, key), Text(
                    "未知字段（允许的字段：{known}）", "unknown field (allowed: {known})"
                ).format(known=known)))
        for key, declared in self.fields.items():
            fld = declared if isinstance(declared, Field) else Field(declared)
            sub = _join(path, key)
            if key in value:
                cleaned[key] = fld.spec.check(value[key], sub, problems)
            elif fld.required:
                problems.append(Problem(sub, Text("缺少必填字段", "required field is missing")))
            else:
                cleaned[key] = fld.default
        return cleaned


@dataclass(frozen=True)
class MapOf(Spec):
    """An object used as a dictionary: free keys of one shape, values of another."""

    key: Str
    value: Spec

    def check(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if not isinstance(value, dict):
            _wrong_type(path, problems, "对象", "an object", value)
            return value
        return {
            self.key.check(k, _join(path, k), problems): self.value.check(v, _join(path, k),
                                                                         problems)
            for k, v in value.items()
        }


@dataclass(frozen=True)
class Custom(Spec):
    """A base spec plus a check of meaning (a valid USCC, a parseable key, ...)."""

    base: Spec
    validate: Callable[[Any], Text | None]

    def check(self, value: Any, path: str, problems: list[Problem]) -> Any:
        before = len(problems)
        cleaned = self.base.check(value, path, problems)
        if len(problems) == before:
            problem = self.validate(cleaned)
            if problem is not None:
                problems.append(Problem(path, problem))
        return cleaned


@dataclass(frozen=True)
class Tagged(Spec):
    """An object whose shape depends on one of its fields (a discriminated union).

    ``{"type": "number", "unit": ...}`` and ``{"type": "single_choice", "options": ...}``
    are different shapes; checking them as one ``Obj`` with every field optional would
    accept nonsense such as a unit on a choice.  Each variant is an :class:`Obj` that
    also declares the tag field, so unknown-field messages list the right keys.
    """

    tag: str
    variants: Mapping[str, Obj]

    def check(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if not isinstance(value, dict):
            _wrong_type(path, problems, "对象", "an object", value)
            return value
        kind = value.get(self.tag)
        variant = self.variants.get(kind) if isinstance(kind, str) else None
        if variant is None:
            where = _join(path, self.tag)
            if self.tag not in value:
                problems.append(Problem(where, Text("缺少必填字段", "required field is missing")))
            else:
                problems.append(Problem(where, Text(
                    "应为以下之一：{choices}，实际为 {got}", "must be one of {choices}, not {got}"
                ).format(choices=", ".join(self.variants), got=_describe(kind))))
            return value
        return variant.check(value, path, problems)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


#: A text in both languages; Chinese is required, English optional.
LANG_TEXT = Obj({"zh": Str(), "en": Field(Str(), required=False)})


def validate(spec: Spec, value: Any, source: str) -> Any:
    """Check ``value`` against ``spec``; raise :class:`SchemaError` listing every problem."""
    problems: list[Problem] = []
    cleaned = spec.check(value, "", problems)
    if problems:
        raise SchemaError(source, problems)
    return cleaned
