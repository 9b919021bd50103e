"""Enrol this device with the central endpoint using a one-time code, and pin the server's key.

The device proves its key with its genesis event; the server answers with a
bearer token and a statement signed by its own key, which the device pins
(trust on enrolment).  A different server key later is refused unless the
officer enrols again on purpose with ``replace_server_key``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from inspector_app.sync.device import SyncedDevice
from inspector_app.sync.failures import SyncFailure, invalid_response
from inspector_app.sync.responses import Pinned, read_reply, refusal_of, verified_statement
from inspector_app.sync.state import Enrolment, SyncStore
from inspector_app.sync.transport import Reply, Transport
from inspector_protocol import keys, tags
from inspector_protocol.errors import UserError
from inspector_protocol.messages import EnrolResponse
from inspector_protocol.text import Text
from inspector_protocol.wire import API_PREFIX


@dataclass(frozen=True)
class EnrolResult:
    device_name: str
    server_key_id: str
    replaced_key: bool


class EnrolmentRefused(UserError):
    pass


def enrol(ws: SyncedDevice, transport: Transport, code: str, *,
          replace_server_key: bool = False, expect_server_key: bytes | None = None) -> EnrolResult:
    ledger = ws.ledger
    genesis = next(iter(ledger.events()))
    nonce = secrets.token_urlsafe(18)
    # The key is being (re)pinned here: the enrolment statement, signed by the key it
    # names, is what is checked, not a key pinned before.
    transport.pinned = None
    body = {"code": code.strip(), "device": ledger.device_id,
            "device_public_key": keys.b64encode(ledger.device_public_key()),
            "genesis": {"event": genesis.raw.decode("utf-8"), "sig": keys.b64encode(genesis.sig)},
            "nonce": nonce}
    reply = transport.exchange("POST", f"{API_PREFIX}/enrol", _refusal_or_reply, body=body)
    token, statement, raw, sig = _check(reply.body, ledger.device_id, nonce,
                                        ledger.device_public_key())
    store = SyncStore(ledger)
    previous = store.enrolment()
    server_key = keys.b64decode(statement["server_public_key"])
    if expect_server_key is not None and server_key != expect_server_key:
        # A provisioning package names the key to pin: another one is not the endpoint.
        raise EnrolmentRefused(Text(
            "中心端的密钥与配置码中的不符（{key}），未注册。",
            "The central endpoint's key differs from the one in the provisioning package ({key}); "
            "not enrolled.").format(key=keys.key_id(server_key)), code="sync.server_key_unexpected")
    replaced = previous is not None and previous.server_public_key != server_key
    if replaced and not replace_server_key:
        raise EnrolmentRefused(Text(
            "中心端的密钥与本设备先前注册时不同。如确认更换了中心端，请加 --new-server-key 重新注册。",
            "The central endpoint's key differs from the one this device enrolled with. If the "
            "endpoint was really replaced, enrol again with --new-server-key."),
            code="sync.server_key_changed")
    store.save_enrolment(Enrolment(transport.base_url, str(statement["device_name"]),
                                   keys.key_id(server_key), server_key, token,
                                   ledger.clock.now().wall_ms), raw, sig)
    ledger.set_time_anchor(int(statement["server_time_ms"]))
    return EnrolResult(str(statement["device_name"]), keys.key_id(server_key), replaced)


def _refusal_or_reply(reply: Reply) -> Reply:
    if reply.status == 200:
        return reply
    code, text = refusal_of(reply.body)
    raise EnrolmentRefused(text, code=code)


def _check(body: dict[str, Any] | None, device: str, nonce: str,
           device_key: bytes) -> tuple[str, dict[str, Any], bytes, bytes]:
    answer = read_reply(EnrolResponse, body, "enrolment answer")
    token, signed = answer.token, answer.enrolment
    try:
        server_key = keys.b64decode(str(_raw_statement(signed.raw).get("server_public_key")))
    except ValueError:
        raise invalid_response("the server key is not base64") from None
    if len(server_key) != 32:
        raise invalid_response("the server key is not an Ed25519 key")
    statement = verified_statement(Pinned(keys.key_id(server_key), server_key, device), signed,
                          tags.ENROLMENT.value, "enrolment")
    expected = {"device": device, "nonce": nonce, "device_key": keys.key_id(device_key),
                "token_sha256": hashlib.sha256(token.encode()).hexdigest()}
    if any(statement.get(k) != v for k, v in expected.items()) or not isinstance(
            statement.get("server_time_ms"), int) or not isinstance(statement.get("device_name"), str):
        raise invalid_response("the enrolment answer is for another request")
    return token, statement, signed.raw.encode("utf-8"), keys.b64decode(signed.sig)


def _raw_statement(raw: str) -> dict[str, Any]:
    import json

    try:
        value = json.loads(raw)
    except ValueError:
        raise invalid_response("the enrolment statement is not JSON") from None
    if not isinstance(value, dict):
        raise invalid_response("the enrolment statement is not an object")
    return value


__all__ = ["EnrolResult", "EnrolmentRefused", "SyncFailure", "enrol"]
