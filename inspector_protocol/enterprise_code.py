"""The signed enterprise code ``QY1:`` (企业码): what the issuer prints on the gate poster.

Text form: ``QY1:`` followed by the base45 encoding of these bytes::

    12  USCC: its 18 characters as one base-31 number, big-endian
     4  issued at: Unix seconds (UTC), unsigned
     2  validity: whole days after issue, unsigned, at least 1
     1  k, the length of the issuer key id (1..32)
     k  issuer key id, ASCII [A-Za-z0-9_-]
     1  n, the length of the name (1..255)
     n  enterprise name, GB18030
    64  Ed25519 signature over tags.ENTERPRISE_QR + every byte above

Why these choices: the whole code must fit a QR of version 10 at error correction
Q (221 alphanumeric characters, about 144 bytes after base45) so that a poster
survives dirt and glare.  The signature alone takes 64 bytes; packing the USCC
saves 6, and GB18030 (China's mandatory national charset, a full Unicode
encoding) spends 2 bytes per common Chinese character where UTF-8 spends 3, which
is what lets a 25-character company name fit.  Base45 keeps the code in QR
alphanumeric mode, where no decoder guesses a charset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from inspector_protocol import base45, reasons
from inspector_protocol.reasons import Reason
from inspector_protocol.uscc import ALPHABET as USCC_ALPHABET
from inspector_protocol.uscc import LENGTH as USCC_LENGTH

PREFIX = "QY1:"
#: Anything shaped like one of our codes, any version: ``QY`` then digits.
FAMILY = re.compile(r"QY(\d{1,3})(.?)", re.IGNORECASE | re.DOTALL)
#: QR version 10 at error correction Q holds 221 alphanumeric characters.
MAX_TEXT_CHARS = 221
SIGNATURE_BYTES = 64
MAX_KEY_ID_BYTES = 32
KEY_ID_PATTERN = re.compile(rb"[A-Za-z0-9_-]{1,32}")
_USCC_BYTES = 12
_FIXED_BYTES = _USCC_BYTES + 4 + 2 + 1 + 1 + SIGNATURE_BYTES
SECONDS_PER_DAY = 86_400


class PayloadRejected(Exception):
    """A scanned payload is refused; ``reason`` says why, for the officer."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.code)
        self.reason = reason


@dataclass(frozen=True)
class EnterpriseCode:
    """A decoded (not yet verified) ``QY1`` code."""

    uscc: str
    name: str
    key_id: str
    issued_at: int
    validity_days: int
    signature: bytes
    #: The signed bytes (without the domain prefix), kept for verification.
    body: bytes

    @property
    def expires_at(self) -> int:
        return self.issued_at + self.validity_days * SECONDS_PER_DAY


def pack_uscc(uscc: str) -> bytes:
    number = 0
    for ch in uscc:
        number = number * 31 + USCC_ALPHABET.index(ch)
    return number.to_bytes(_USCC_BYTES, "big")


def unpack_uscc(raw: bytes) -> str | None:
    """The 18 characters, or None when the number is beyond any USCC."""
    number = int.from_bytes(raw, "big")
    if number >= 31**USCC_LENGTH:
        return None
    chars = []
    for _ in range(USCC_LENGTH):
        number, digit = divmod(number, 31)
        chars.append(USCC_ALPHABET[digit])
    return "".join(reversed(chars))


def encode_body(uscc: str, name: str, key_id: str, issued_at: int, validity_days: int) -> bytes:
    """The signed bytes; callers validate the fields (see ``issuing``)."""
    key = key_id.encode("ascii")
    encoded_name = name.encode("gb18030")
    return b"".join((
        pack_uscc(uscc),
        issued_at.to_bytes(4, "big"),
        validity_days.to_bytes(2, "big"),
        bytes((len(key),)),
        key,
        bytes((len(encoded_name),)),
        encoded_name,
    ))


def encode_text(body: bytes, signature: bytes) -> str:
    return PREFIX + base45.encode(body + signature)


def decode_text(text: str) -> EnterpriseCode:
    """Parse a ``QY1:`` text, raising :class:`PayloadRejected` at the first layer that fails."""
    _check_prefix(text)
    if len(text) > MAX_TEXT_CHARS:
        raise PayloadRejected(reasons.SIGNED_OVERSIZE.with_detail(n=len(text), max=MAX_TEXT_CHARS))
    data = _base45_payload(text[len(PREFIX) :])
    if len(data) < _FIXED_BYTES + 2:
        raise PayloadRejected(reasons.TRUNCATED)
    return _fields(data)


def _check_prefix(text: str) -> None:
    if text.startswith(PREFIX):
        return
    match = FAMILY.match(text)
    if match and match.group(1) != "1" and match.group(2) == ":" and text[:2] == "QY":
        raise PayloadRejected(reasons.UNSUPPORTED_VERSION.with_detail(version=match.group(1)))
    raise PayloadRejected(reasons.BAD_PREFIX.with_detail(prefix=PREFIX))


def _base45_payload(encoded: str) -> bytes:
    try:
        return base45.decode(encoded)
    except base45.Base45Error as exc:
        if exc.kind == "character":
            position = next(i for i, ch in enumerate(encoded) if ch not in base45.ALPHABET)
            raise PayloadRejected(
                reasons.BAD_CHARACTERS.with_detail(
                    ch=encoded[position], position=position + len(PREFIX) + 1
                )
            ) from None
        if exc.kind == "length":
            # One character too many or too few: a code cut short (or padded) in transit.
            raise PayloadRejected(reasons.TRUNCATED) from None
        raise PayloadRejected(reasons.BAD_ENCODING) from None


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise PayloadRejected(reasons.TRUNCATED)
        chunk = self.data[self.at : self.at + n]
        self.at += n
        return chunk

    def remaining(self) -> int:
        return len(self.data) - self.at


def _fields(data: bytes) -> EnterpriseCode:
    reader = _Reader(data)
    uscc = unpack_uscc(reader.take(_USCC_BYTES))
    issued_at = int.from_bytes(reader.take(4), "big")
    validity_days = int.from_bytes(reader.take(2), "big")
    key_id = reader.take(reader.take(1)[0])
    raw_name = reader.take(reader.take(1)[0])
    body_end = reader.at
    signature = reader.take(SIGNATURE_BYTES)
    if reader.remaining():
        raise PayloadRejected(reasons.TRAILING_DATA)
    name = _name(raw_name)
    if uscc is None:
        raise PayloadRejected(reasons.BAD_USCC.with_detail(detail="—"))
    if not KEY_ID_PATTERN.fullmatch(key_id):
        raise PayloadRejected(reasons.BAD_KEY_ID)
    if validity_days == 0:
        raise PayloadRejected(reasons.BAD_VALIDITY)
    return EnterpriseCode(
        uscc, name, key_id.decode("ascii"), issued_at, validity_days, signature, data[:body_end]
    )


def _name(raw: bytes) -> str:
    try:
        name = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise PayloadRejected(reasons.BAD_NAME) from None
    if not name.strip() or any(not ch.isprintable() for ch in name):
        raise PayloadRejected(reasons.BAD_NAME)
    return name
