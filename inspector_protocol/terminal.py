"""Text from outside, made harmless on a terminal.

QR payloads, enterprise names, device-supplied strings and file names reach the
command lines' output.  A control character among them can move the cursor, erase
lines or overwrite what was printed ("ALL VISITS VERIFIED" printed over a failure),
and Unicode bidirectional controls can reorder what a reader sees.  Every such
character is shown as a visible ``\\uXXXX`` escape instead; newline and tab stay.

The escape is also how JSON spells the character, so JSON output passes through
unchanged in meaning: a consumer parsing it gets exactly the original text.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

#: C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    return UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


class SafeStream:
    """A text stream that escapes unsafe characters in everything written to it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(escape_controls(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        # flush, isatty, fileno, encoding, buffer (binary output is passed through as asked)
        return getattr(self._stream, name)


@contextmanager
def safe_terminal() -> Iterator[None]:
    """While the block runs, sys.stdout and sys.stderr escape unsafe characters."""
    saved = sys.stdout, sys.stderr
    sys.stdout = SafeStream(saved[0])
    sys.stderr = SafeStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
