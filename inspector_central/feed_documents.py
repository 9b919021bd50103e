"""Documents an administrator imports into the feeds, checked as strictly as the tablet would.

Registry entries need a valid USCC (GB 32100-2015); templates must pass the
checklist schema; issuer keys must be 32-byte Ed25519 keys.  A file with one bad
document imports nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from inspector_protocol import keys


class FeedDocumentError(ValueError):
    pass


def read_documents(feed: str, path: Path) -> list[tuple[str, dict[str, Any]]]:
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    try:
        values = json.loads(text) if stripped.startswith("[") else [
            json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as exc:
        raise FeedDocumentError(f"{path}: not JSON: {exc}") from None
    return [document_key(feed, value, f"{path}[{i}]") for i, value in enumerate(values)]


def document_key(feed: str, value: Any, where: str) -> tuple[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise FeedDocumentError(f"{where}: not an object")
    if feed == "registry":
        return _enterprise(value, where)
    if feed == "templates":
        return _template(value, where)
    return _issuer_key(value, where)


def _enterprise(value: dict[str, Any], where: str) -> tuple[str, dict[str, Any]]:
    from inspector_protocol.uscc import InvalidUSCC, parse_uscc

    try:
        uscc = parse_uscc(str(value.get("uscc", ""))).value
    except InvalidUSCC as exc:
        raise FeedDocumentError(f"{where}: {exc.text.render('en')}") from None
    name = value.get("name")
    if not isinstance(name, str) or not 0 < len(name) <= 200:
        raise FeedDocumentError(f"{where}: the enterprise needs a name")
    doc = {"uscc": uscc, "name": name, "address": _optional(value, "address", where),
           "industry": _optional(value, "industry", where), "deleted": bool(value.get("deleted"))}
    return uscc, doc


def _optional(value: dict[str, Any], field: str, where: str) -> str | None:
    item = value.get(field)
    if item is not None and (not isinstance(item, str) or len(item) > 500):
        raise FeedDocumentError(f"{where}: {field} must be a string")
    return item


def _template(value: dict[str, Any], where: str) -> tuple[str, dict[str, Any]]:
    from inspector_protocol.checklist_template import parse_template
    from inspector_protocol.errors import InspectorError

    raw = json.dumps(value, ensure_ascii=False).encode("utf-8")
    try:
        template = parse_template(raw, where)
    except InspectorError as exc:
        raise FeedDocumentError(exc.text.render("en")) from None
    return template.ref.id, value


def _issuer_key(value: dict[str, Any], where: str) -> tuple[str, dict[str, Any]]:
    try:
        public = keys.b64decode(str(value["public_key"]))
    except (KeyError, ValueError):
        raise FeedDocumentError(f"{where}: public_key must be base64") from None
    if len(public) != 32:
        raise FeedDocumentError(f"{where}: an Ed25519 public key has 32 bytes")
    key_id = keys.key_id(public)
    if value.get("key_id", key_id) != key_id:
        raise FeedDocumentError(f"{where}: key_id does not match the public key")
    return key_id, {"key_id": key_id, "public_key": keys.b64encode(public),
                    "revoked": bool(value.get("revoked", False))}
