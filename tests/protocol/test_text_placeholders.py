"""Every bilingual text names the same {placeholders} in Chinese and in English.

A placeholder missing on one side silently drops a value (a count, a file name) for
readers of that language; one only on the other side raises KeyError when the
message is shown, usually on an error path nobody has tried in that language.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("inspector_protocol", "inspector_app", "inspector_central", "bench", "tests")


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def text_pairs(tree: ast.AST) -> Iterator[tuple[int, str, str]]:
    """``Text("…", "…")`` calls (positional or ``zh=``/``en=``) with literal strings."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else (
            node.func.attr if isinstance(node.func, ast.Attribute) else None)
        if name != "Text":
            continue
        given = dict(zip(("zh", "en"), node.args, strict=False))
        given.update({k.arg: k.value for k in node.keywords if k.arg in ("zh", "en")})
        zh, en = _literal(given.get("zh")), _literal(given.get("en"))
        if zh is not None and en is not None:
            yield node.lineno, zh, en


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def _mismatches(source: str, where: str) -> list[str]:
    found = []
    for line, zh, en in text_pairs(ast.parse(source)):
        try:
            zh_fields, en_fields = placeholders(zh), placeholders(en)
        except ValueError as exc:  # an unbalanced brace: the message cannot be formatted
            found.append(f"{where}:{line}: {exc}")
            continue
        if zh_fields != en_fields:
            found.append(f"{where}:{line}: zh {sorted(zh_fields)} ≠ en {sorted(en_fields)}")
    return found


def test_every_text_pair_has_the_same_placeholders() -> None:
    problems, pairs = [], 0
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            pairs += sum(1 for _ in text_pairs(ast.parse(source)))
            problems += _mismatches(source, str(path.relative_to(REPO)))
    assert pairs > 500  # the walk really sees the code base's messages
    assert problems == [], "\n".join(problems)


def test_the_check_itself_sees_a_mismatch() -> None:
    sample = ('Text("已导出 {n} 条", "Exported {count} events")\n'
              'Text(zh="文件 {path}", en="File {path}")\n'
              'Text("坏 {", "bad {")\n'
              'Text("{n} 条", "{n} events").format(n=1)\n')
    found = _mismatches(sample, "sample.py")
    assert len(found) == 2 and "sample.py:1" in found[0] and "sample.py:3" in found[1]
