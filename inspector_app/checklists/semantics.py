"""The rules of a template that a field-by-field shape cannot express.

These run on a document that already has the right shape (defaults filled in),
so they can index freely; each returns problems with the path of the field to fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from inspector_app.platform.validation import Problem
from inspector_protocol.text import Text

_CONDITION_SOURCES = ("yes_no", "single_choice", "multiple_choice")


def semantic_problems(doc: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, str] = {}  # item id -> path of its first definition
    for path, item in _items_with_paths(doc):
        problems += _duplicate_id(item, path, seen)
        problems += _answer_problems(item["answer"], f"{path}.answer")
        problems += _condition_problems(item, path, seen, doc)
        problems += _failure_problems(item, path, doc)
        seen.setdefault(item["id"], path)
    problems += _scoring_problems(doc)
    return problems


def _items_with_paths(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for s, section in enumerate(doc["sections"]):
        for i, item in enumerate(section["items"]):
            yield f"sections[{s}].items[{i}]", item


def _duplicate_id(item: dict[str, Any], path: str, seen: dict[str, str]) -> list[Problem]:
    first = seen.get(item["id"])
    if first is None:
        return []
    return [Problem(f"{path}.id", Text(
        "检查项编号 “{id}” 与 {first} 重复（编号须在整个模板内唯一）",
        "item id '{id}' duplicates {first} (ids must be unique in the whole template)",
    ).format(id=item["id"], first=first))]


def can_fail(answer: dict[str, Any]) -> bool:
    """Whether some answer to this item is a finding."""
    kind = answer["type"]
    if kind == "yes_no":
        return answer["pass"] is not None
    if kind == "number":
        return answer["acceptable_min"] is not None or answer["acceptable_max"] is not None
    if kind in ("single_choice", "multiple_choice"):
        return any(o["failing"] for o in answer["options"])
    if kind == "date":
        return bool(answer["past_is_failing"])
    return False


def _answer_problems(answer: dict[str, Any], path: str) -> list[Problem]:
    kind = answer["type"]
    if kind == "number":
        return _number_problems(answer, path)
    if kind == "multiple_choice":
        return _selection_problems(answer, path)
    if kind == "photo":
        return _ordered(path, [("min_photos", answer["min_photos"]),
                               ("max_photos", answer["max_photos"])])
    return []


def _selection_problems(answer: dict[str, Any], path: str) -> list[Problem]:
    count = len(answer["options"])
    most = answer["max_selected"] if answer["max_selected"] is not None else count
    problems = _ordered(path, [("min_selected", answer["min_selected"]), ("max_selected", most)])
    if most > count:
        problems.append(Problem(f"{path}.max_selected", Text(
            "最多可选 {most} 项，但只有 {count} 个选项",
            "up to {most} selections, but there are only {count} options",
        ).format(most=most, count=count)))
    return problems


def _number_problems(answer: dict[str, Any], path: str) -> list[Problem]:
    problems = _ordered(path, [(k, answer[k]) for k in
                               ("min", "acceptable_min", "acceptable_max", "max")])
    if answer["integer"]:
        for key in ("min", "max", "acceptable_min", "acceptable_max"):
            value = answer[key]
            if value is not None and value != int(value):
                problems.append(Problem(f"{path}.{key}", Text(
                    "整数型答案的界限必须是整数，实际为 {v}",
                    "the bounds of an integer answer must be integers, not {v}",
                ).format(v=value)))
    return problems


def _ordered(path: str, bounds: list[tuple[str, float | None]]) -> list[Problem]:
    """Bounds must not decrease in the order given (min ≤ acceptable_min ≤ ... ≤ max)."""
    problems: list[Problem] = []
    present = [(k, v) for k, v in bounds if v is not None]
    for (low_key, low), (high_key, high) in pairwise(present):
        if low > high:
            problems.append(Problem(f"{path}.{high_key}", Text(
                "{high_key}（{high}）不能小于 {low_key}（{low}）",
                "{high_key} ({high}) must not be less than {low_key} ({low})",
            ).format(high_key=high_key, high=high, low_key=low_key, low=low)))
    return problems


def _condition_problems(item: dict[str, Any], path: str, seen: dict[str, str],
                        doc: dict[str, Any]) -> list[Problem]:
    condition = item["show_if"]
    if condition is None:
        return []
    where = f"{path}.show_if.item"
    target = condition["item"]
    if target == item["id"]:
        return [Problem(where, Text("显示条件不能引用本检查项自身",
                                    "a condition cannot refer to its own item"))]
    if target not in seen:
        later = any(other["id"] == target for _, other in _items_with_paths(doc))
        text = (Text("显示条件引用了后面的检查项 “{id}”；条件只能引用前面的检查项",
                     "the condition refers to the later item '{id}'; conditions may only "
                     "refer to earlier items")
                if later else
                Text("显示条件引用了不存在的检查项 “{id}”",
                     "the condition refers to the unknown item '{id}'"))
        return [Problem(where, text.format(id=target))]
    source = _item_at(doc, seen[target])["answer"]
    return _condition_value_problems(condition, source, path)


def _condition_value_problems(condition: dict[str, Any], source: dict[str, Any],
                              path: str) -> list[Problem]:
    if source["type"] not in _CONDITION_SOURCES:
        return [Problem(f"{path}.show_if.item", Text(
            "显示条件只能引用是否题或选择题，“{id}” 的答案类型为 {type}",
            "a condition can only refer to a yes/no or choice item; '{id}' is {type}",
        ).format(id=condition["item"], type=source["type"]))]
    if source["type"] == "yes_no":
        possible = ["yes", "no"] + (["na"] if source["allow_na"] else [])
    else:
        possible = [o["value"] for o in source["options"]]
    return [
        Problem(f"{path}.show_if.any_of[{k}]", Text(
            "“{value}” 不是 “{id}” 可能的答案（可能的答案：{possible}）",
            "'{value}' is not a possible answer of '{id}' (possible: {possible})",
        ).format(value=value, id=condition["item"], possible=", ".join(possible)))
        for k, value in enumerate(condition["any_of"])
        if value not in possible
    ]


def _item_at(doc: dict[str, Any], path: str) -> dict[str, Any]:
    return next(item for p, item in _items_with_paths(doc) if p == path)


def _failure_problems(item: dict[str, Any], path: str, doc: dict[str, Any]) -> list[Problem]:
    failable = can_fail(item["answer"])
    if failable and doc["kind"] == "non_enforcement":
        return [Problem(f"{path}.answer", Text(
            "非执法类记录不产生问题：此答案设置了不合格的取值",
            "a non-enforcement record has no findings, but this answer defines failing values",
        ))]
    if failable and item["rectification"] is None:
        return [Problem(f"{path}.rectification", Text(
            "此检查项可能不合格，须给出整改要求和默认整改期限",
            "this item can fail, so it needs a rectification requirement and default deadline",
        ))]
    if not failable and item["rectification"] is not None:
        return [Problem(f"{path}.rectification", Text(
            "此检查项的任何答案都不会不合格，不应设置整改要求",
            "no answer to this item can fail, so it must not have a rectification",
        ))]
    if failable and item["severity"] == "info":
        return [Problem(f"{path}.severity", Text(
            "可能不合格的检查项不能标为“提示”（info），应为 general 或 major",
            "an item that can fail cannot be 'info'; use general or major",
        ))]
    return []


def _scoring_problems(doc: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    scored = doc["scoring"] is not None
    if scored and doc["kind"] == "non_enforcement":
        problems.append(Problem("scoring", Text("非执法类记录不评分",
                                                "a non-enforcement record is not scored")))
    total = 0
    for path, item in _items_with_paths(doc):
        points = item["points"]
        if points is None:
            total += 1 if can_fail(item["answer"]) else 0
            continue
        total += points
        if not scored:
            problems.append(Problem(f"{path}.points", Text(
                "模板未定义 scoring，检查项不能设置分值",
                "the template has no scoring, so items cannot have points")))
        elif points > 0 and not can_fail(item["answer"]):
            problems.append(Problem(f"{path}.points", Text(
                "不会不合格的检查项不能计分", "an item that cannot fail cannot carry points")))
    if scored and total == 0:
        problems.append(Problem("scoring", Text("没有任何计分的检查项",
                                                "no item carries any points")))
    return problems
