"""Walk a ledger and report every way it differs from an intact, honest chain.

Each finding names the sequence number where it happens, so a team lead can
say "event 4,127 was altered" rather than "the file is bad".  The report also
states plainly what a ledger on its own cannot reveal (:data:`UNDETECTABLE`):
those checks belong to the central endpoint at the next sync.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from inspector_app.ledger.store import row_values
from inspector_protocol import events as ev
from inspector_protocol import keys
from inspector_protocol.attestation import attestation_message
from inspector_protocol.envelope import GENESIS_PREV, SignedEvent, signing_message
from inspector_protocol.text import Lang, Text


@dataclass(frozen=True)
class VerificationProblem:
    seq: int
    kind: str
    text: Text

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "message": self.text.render(lang)}


UNDETECTABLE: tuple[Text, ...] = (
    Text("删除最新的若干条记录（截尾）或整体恢复为旧副本后，剩余链条仍然完整；"
         "本机无法发现，中心端在下次同步时依据已接收的检查点发现。已送达的记录或本机检查点"
         "已覆盖的记录被截尾时，可由回执和检查点在本机发现。",
         "Removing the newest events (truncating the tail) or restoring an older copy of the whole "
         "ledger leaves a valid chain; this device cannot tell. The central endpoint detects it at "
         "the next sync against the last accepted checkpoint. Truncated events that were already "
         "delivered, or covered by a local checkpoint, are caught here by receipts and "
         "checkpoints."),
    Text("掌握执法人员密码并持有本设备者可在链尾追加伪造记录。",
         "Someone who holds an officer's passphrase and this device can append fabricated events."),
    Text("墙上时钟时间只是设备的陈述；启动计时和服务器时间锚点限定其可信范围。",
         "Wall-clock times are the device's claim; boot time and server time anchors bound them."),
    Text("设备密钥以明文存于数据库中（仅受文件权限保护）：持有该文件者可伪造设备签名的记录，"
         "但不能伪造执法人员签名的记录。",
         "The device key is stored in the database in clear (protected by file permissions only): "
         "whoever has the file can forge device-signed events, but not officers' events."),
)


@dataclass
class VerificationReport:
    events_checked: int = 0
    head_seq: int = 0
    problems: list[VerificationProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def first_problem_seq(self) -> int | None:
        return min((f.seq for f in self.problems), default=None)

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "events_checked": self.events_checked,
            "head_seq": self.head_seq,
            "findings": [f.to_json(lang) for f in self.problems],
            "cannot_detect": [t.render(lang) for t in UNDETECTABLE],
        }


@dataclass
class _Row:
    seq: int
    columns: tuple[Any, ...]
    event: SignedEvent
    stored_hash: bytes


@dataclass
class _WalkState:
    expected_seq: int = 1
    prev_hash: str = GENESIS_PREV
    prev_stored_hash: str | None = None
    prev_altered: bool = False
    device_id: str | None = None
    keys_by_id: dict[str, tuple[str | None, Ed25519PublicKey]] = field(default_factory=dict)
    seen_ids: set[str] = field(default_factory=set)


def verify_ledger(conn: sqlite3.Connection,
                  read: list[SignedEvent] | None = None) -> VerificationReport:
    """Verify the ledger database: every event row, and receipts of missing events.

    ``read``, when given, receives every event in sequence order as it was verified (its
    envelope already decoded): a caller that needs the events too reads them only once."""
    device_row = conn.execute("SELECT key_id, public_key FROM device_key").fetchone()
    device_key = None if device_row is None else (str(device_row[0]), bytes(device_row[1]))
    meta = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    rows = _db_rows(conn) if read is None else _kept(_db_rows(conn), read)
    report = _verify_rows(rows, None if meta is None else str(meta[0]), device_key)
    report.problems.extend(_check_receipts(conn))
    if device_key is not None:
        report.problems.extend(_check_checkpoints(conn, device_key[1]))
    return report


def _check_checkpoints(conn: sqlite3.Connection, device_public_key: bytes) -> list[VerificationProblem]:
    """Each stored checkpoint must verify and name a head this ledger still has."""
    from inspector_app.ledger.checkpoint_store import stored_checkpoints

    problems = []
    for checkpoint in stored_checkpoints(conn):
        row = conn.execute("SELECT hash FROM events WHERE seq = ?", (checkpoint.seq,)).fetchone()
        if not checkpoint.verifies_with(device_public_key):
            problems.append(VerificationProblem(checkpoint.seq, "checkpoint_signature", Text(
                "第 {seq} 条处的检查点签名无效", "the checkpoint at event {seq} has an invalid "
                "signature").format(seq=checkpoint.seq)))
        elif row is None:
            problems.append(VerificationProblem(checkpoint.seq, "truncated", Text(
                "检查点表明记录曾到达第 {seq} 条，现已缺失（记录被截尾）",
                "a checkpoint shows the ledger reached event {seq}, which is now missing "
                "(truncated)").format(seq=checkpoint.seq)))
        elif bytes(row[0]).hex() != checkpoint.head:
            problems.append(VerificationProblem(checkpoint.seq, "checkpoint_mismatch", Text(
                "第 {seq} 条记录与检查点不符（被替换）",
                "event {seq} differs from its checkpoint (replaced)").format(seq=checkpoint.seq)))
    return problems


def verify_events(
    events: Iterable[SignedEvent], device_id: str | None = None,
    device_public_key: bytes | None = None,
) -> VerificationReport:
    """Verify events from elsewhere (a bundle), in the order given.

    Without a device key given, the one declared by the genesis event is used:
    trust on first use, which the central endpoint replaces with the key it
    enrolled.
    """
    rows = (
        _Row(position, row_values(event)[:7], event, event.hash)
        for position, event in enumerate(events, start=1)
    )
    device_key = None if device_public_key is None else (keys.key_id(device_public_key),
                                                         device_public_key)
    return _verify_rows(rows, device_id, device_key)


def _verify_rows(
    rows: Iterable[_Row], device_id: str | None, device_key: tuple[str, bytes] | None
) -> VerificationReport:
    report = VerificationReport()
    state = _WalkState(device_id=device_id)
    for row in rows:
        report.events_checked += 1
        report.head_seq = row.seq
        if row.seq == 1:
            declared = _genesis_device_key(row.event)
            if device_key is None:
                device_key = declared
            elif declared is not None and declared != device_key:
                report.problems.append(VerificationProblem(1, "device_key_replaced", Text(
                    "设备密钥与首条记录声明的不一致（密钥被替换）",
                    "the device key differs from the one the first event declares (replaced)",
                )))
        report.problems.extend(_check_row(row, state, device_key))
    return report


def _genesis_device_key(event: SignedEvent) -> tuple[str, bytes] | None:
    try:
        public = keys.b64decode(event.body["device_public_key"])
    except (KeyError, ValueError, TypeError):
        return None
    return keys.key_id(public), public


def _kept(rows: Iterable[_Row], read: list[SignedEvent]) -> Iterator[_Row]:
    for row in rows:
        read.append(row.event)
        yield row


def _db_rows(conn: sqlite3.Connection, batch: int = 5000) -> Iterable[_Row]:
    last = -(2**63)
    while True:
        rows = conn.execute(
            "SELECT seq, id, type, officer, visit_id, enterprise, wall_ms, hash, raw, sig "
            "FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (last, batch),
        ).fetchall()
        for r in rows:
            event = SignedEvent(bytes(r[8]), bytes(r[9]))
            yield _Row(int(r[0]), tuple(r[:7]), event, bytes(r[7]))
        if len(rows) < batch:
            return
        last = rows[-1][0]


def _check_row(
    row: _Row, state: _WalkState, device_key: tuple[str, bytes] | None
) -> list[VerificationProblem]:
    problems: list[VerificationProblem] = []
    seq = row.seq
    if seq != state.expected_seq:
        problems.append(_gap(state.expected_seq, seq))
    actual_hash = row.event.hash
    try:
        envelope = row.event.envelope
        problems.extend(_check_envelope(row, envelope, state, device_key))
    except (ValueError, KeyError, TypeError):
        envelope = None
        problems.append(VerificationProblem(seq, "unreadable", Text(
            "第 {seq} 条记录内容无法解析（已被改动）", "event {seq} cannot be parsed (it was altered)"
        ).format(seq=seq)))
    if row.stored_hash != actual_hash:
        problems.append(VerificationProblem(seq, "hash_mismatch", Text(
            "第 {seq} 条记录的存储哈希与内容不符", "event {seq}: stored hash does not match its content"
        ).format(seq=seq)))
    altered = any(f.kind in {"bad_signature", "unreadable", "row_mismatch"} for f in problems)
    state.prev_altered = altered
    state.prev_hash = actual_hash.hex()
    state.prev_stored_hash = row.stored_hash.hex()
    state.expected_seq = seq + 1
    return problems


def _gap(expected: int, found: int) -> VerificationProblem:
    if found > expected:
        return VerificationProblem(expected, "sequence_gap", Text(
            "缺少第 {a}–{b} 条记录（被删除）", "events {a}–{b} are missing (deleted)"
        ).format(a=expected, b=found - 1))
    return VerificationProblem(found, "sequence_order", Text(
        "第 {seq} 条记录的序号顺序错误（应为 {a}）",
        "event {seq} is out of order (expected sequence {a})",
    ).format(seq=found, a=expected))


def _check_envelope(
    row: _Row, envelope: dict[str, Any], state: _WalkState, device_key: tuple[str, bytes] | None
) -> list[VerificationProblem]:
    seq = row.seq
    event = row.event
    problems: list[VerificationProblem] = []
    if envelope["seq"] != seq:
        problems.append(VerificationProblem(seq, "sequence_mismatch", Text(
            "第 {seq} 条位置上的记录自称序号 {claimed}（记录被移动或插入）",
            "the event at position {seq} claims sequence {claimed} (moved or inserted)",
        ).format(seq=seq, claimed=envelope["seq"])))
    if envelope["prev"] != state.prev_hash and not (
        state.prev_altered and envelope["prev"] == state.prev_stored_hash
    ):
        problems.append(VerificationProblem(seq, "chain_broken", Text(
            "第 {seq} 条记录与前一条记录的链接断开", "event {seq} does not link to the event before it"
        ).format(seq=seq)))
    if state.device_id is not None and envelope["device"] != state.device_id:
        problems.append(VerificationProblem(seq, "foreign_device", Text(
            "第 {seq} 条记录来自其他设备", "event {seq} comes from another device"
        ).format(seq=seq)))
    if event.id in state.seen_ids:
        problems.append(VerificationProblem(seq, "duplicate_id", Text(
            "第 {seq} 条记录的编号重复", "event {seq} repeats an earlier event id"
        ).format(seq=seq)))
    state.seen_ids.add(event.id)
    if row.columns != _indexed_columns(event, envelope):
        problems.append(VerificationProblem(seq, "row_mismatch", Text(
            "第 {seq} 条记录的索引字段被改动", "event {seq}: its indexed columns were altered"
        ).format(seq=seq)))
    problems.extend(_check_signature(row, envelope, state, device_key))
    return problems


def _indexed_columns(event: SignedEvent, envelope: dict[str, Any]) -> tuple[Any, ...]:
    """What the row's index columns must hold; cheaper than building the full row."""
    body = envelope["body"]
    enterprise = body.get("enterprise") if envelope["type"] == ev.CHECKED_IN else None
    visit = body.get("visit")
    return (
        envelope["seq"], envelope["id"], envelope["type"], envelope["officer"],
        None if visit is None else str(visit),
        enterprise.get("uscc") if isinstance(enterprise, dict) else None,
        envelope["time"]["wall_ms"],
    )


