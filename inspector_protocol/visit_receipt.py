"""The visit receipt the enterprise photographs at check-out.

It is short enough for a QR code a phone reads at arm's length, and it names
the check-out event by its hash, so the enterprise can later ask the central
endpoint whether exactly that record arrived (and rate the visit).  It is not
signed itself: the event it names is.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector_protocol.errors import UserError
from inspector_protocol.text import Text
from inspector_protocol.uscc import parse_uscc

PREFIX = "RCPT1"
#: Enough of the SHA-256 to name one event among all of them (128 bits).
HASH_CHARS = 32
#: The latest time a receipt may carry: the end of unsigned 32-bit Unix seconds (year 2106).
MAX_SECONDS = 2**32 - 1


@dataclass(frozen=True)
class VisitReceipt:
    visit_id: str
    uscc: str
    checked_in_ms: int
    checked_out_ms: int
    event_hash: str

    def text(self) -> str:
        return "|".join((PREFIX, self.visit_id, self.uscc, str(self.checked_in_ms // 1000),
                         str(self.checked_out_ms // 1000), self.event_hash[:HASH_CHARS]))


def parse_visit_receipt(text: str) -> VisitReceipt:
    parts = text.strip().split("|")
    if len(parts) != 6 or parts[0] != PREFIX:
        raise UserError(Text("这不是检查回执。", "This is not a visit receipt."),
                        code="receipt.malformed")
    # Unix seconds as plain digits, within what every clock and date type can carry.
    if not all(p.isascii() and p.isdigit() and len(p) <= 10 for p in parts[3:5]) or not (
            0 < int(parts[3]) <= int(parts[4]) <= MAX_SECONDS):
        raise UserError(Text("回执中的时间无效。", "The receipt's times are not valid."),
                        code="receipt.malformed")
    checked_in, checked_out = int(parts[3]) * 1000, int(parts[4]) * 1000
    if not 1 <= len(parts[1]) <= 64:
        raise UserError(Text("回执中的检查编号无效。", "The receipt's visit id is not valid."),
                        code="receipt.malformed")
    event_hash = parts[5].lower()
    if len(event_hash) != HASH_CHARS or any(c not in "0123456789abcdef" for c in event_hash):
        raise UserError(Text("回执中的记录摘要无效。", "The receipt's event hash is not valid."),
                        code="receipt.malformed")
    return VisitReceipt(parts[1], parse_uscc(parts[2]).value, checked_in, checked_out, event_hash)
