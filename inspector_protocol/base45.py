"""Base45 (RFC 9285): bytes as text in the QR alphanumeric character set.

QR alphanumeric mode packs 45 characters into 5.5 bits each, so base45 text costs
about as many modules as the raw bytes would in byte mode, while avoiding byte
mode's charset guessing (see ``charset``): every decoder returns it unchanged.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


class Base45Error(ValueError):
    """Not valid base45; ``kind`` is ``character`` or ``length`` or ``value``."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


def encode(data: bytes) -> str:
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        out += (ALPHABET[n % 45], ALPHABET[n // 45 % 45], ALPHABET[n // 2025])
    if len(data) % 2:
        n = data[-1]
        out += (ALPHABET[n % 45], ALPHABET[n // 45])
    return "".join(out)


def decode(text: str) -> bytes:
    values = []
    for position, ch in enumerate(text):
        value = _VALUE.get(ch)
        if value is None:
            raise Base45Error("character", f"character {ch!r} at {position} is not base45")
        values.append(value)
    if len(values) % 3 == 1:
        raise Base45Error("length", f"{len(values)} characters cannot be base45")
    out = bytearray()
    for i in range(0, len(values), 3):
        group = values[i : i + 3]
        n = sum(v * 45**k for k, v in enumerate(group))
        if len(group) == 3:
            if n > 0xFFFF:
                raise Base45Error("value", f"group at {i} exceeds two bytes")
            out += n.to_bytes(2, "big")
        else:
            if n > 0xFF:
                raise Base45Error("value", f"final group at {i} exceeds one byte")
            out.append(n)
    return bytes(out)
