"""Enrolment: a one-time code binds a device's key to this server, and pins the server's key.

An administrator makes a code for a named device (``inspector-central
enrolment-code``); it is stored only as a hash, expires, and is spent by the
first device that uses it.  The device proves its key by its genesis event
(``ledger.created``, signed by the device key and declaring it).  The same
device may repeat its enrolment with the same code (a lost answer is retried
safely); another device may not.  The answer carries a fresh bearer token for
the device and is signed with the server key, which the device pins.
"""

from __future__ import annotations

import hashlib
import secrets

from inspector_central.alarms import record_alarm
from inspector_central.envelopes import Malformed, parse_event
from inspector_central.error_replies import ApiError
from inspector_central.signing import ServerKey, now_ms
from inspector_central.storage import Database, Tx, blob
from inspector_protocol import events as ev
from inspector_protocol import keys, tags
from inspector_protocol.envelope import GENESIS_PREV, signing_message
from inspector_protocol.text import Text
from inspector_protocol.wire import SignedStatement

#: Crockford's base32 without look-alikes: typed by hand from a phone call or a sheet of paper.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 4
CODE_TTL_MS = 7 * 86_400_000


def new_code() -> str:
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_GROUPS * 4))
    return "-".join(chars[i:i + 4] for i in range(0, len(chars), 4))


def normalise_code(code: str) -> str:
    cleaned = code.strip().upper().replace("-", "").replace(" ", "")
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


def code_hash(code: str) -> str:
    return hashlib.sha256(tags.ENROLMENT_CODE_HASH.value + normalise_code(code).encode()).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(tags.DEVICE_TOKEN_HASH.value + token.encode()).hexdigest()


def create_code(database: Database, device_name: str, ttl_ms: int = CODE_TTL_MS) -> str:
    code = new_code()
    now = now_ms()
    with database.transaction() as tx:
        tx.execute("INSERT INTO enrolment_codes (code_hash, device_name, created_ms, expires_ms) "
                   "VALUES (?, ?, ?, ?)", (code_hash(code), device_name, now, now + ttl_ms))
    return code


def enrol_device(database: Database, server_key: ServerKey, *, code: str, device_id: str,
                 device_public_key: bytes, genesis_raw: bytes, genesis_sig: bytes,
                 nonce: str) -> tuple[str, SignedStatement]:
    check_genesis(device_id, device_public_key, genesis_raw, genesis_sig)
    token = secrets.token_urlsafe(32)
    now = now_ms()
    try:
        with database.transaction() as tx:
            name = _spend_code(tx, code, device_id, device_public_key, now)
            _bind_device(tx, device_id, name, device_public_key, token, now)
    except _KeyMismatch as refused:
        # The refusal rolled the code back; the alarm must outlive it.
        with database.transaction() as tx:
            record_alarm(tx, device_id, "device_key_mismatch", seq=None, event_id=None,
                         detected_ms=now, evidence=refused.evidence)
        raise
    statement = server_key.sign(tags.ENROLMENT.value, {
        "v": 1, "device": device_id, "device_name": name, "device_key": keys.key_id(device_public_key),
        "token_sha256": hashlib.sha256(token.encode()).hexdigest(), "server_time_ms": now,
        "nonce": nonce, "server_public_key": keys.b64encode(server_key.public_key),
    })
    return token, statement


def check_genesis(device_id: str, public: bytes, raw: bytes, sig: bytes) -> None:
    bad = ApiError(422, "enrolment.genesis", Text(
        "设备首条记录无效：它必须是本设备密钥签名的 ledger.created 记录。",
        "The device's first event is invalid: it must be ledger.created signed by the device key."))
    try:
        event = parse_event(raw, sig)
    except Malformed:
        raise bad from None
    if (len(public) != 32 or event.seq != 1 or event.type != ev.LEDGER_CREATED
            or event.device != device_id or event.prev != GENESIS_PREV or event.officer is not None
            or event.body.get("device_public_key") != keys.b64encode(public)
            or not keys.verify_signature(keys.load_public_key(public), sig, signing_message(raw))):
        raise bad


def _spend_code(tx: Tx, code: str, device_id: str, public: bytes, now: int) -> str:
    row = tx.one("SELECT device_name, expires_ms, used_by FROM enrolment_codes WHERE code_hash = ?",
                 (code_hash(code),))
    if row is None:
        raise ApiError(403, "enrolment.code_unknown", Text(
            "注册码无效，请核对或向管理员索取新的注册码。",
            "The enrolment code is not valid; check it or ask IT for a new one."))
    name, expires, used_by = str(row[0]), int(row[1]), row[2]
    if used_by is not None and used_by != device_id:
        raise ApiError(403, "enrolment.code_used", Text(
            "该注册码已被其他设备使用。", "This enrolment code was already used by another device."))
    if now > expires:
        raise ApiError(403, "enrolment.code_expired", Text(
            "注册码已过期，请向管理员索取新的注册码。",
            "The enrolment code has expired; ask IT for a new one."))
    # The WHERE makes spending atomic: of two devices racing, one updates a row.
    updated = tx.execute(
        "UPDATE enrolment_codes SET used_ms = ?, used_by = ? WHERE code_hash = ? "
        "AND (used_by IS NULL OR used_by = ?)", (now, device_id, code_hash(code), device_id))
    if updated.rowcount != 1:
        raise ApiError(403, "enrolment.code_used", Text(
            "该注册码已被其他设备使用。", "This enrolment code was already used by another device."))
    return name


def _bind_device(tx: Tx, device_id: str, name: str, public: bytes, token: str, now: int) -> None:
    existing = tx.lock_device(device_id)
    if existing is None:
        tx.execute("INSERT INTO devices (id, name, public_key, key_id, token_hash, enrolled_ms) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   (device_id, name, public, keys.key_id(public), token_hash(token), now))
        return
    if blob(existing[2]) != public:
        raise _KeyMismatch({"enrolled_key": keys.b64encode(blob(existing[2])),
                            "offered_key": keys.b64encode(public)})
    if existing[8] is not None:
        raise ApiError(403, "enrolment.device_revoked", Text(
            "该设备已被中心端撤销，不能重新注册。",
            "This device was revoked at the centre and cannot enrol again."))
    tx.execute("UPDATE devices SET token_hash = ?, name = ? WHERE id = ?",
               (token_hash(token), name, device_id))


class _KeyMismatch(ApiError):
    def __init__(self, evidence: dict[str, str]) -> None:
        self.evidence = evidence
        super().__init__(409, "enrolment.device_key_mismatch", Text(
            "该设备编号已以另一把设备密钥注册，已告警。",
            "This device id is enrolled with another device key; an alarm was raised."))


def authenticate(database: Database, token: str) -> str | None:
    with database.transaction(write=False) as tx:
        row = tx.one("SELECT id FROM devices WHERE token_hash = ? AND revoked_ms IS NULL",
                     (token_hash(token),))
    return None if row is None else str(row[0])
