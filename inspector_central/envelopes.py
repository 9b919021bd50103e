"""Reading what a tablet sends: envelopes and checkpoints, strictly.

The server only ever stores bytes that parse as the canonical form of a
well-typed envelope; anything else is refused as ``malformed`` before any
signature is looked at.
"""

from __future__ import annotations

import re
from typing import Any

from inspector_central.canonical_read import NotCanonicalBytes, parse_canonical
from inspector_protocol.envelope import ENVELOPE_VERSION, SignedEvent
from inspector_protocol.wire import MAX_EVENT_BYTES

_HEX64 = re.compile(r"[0-9a-f]{64}")
_KEY_ID = re.compile(r"[0-9a-f]{16}")
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


class Malformed(ValueError):
    """Bytes that are not a canonical envelope (or checkpoint) of this protocol."""


def parse_event(raw: bytes, sig: bytes) -> SignedEvent:
    if len(raw) > MAX_EVENT_BYTES:
        raise Malformed(f"envelope larger than {MAX_EVENT_BYTES} bytes")
    if len(sig) != 64:
        raise Malformed("an Ed25519 signature has 64 bytes")
    envelope = _canonical_object(raw)
    _check_fields(envelope)
    event = SignedEvent(raw, sig)
    event.__dict__["envelope"] = envelope  # already parsed: spare the cached property
    return event


def _canonical_object(raw: bytes) -> dict[str, Any]:
    try:
        value = parse_canonical(raw)
    except NotCanonicalBytes as exc:
        raise Malformed(str(exc)) from None
    if not isinstance(value, dict):
        raise Malformed("not a JSON object")
    return value


_FIELDS = {"v", "id", "device", "seq", "prev", "type", "officer", "key", "time", "body"}


def _check_fields(env: dict[str, Any]) -> None:
    if set(env) != _FIELDS:
        raise Malformed("envelope fields differ from version 1")
    if env["v"] != ENVELOPE_VERSION:
        raise Malformed("unknown envelope version")
    _expect(isinstance(env["id"], str) and _ID.fullmatch(env["id"]), "id")
    _expect(isinstance(env["device"], str) and _ID.fullmatch(env["device"]), "device")
    _expect(_positive_int(env["seq"]), "seq")
    _expect(isinstance(env["prev"], str) and _HEX64.fullmatch(env["prev"]), "prev")
    _expect(isinstance(env["type"], str) and 0 < len(env["type"]) <= 64, "type")
    _expect(env["officer"] is None or (isinstance(env["officer"], str)
                                       and 0 < len(env["officer"]) <= 64), "officer")
    _expect(isinstance(env["key"], str) and _KEY_ID.fullmatch(env["key"]), "key")
    _expect(isinstance(env["body"], dict), "body")
    time = env["time"]
    _expect(isinstance(time, dict) and isinstance(time.get("wall_ms"), int)
            and isinstance(time.get("boot_ns"), int) and isinstance(time.get("boot_id"), str),
            "time")


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _expect(condition: Any, field: str) -> None:
    if not condition:
        raise Malformed(f"field {field!r} is missing or has the wrong type")


def parse_checkpoint(raw: bytes, sig: bytes) -> dict[str, Any]:
    if len(raw) > 4096 or len(sig) != 64:
        raise Malformed("checkpoint too large or signature of the wrong size")
    statement = _canonical_object(raw)
    if set(statement) != {"device", "seq", "head", "wall_ms"}:
        raise Malformed("checkpoint fields differ from version 1")
    _expect(isinstance(statement["device"], str), "device")
    _expect(_positive_int(statement["seq"]), "seq")
    _expect(isinstance(statement["head"], str) and _HEX64.fullmatch(statement["head"]), "head")
    _expect(isinstance(statement["wall_ms"], int), "wall_ms")
    return statement
