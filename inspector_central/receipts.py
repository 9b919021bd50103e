"""Receipts: the server's signed word that it holds an event, made once per accepted event.

A receipt is canonical JSON signed under :data:`tags.RECEIPT.value`.  Ingest makes
one per event, so it is written here from a template rather than through the
general canonical encoder: every field is a plain ASCII identifier, a hex digest
or a safe integer, whose canonical spelling is the text itself, in sorted key
order.  Anything else (an unusual nonce) takes the general path.  Both give the
same bytes; ``tests/central/test_receipts.py`` holds them equal.
"""

from __future__ import annotations

import re

from inspector_central.signing import ServerKey
from inspector_protocol import tags
from inspector_protocol.wire import SignedStatement

#: Needs no JSON escaping and no Unicode normalisation.
_PLAIN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


class ReceiptMaker:
    """Receipts for one batch: one device, one request nonce, one server time."""

    def __init__(self, server_key: ServerKey, device: str, nonce: str, server_time_ms: int) -> None:
        self._key = server_key
        self._device, self._nonce, self._time = device, nonce, server_time_ms
        self._plain = all(_PLAIN.fullmatch(v) for v in (device, nonce, server_key.key_id)) \
            and 0 <= server_time_ms < 2**53

    def make(self, event_id: str, seq: int, digest: str) -> SignedStatement:
        if self._plain and _PLAIN.fullmatch(event_id) and 0 < seq < 2**53 \
                and _PLAIN.fullmatch(digest):
            raw = (f'{{"device":"{self._device}","event":"{event_id}","hash":"{digest}",'
                   f'"nonce":"{self._nonce}","seq":{seq},"server_key":"{self._key.key_id}",'
                   f'"server_time_ms":{self._time},"v":1}}').encode("ascii")
            return SignedStatement(raw, self._key.private_key.sign(tags.RECEIPT.value + raw))
        return self._key.sign(tags.RECEIPT.value, self.statement(event_id, seq, digest))

    def statement(self, event_id: str, seq: int, digest: str) -> dict[str, object]:
        return {"v": 1, "event": event_id, "device": self._device, "seq": seq, "hash": digest,
                "server_time_ms": self._time, "nonce": self._nonce}
