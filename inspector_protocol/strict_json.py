"""Decode an outside JSON document (profile, template, bundle) with errors a person can act on.

``json`` says "Expecting ',' delimiter: line 40 column 5"; an IT officer editing a
profile also wants to know *which field* was being written when the file broke.
:func:`decode_json` names the line, column and field path for invalid UTF-8,
truncation and syntax errors, and refuses what lenient readers let through:
duplicate keys (a second value silently winning is how misconfigurations hide)
and ``NaN`` / ``Infinity``, which are not JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

from inspector_protocol.errors import UserError
from inspector_protocol.text import Text


class DocumentError(UserError):
    """The bytes are not a well-formed JSON document; ``path`` is where it broke."""

    def __init__(self, text: Text, path: str) -> None:
        super().__init__(text, code="document.malformed")
        self.path = path


class _Refused(ValueError):
    """A duplicate key or a non-JSON constant, found while the text is read."""

    def __init__(self, text: Text, path: str) -> None:
        super().__init__(path)
        self.text, self.path = text, path


def decode_json(raw: bytes, source: str) -> Any:
    """Parse ``raw`` (UTF-8 JSON) or raise :class:`DocumentError` naming the place."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start].decode("utf-8", errors="replace")
        raise _error(Text("{source} 不是有效的 UTF-8：第 {offset} 字节"
                          "（第 {line} 行第 {col} 列，字段 {path}）",
                          "{source} is not valid UTF-8: byte {offset} (line {line}, column {col}, "
                          "in field {path})"), source, prefix, offset=exc.start) from None
    text = text.removeprefix("\ufeff")
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except _Refused as exc:
        raise DocumentError(exc.text.format(source=source), exc.path) from None
    except RecursionError:
        raise DocumentError(Text("{source} 嵌套层数过多", "{source} is nested too deeply")
                            .format(source=source), "") from None
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        template = (Text("{source} 不完整（文件被截断），中断于第 {line} 行第 {col} 列，字段 {path}",
                         "{source} is incomplete (truncated) at line {line}, column {col}, "
                         "inside field {path}")
                    if truncated else
                    Text("{source} 格式错误：第 {line} 行第 {col} 列，字段 {path}：{msg}",
                         "{source} is malformed at line {line}, column {col}, field {path}: {msg}"))
        raise _error(template, source, text[: exc.pos], msg=exc.msg) from None
    _refuse_lone_surrogates(document, source)
    return document


def _refuse_lone_surrogates(document: Any, source: str) -> None:
    """``"\\ud800"`` is valid JSON syntax but no character: it cannot be stored or shown."""
    written = json.dumps(document, ensure_ascii=False)
    try:
        written.encode("utf-8")
    except UnicodeEncodeError as exc:
        path = path_at(written[: exc.start])
        text = Text("{source} 的字段 {path} 含有不成对的代理项转义（\\ud800–\\udfff），不是字符",
                    "{source} has an unpaired surrogate escape (\\ud800–\\udfff), which is "
                    "not a character, in field {path}")
        raise DocumentError(text.format(source=source, path=path or "<top>"), path) from None


def _error(template: Text, source: str, prefix: str, **params: object) -> DocumentError:
    path = path_at(prefix)
    line = prefix.count("\n") + 1
    col = len(prefix) - prefix.rfind("\n")
    text = template.format(source=source, path=path or "<top>", line=line, col=col, **params)
    return DocumentError(text, path)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(Text("{source} 中字段 “{key}” 重复出现", "{source} has the field '{key}' twice")
                           .format(key=key), key)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise _Refused(Text("{source} 含有 {name}，它不是 JSON 取值", "{source} contains {name}, which is not "
                        "a JSON value").format(name=name), "")


def path_at(prefix: str) -> str:
    """The field path (``a.b[2].c``) open at the end of a JSON text prefix.

    A scanner rather than a parser: per open container it keeps the last key read
    (objects) or the element index (arrays), which is all it takes to say where a
    broken document broke.
    """
    frames: list[list[Any]] = []  # [key, or index in an array; whether a key comes next]
    for token in _TOKEN.finditer(prefix):
        ch = token.group()[0]
        if ch == '"' and frames and frames[-1][1]:
            frames[-1][0] = token.group(1)
        elif ch in "{[":
            frames.append([None, True] if ch == "{" else [0, False])
        elif ch in "}]" and frames:
            frames.pop()
        elif ch == "," and frames and isinstance(frames[-1][0], int):
            frames[-1][0] += 1
        elif ch in ":," and frames:
            frames[-1][1] = ch == ","
    return "".join(f"[{key}]" if isinstance(key, int) else f".{key}"
                   for key, _ in frames if key is not None).removeprefix(".")


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"?|[{}\[\],:]')
