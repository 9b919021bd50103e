"""Undo zbar's guess of the character set of byte-mode QR payloads.

QR byte mode carries no charset unless the encoder adds an ECI header, and almost
none do.  zbar then guesses (UTF-8, Shift_JIS, Big5, Latin-1), and for UTF-8
Chinese its guess is often Shift_JIS, handing back Japanese-looking mojibake.
zbar returns the guessed text as UTF-8, so the original bytes can be recovered by
re-encoding the text in the charset it guessed.  If those bytes are valid UTF-8,
that reading wins: our codes and nearly every modern encoder use UTF-8, and
Shift_JIS or Big5 text is almost never valid UTF-8 by accident.

When the bytes are not UTF-8, the right charset cannot be known from the bytes
(the same bytes are valid Shift_JIS, Big5 and GB18030), and a wrong text is worse
than none: the result is dropped, and the cascade goes on to other decoders.
"""

from __future__ import annotations

#: Charsets zbar may have guessed, in the order we try to undo them.
_GUESSED_CHARSETS = ("shift_jis", "big5", "latin-1")


def text_from_zbar(data: bytes) -> str | None:
    """The payload text of a zbar result, or None when its charset cannot be trusted."""
    try:
        as_guessed = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return recover_utf8(as_guessed, _GUESSED_CHARSETS)


def recover_utf8(text: str, guessed: tuple[str, ...]) -> str | None:
    """The payload behind a decoder's ``text``, or None when its charset cannot be known.

    ``guessed`` are the charsets the decoder may have read the bytes in.  If the text
    can be written back in one of them, those may be the original bytes: valid UTF-8
    means the decoder misread UTF-8 (fixed here), anything else is ambiguous.  If it
    cannot be written in any of them, the decoder can only have read it as UTF-8.
    """
    if text.isascii():
        return text
    ambiguous = False
    for charset in guessed:
        raw = _bytes_as(text, charset)
        if raw is None:
            continue
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            ambiguous = True
    return None if ambiguous else text


def _bytes_as(text: str, charset: str) -> bytes | None:
    try:
        return text.encode(charset)
    except UnicodeEncodeError:
        return None