def _check_signature(
    row: _Row, envelope: dict[str, Any], state: _WalkState, device_key: tuple[str, bytes] | None
) -> list[VerificationProblem]:
    seq, event = row.seq, row.event
    if event.type == ev.LEDGER_CREATED and seq == 1 and device_key is not None:
        state.keys_by_id.setdefault(device_key[0], (None, keys.load_public_key(device_key[1])))
    known = state.keys_by_id.get(envelope["key"])
    if event.type == ev.OFFICER_ENROLLED and known is None:
        known = _enrolment_key(event, state, device_key)
    if known is None:
        return [VerificationProblem(seq, "unknown_key", Text(
            "第 {seq} 条记录由未登记的密钥签名（外来记录）",
            "event {seq} is signed by a key never enrolled on this device (a foreign event)",
        ).format(seq=seq))]
    owner, public_key = known
    if owner != envelope["officer"]:
        return [VerificationProblem(seq, "signer_mismatch", Text(
            "第 {seq} 条记录的签名人与密钥所有人不符", "event {seq}: signer and key owner differ"
        ).format(seq=seq))]
    if not _signature_valid(public_key, event.sig, signing_message(event.raw)):
        return [VerificationProblem(seq, "bad_signature", Text(
            "第 {seq} 条记录签名无效（内容或签名被改动）",
            "event {seq} has an invalid signature (content or signature altered)",
        ).format(seq=seq))]
    return []


