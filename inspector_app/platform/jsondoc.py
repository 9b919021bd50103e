"""Decode an outside JSON document (profile, template, bundle) with errors a person can act on.

``json`` says "Expecting ',' delimiter: line 40 column 5"; an IT officer editing a
profile wants to know *which field* was being written when the file broke off.
:func:`decode_json` therefore names the field path at the point of failure for
invalid UTF-8, truncation and syntax errors, and rejects duplicate keys (a
second value silently winning is how misconfigurations hide).
"""

from __future__ import annotations

import json
from typing import Any

from inspector_protocol.errors import UserError
from inspector_protocol.text import Text


class DocumentError(UserError):
    """The bytes are not a well-formed JSON document; ``path`` is where it broke."""

    def __init__(self, text: Text, path: str) -> None:
        super().__init__(text, code="document.malformed")
        self.path = path


def decode_json(raw: bytes, source: str) -> Any:
    """Parse ``raw`` (UTF-8 JSON) or raise :class:`DocumentError` naming the place."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start].decode("utf-8", errors="replace")
        path = path_at(prefix)
        raise DocumentError(
            Text(
                "{source} 不是有效的 UTF-8：第 {offset} 字节处（字段 {path}）",
                "{source} is not valid UTF-8: byte {offset} (in field {path})",
            ).format(source=source, offset=exc.start, path=path or "<top>"),
            path,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except _DuplicateKey as exc:
        raise DocumentError(
            Text(
                "{source} 中字段 “{key}” 重复出现",
                "{source} has the field '{key}' twice",
            ).format(source=source, key=exc.key),
            exc.key,
        ) from None
    except json.JSONDecodeError as exc:
        path = path_at(text[: exc.pos])
        truncated = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        template = (
            Text(
                "{source} 不完整（文件被截断），中断于字段 {path}",
                "{source} is incomplete (truncated) inside field {path}",
            )
            if truncated
            else Text(
                "{source} 格式错误：第 {line} 行第 {col} 列，字段 {path}：{msg}",
                "{source} is malformed at line {line}, column {col}, field {path}: {msg}",
            )
        )
        raise DocumentError(
            template.format(
                source=source, path=path or "<top>", line=exc.lineno, col=exc.colno, msg=exc.msg
            ),
            path,
        ) from None


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def path_at(prefix: str) -> str:
    """The field path (``a.b[2].c``) open at the end of a JSON text prefix.

    A small scanner rather than a parser: it tracks containers, the last key
    read in each object and the element index in each array, which is all that
    is needed to say where a broken document broke.
    """
    stack: list[list[Any]] = []  # [kind, key or index, expecting_key]
    i, n = 0, len(prefix)
    while i < n:
        ch = prefix[i]
        if ch == '"':
            end, value = _scan_string(prefix, i)
            if stack and stack[-1][0] == "obj" and stack[-1][2]:
                stack[-1][1] = value
            i = end
            continue
        if ch == "{":
            stack.append(["obj", None, True])
        elif ch == "[":
            stack.append(["arr", 0, False])
        elif ch in "}]":
            if stack:
                stack.pop()
        elif ch == ":":
            if stack and stack[-1][0] == "obj":
                stack[-1][2] = False
        elif ch == ",":
            if stack and stack[-1][0] == "obj":
                stack[-1][2] = True
            elif stack:
                stack[-1][1] += 1
        i += 1
    parts: list[str] = []
    for kind, key, _ in stack:
        if kind == "obj" and key is not None:
            parts.append(("." if parts else "") + str(key))
        elif kind == "arr":
            parts.append(f"[{key}]")
    return "".join(parts)


def _scan_string(text: str, start: int) -> tuple[int, str]:
    """Return the index after the string starting at ``start`` and its raw content."""
    i = start + 1
    out: list[str] = []
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            out.append(text[i : i + 2])
            i += 2
            continue
        if ch == '"':
            return i + 1, "".join(out)
        out.append(ch)
        i += 1
    return i, "".join(out)
