"""Device checkpoints: each accepted one must extend the last one accepted.

A checkpoint is the device's signed "my chain reached sequence N with head H".
The server accepts it only when it holds event N with hash H (the chain up to N
has been verified on ingest) and N is not below the last accepted checkpoint.
A lower N is a ``rollback`` (the tablet was restored from an older copy, or its
newest events were cut off); the same N with another head is a ``fork``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from inspector_central.alarms import record_alarm
from inspector_central.envelopes import Malformed, parse_checkpoint
from inspector_central.error_replies import UNAUTHORISED
from inspector_central.signing import now_ms
from inspector_central.storage import Database, Tx, blob
from inspector_protocol import keys, tags
from inspector_protocol.text import Text


@dataclass(frozen=True)
class CheckpointResult:
    status: int
    outcome: str
    accepted_seq: int
    code: str | None = None
    text: Text | None = None


def submit_checkpoint(database: Database, device_id: str, raw: bytes, sig: bytes) -> CheckpointResult:
    with database.transaction() as tx:
        device = tx.lock_device(device_id)
        if device is None:
            raise UNAUTHORISED
        accepted_seq, accepted_head = int(device[4]), device[5]
        try:
            statement = parse_checkpoint(raw, sig)
        except Malformed as exc:
            return CheckpointResult(422, "malformed", accepted_seq, "checkpoint.malformed", Text(
                "检查点格式错误：{why}", "The checkpoint is malformed: {why}").format(why=str(exc)))
        seq, head = int(statement["seq"]), str(statement["head"])
        evidence = {"seq": seq, "head": head, "raw": _b64(raw), "sig": _b64(sig),
                    "accepted_seq": accepted_seq, "accepted_head": accepted_head,
                    "accepted_raw": None if device[6] is None else _b64(blob(device[6]))}
        if statement["device"] != device_id or not keys.verify_signature(
                keys.load_public_key(blob(device[2])), sig, tags.CHECKPOINT.value + raw):
            _alarm(tx, device_id, "forged_signature", seq, evidence)
            return CheckpointResult(422, "invalid_signature", accepted_seq,
                                    "checkpoint.invalid_signature", Text(
                                        "检查点签名无效，已告警。",
                                        "The checkpoint's signature is invalid; an alarm was raised."))
        if seq < accepted_seq or (seq == accepted_seq and head != accepted_head):
            kind = "rollback" if seq < accepted_seq else "fork"
            _alarm(tx, device_id, kind, seq, evidence)
            return CheckpointResult(409, kind, accepted_seq, f"checkpoint.{kind}", Text(
                "检查点（第 {seq} 条）没有延续已接受的检查点（第 {accepted} 条）：记录被回滚或替换，"
                "已告警。",
                "The checkpoint (event {seq}) does not extend the accepted one (event {accepted}): "
                "the ledger was rolled back or replaced; an alarm was raised.")
                .format(seq=seq, accepted=accepted_seq))
        return _against_events(tx, device_id, seq, head, raw, sig, accepted_seq, evidence)


def _against_events(tx: Tx, device_id: str, seq: int, head: str, raw: bytes, sig: bytes,
                    accepted_seq: int, evidence: dict[str, object]) -> CheckpointResult:
    held = tx.one("SELECT hash FROM events WHERE device = ? AND seq = ?", (device_id, seq))
    if held is None:
        return CheckpointResult(422, "ahead", accepted_seq, "checkpoint.ahead", Text(
            "检查点所指的第 {seq} 条记录尚未送达，请先上传记录。",
            "Event {seq}, which the checkpoint names, has not arrived; upload the events first.")
            .format(seq=seq))
    if str(held[0]) != head:
        _alarm(tx, device_id, "fork", seq, {**evidence, "held_hash": str(held[0])})
        return CheckpointResult(409, "fork", accepted_seq, "checkpoint.fork", Text(
            "检查点与已接收的第 {seq} 条记录不符（记录被替换），已告警。",
            "The checkpoint does not match event {seq} as received (the ledger was replaced); "
            "an alarm was raised.").format(seq=seq))
    if seq > accepted_seq:
        tx.execute("UPDATE devices SET checkpoint_seq = ?, checkpoint_head = ?, checkpoint_raw = ?, "
                   "checkpoint_sig = ? WHERE id = ?", (seq, head, raw, sig, device_id))
    return CheckpointResult(200, "accepted", seq)


def _alarm(tx: Tx, device_id: str, kind: str, seq: int, evidence: dict[str, object]) -> None:
    record_alarm(tx, device_id, kind, seq=seq, event_id=None, detected_ms=now_ms(),
                 evidence={"checkpoint": evidence})


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