#: Digests of (public key, signature, message) found valid in this process.  Checking a
#: signature is a pure function of those bytes, so a ledger read again (the logs screen
#: opened again, a refresh) pays only for what it has not checked before; a changed byte is a
#: different digest and is checked afresh.  Only valid results are kept, and only so many.
_VALID_SIGNATURES: set[bytes] = set()
_VALID_SIGNATURES_KEPT = 1_000_000
_ED25519_SIGNATURE_BYTES = 64


def forget_checked_signatures() -> None:
    """Check every signature afresh from now on (benchmarks measure the first reading)."""
    _VALID_SIGNATURES.clear()


def _signature_valid(public_key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    if len(signature) != _ED25519_SIGNATURE_BYTES:  # never valid; never looked up
        return keys.verify_signature(public_key, signature, message)
    digest = hashlib.sha256(public_key.public_bytes_raw() + signature + message).digest()
    if digest in _VALID_SIGNATURES:
        return True
    if not keys.verify_signature(public_key, signature, message):
        return False
    if len(_VALID_SIGNATURES) >= _VALID_SIGNATURES_KEPT:
        _VALID_SIGNATURES.clear()
    _VALID_SIGNATURES.add(digest)
    return True


def _enrolment_key(
    event: SignedEvent, state: _WalkState, device_key: tuple[str, bytes] | None
) -> tuple[str | None, Ed25519PublicKey] | None:
    """An officer key becomes known through its enrolment, if the device attested it."""
    body = event.body
    try:
        public = keys.b64decode(body["public_key"])
        attestation = keys.b64decode(body["device_attestation"])
    except (KeyError, ValueError, TypeError):
        return None
    if device_key is None or keys.key_id(public) != event.key_id:
        return None
    message = attestation_message(str(body.get("credential")), public)
    if not keys.verify_signature(keys.load_public_key(device_key[1]), attestation, message):
        return None
    entry = (event.officer, keys.load_public_key(public))
    state.keys_by_id[event.key_id] = entry
    return entry


def _check_receipts(conn: sqlite3.Connection) -> list[VerificationProblem]:
    rows = conn.execute(
        "SELECT r.event_id, r.raw FROM receipts r LEFT JOIN events e ON e.id = r.event_id "
        "WHERE e.id IS NULL"
    ).fetchall()
    problems = []
    for event_id, raw in rows:
        seq = _receipt_seq(bytes(raw))
        problems.append(VerificationProblem(seq, "delivered_event_missing", Text(
            "已送达中心端的记录 {id} 在本机缺失（记录被删除）",
            "event {id} was delivered to the centre but is missing here (deleted)",
        ).format(id=event_id)))
    return problems


def _receipt_seq(raw: bytes) -> int:
    try:
        value = json.loads(raw)
        return int(value.get("seq", 0)) if isinstance(value, dict) else 0
    except ValueError:
        return 0
