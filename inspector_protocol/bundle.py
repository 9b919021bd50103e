"""Bundles: the signed events themselves, in a file, for a USB stick.

When there is no network, a team lead copies a tablet's ledger to another
machine as a bundle.  It holds every envelope and signature exactly as stored,
the receipts, and a header signed by the device key naming the chain head, so
the receiver can verify it independently and the central endpoint can import
it later without duplicates (event ids are the idempotency keys).

Format (UTF-8 JSON lines)::

    {"format": "inspector-bundle/1", "header": {...}, "sig": <device signature>}
    {"event": <base64 envelope>, "sig": <base64 signature>}   (one per event)
    {"receipt": <base64 receipt>, "event_id": ...}            (one per receipt)
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_protocol import keys
from inspector_protocol.envelope import SignedEvent
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text
from inspector_protocol.wire import MAX_EVENT_BYTES

BUNDLE_FORMAT = "inspector-bundle/1"
#: One line holds at most one event (base64 of at most MAX_EVENT_BYTES, plus its signature).
MAX_LINE_BYTES = MAX_EVENT_BYTES * 4 // 3 + 4096


class BundleError(UserError):
    def __init__(self, text: Text) -> None:
        super().__init__(text, code="bundle.malformed")


@dataclass
class Bundle:
    header: dict[str, Any]
    header_sig: bytes
    events: list[SignedEvent] = field(default_factory=list)
    receipts: list[tuple[str, bytes]] = field(default_factory=list)


def header_line(header: dict[str, Any], sig: bytes) -> str:
    return json.dumps({"format": BUNDLE_FORMAT, "header": header, "sig": keys.b64encode(sig)}) + "\n"


def event_line(event: SignedEvent) -> str:
    return json.dumps({"event": keys.b64encode(event.raw), "sig": keys.b64encode(event.sig)}) + "\n"


def receipt_line(event_id: str, raw: bytes) -> str:
    return json.dumps({"receipt": keys.b64encode(raw), "event_id": event_id}) + "\n"


def read_bundle(path: Path) -> Bundle:
    lines = _lines(path)
    first = next(lines, None)
    if first is None or first.get("format") != BUNDLE_FORMAT:
        raise BundleError(Text("{f} 不是检查记录包。", "{f} is not an inspector bundle.")
                          .format(f=path.name))
    try:
        bundle = Bundle(dict(first["header"]), _b64(first["sig"]))
        for number, item in enumerate(lines, start=2):
            _add_line(bundle, item, number)
    except (KeyError, TypeError) as exc:
        raise BundleError(Text("记录包格式错误：{err}", "Malformed bundle: {err}")
                          .format(err=exc)) from None
    return bundle


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    """Each line as a JSON object; a line longer than MAX_LINE_BYTES is refused after reading
    at most MAX_LINE_BYTES + 1 bytes of it (never the whole line)."""
    with path.open("rb") as handle:
        number = 0
        while line := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(line) > MAX_LINE_BYTES:
                raise BundleError(Text("第 {n} 行过长。", "Line {n} is too long.").format(n=number))
            try:
                value = json.loads(line)
            except ValueError:
                raise BundleError(Text("第 {n} 行不是有效的 JSON（文件可能被截断）。",
                                       "Line {n} is not valid JSON (the file may be truncated).")
                                  .format(n=number)) from None
            if not isinstance(value, dict):
                raise BundleError(Text("第 {n} 行格式错误。", "Line {n} is malformed.")
                                  .format(n=number))
            yield value


def _add_line(bundle: Bundle, item: dict[str, Any], number: int) -> None:
    if "event" in item:
        bundle.events.append(SignedEvent(_b64(item["event"]), _b64(item["sig"])))
    elif "receipt" in item:
        bundle.receipts.append((str(item["event_id"]), _b64(item["receipt"])))
    else:
        raise BundleError(Text("第 {n} 行既不是记录也不是回执。",
                               "Line {n} is neither an event nor a receipt.").format(n=number))


def _b64(value: Any) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise BundleError(Text("记录包中的 base64 数据无效。",
                               "The bundle holds invalid base64 data.")) from None
