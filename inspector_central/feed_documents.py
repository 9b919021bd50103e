"""Documents an administrator imports into the feeds, checked as strictly as the tablet would.

Registry entries and issuer keys are read with the very models the tablet
reads the feed with (:mod:`inspector_protocol.messages`: a valid USCC, GB
32100-2015; a 32-byte Ed25519 key whose id matches); templates must pass the
checklist schema.  A file with one bad document imports nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from inspector_protocol import keys
from inspector_protocol.messages import IssuerKeyEntry, RegistryEntry, WireModel


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
    entry = _read(RegistryEntry, value, where)
    assert isinstance(entry, RegistryEntry)
    return entry.uscc, entry.model_dump(mode="json")


def _read(model: type[WireModel], value: dict[str, Any], where: str) -> WireModel:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}"
                             for e in exc.errors()[:5])
        raise FeedDocumentError(f"{where}: {problems}") from None


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
    if "key_id" not in value and isinstance(value.get("public_key"), str):
        try:  # the id may be left out: it is the key's own
            value = {**value, "key_id": keys.key_id(keys.b64decode(value["public_key"]))}
        except ValueError:
            raise FeedDocumentError(f"{where}: public_key must be base64") from None
    entry = _read(IssuerKeyEntry, value, where)
    assert isinstance(entry, IssuerKeyEntry)
    return entry.key_id, entry.model_dump(mode="json")
