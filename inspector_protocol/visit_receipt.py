"""The visit receipt the enterprise photographs at check-out.

It is short enough for a QR code a phone reads at arm's length, and it names
the check-out event by its hash, so the enterprise can later ask the central
endpoint whether exactly that record arrived (and rate the visit).  It is not
signed itself: the event it names is.
"""

from __future__ import annotations

from collections.abc import Callable
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


# -- R2: the signed receipt inside a short URL (docs/enterprise.md) -------------------------
#
# The QR code shown at check-out is ``<endpoint>/r/<R2>``: the enterprise's phone opens the
# central endpoint's page for the visit, and the receipt in the path verifies by itself
# (against the key that signed it), even before the tablet has synced.  R2 is the base32
# (RFC 4648 alphabet, upper case, no padding) of 125 bytes:
#
#      1  version, 2
#     16  visit id (the UUID's 16 bytes)
#     12  USCC: its 18 characters as base-31 digits (uscc.ALPHABET), one big-endian integer
#      4  check-in, Unix seconds, big-endian
#      4  check-out, Unix seconds, big-endian
#     16  the first 16 bytes of the check-out event's SHA-256
#      8  signing key id (the 16 hex digits of keys.key_id, as 8 bytes)
#     64  Ed25519 signature over tags.VISIT_RECEIPT.value + the 61 bytes above
#
# Upper-case base32 is in the QR alphanumeric set, so the code is two segments (the
# endpoint in byte mode, the receipt in alphanumeric mode) and stays at version 10 or
# below for any endpoint address of up to 40 characters.

R2_VERSION = 2
R2_BODY_BYTES = 61
R2_BYTES = R2_BODY_BYTES + 64
R2_CHARS = 200
URL_PATH = "/r/"
_USCC_DIGITS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class SignedVisitReceipt:
    receipt: VisitReceipt
    key_id: str
    signature: bytes

    @property
    def body(self) -> bytes:
        return receipt_body(self.receipt, self.key_id)

    def code(self) -> str:
        """The receipt as the path segment of its URL (200 base32 characters)."""
        import base64

        return base64.b32encode(self.body + self.signature).decode("ascii").rstrip("=")

    def url(self, endpoint: str) -> str:
        return receipt_url_prefix(endpoint) + self.code()


def receipt_url_prefix(endpoint: str) -> str:
    return endpoint.rstrip("/") + URL_PATH


def receipt_body(receipt: VisitReceipt, key_id: str) -> bytes:
    """The 61 signed bytes; ValueError when the receipt cannot be put in R2 form."""
    import uuid

    visit = uuid.UUID(receipt.visit_id)
    if str(visit) != receipt.visit_id.lower():
        raise ValueError("the visit id is not a UUID in its usual form")
    number = 0
    for ch in receipt.uscc:
        number = number * 31 + _USCC_DIGITS.index(ch)
    key = bytes.fromhex(key_id)
    if len(key) != 8 or len(receipt.event_hash) < HASH_CHARS:
        raise ValueError("the key id or the event hash has the wrong length")
    return (bytes((R2_VERSION,)) + visit.bytes + number.to_bytes(12, "big")
            + (receipt.checked_in_ms // 1000).to_bytes(4, "big")
            + (receipt.checked_out_ms // 1000).to_bytes(4, "big")
            + bytes.fromhex(receipt.event_hash[:HASH_CHARS]) + key)


def sign_visit_receipt(receipt: VisitReceipt, key_id: str,
                       sign: Callable[[bytes], bytes]) -> SignedVisitReceipt:
    """Sign with the device key (``sign`` gets the tagged bytes; Ed25519 is deterministic,
    so the same visit always shows the same code)."""
    from dataclasses import replace

    from inspector_protocol import tags

    receipt = replace(receipt, event_hash=receipt.event_hash[:HASH_CHARS].lower(),
                      checked_in_ms=receipt.checked_in_ms // 1000 * 1000,
                      checked_out_ms=receipt.checked_out_ms // 1000 * 1000)
    signature = sign(tags.VISIT_RECEIPT.value + receipt_body(receipt, key_id))
    return SignedVisitReceipt(receipt, key_id, signature)


_MALFORMED = Text("这不是有效的检查回执。", "This is not a valid visit receipt.")


def parse_signed_receipt(code: str) -> SignedVisitReceipt:
    """The receipt in an R2 code or URL (signature not checked: see verify_signed_receipt)."""
    import base64
    import binascii
    import uuid

    # Copied from a screen, the text may carry line breaks or zero-width spaces.
    text = "".join(ch for ch in code if not ch.isspace() and ch != "\u200b")
    if URL_PATH in text.lower():
        text = text[text.lower().rindex(URL_PATH) + len(URL_PATH):].split("?")[0].split("#")[0]
    if len(text) != R2_CHARS or not text.isascii():
        raise UserError(_MALFORMED, code="receipt.malformed")
    try:
        data = base64.b32decode(text.upper() + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        raise UserError(_MALFORMED, code="receipt.malformed") from None
    if len(data) != R2_BYTES or data[0] != R2_VERSION:
        raise UserError(_MALFORMED, code="receipt.malformed")
    number = int.from_bytes(data[17:29], "big")
    chars = []
    for _ in range(18):
        number, digit = divmod(number, 31)
        chars.append(_USCC_DIGITS[digit])
    checked_in, checked_out = int.from_bytes(data[29:33], "big"), int.from_bytes(data[33:37], "big")
    if number or not 0 < checked_in <= checked_out:
        raise UserError(_MALFORMED, code="receipt.malformed")
    try:
        uscc = parse_uscc("".join(reversed(chars))).value
    except UserError:
        raise UserError(_MALFORMED, code="receipt.malformed") from None
    receipt = VisitReceipt(str(uuid.UUID(bytes=data[1:17])), uscc, checked_in * 1000,
                           checked_out * 1000, data[37:53].hex())
    return SignedVisitReceipt(receipt, data[53:61].hex(), data[R2_BODY_BYTES:])


def verify_signed_receipt(signed: SignedVisitReceipt, public_key: bytes) -> bool:
    """Does ``public_key`` (raw Ed25519) sign this receipt?"""
    from inspector_protocol import keys, tags

    return keys.verify_signature(keys.load_public_key(public_key), signed.signature,
                                 tags.VISIT_RECEIPT.value + signed.body)


def receipt_qr_segments(url: str) -> list[tuple[str, str]]:
    """The URL as QR segments: the endpoint in byte mode, the R2 code alphanumeric."""
    prefix, _sep, code = url.rpartition(URL_PATH)
    return [(prefix + URL_PATH, "byte"), (code, "alphanumeric")]
