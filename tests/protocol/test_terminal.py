"""Text from a QR code or a device cannot drive the terminal of whoever prints it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inspector_protocol.terminal import escape_controls

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Erase the line, move up, and print a reassuring lie over what was there.
ATTACK = "\x1b[2K\x1b[1A\rALL VISITS VERIFIED\x9b31m\u202eevil\u2066"


def test_every_unsafe_character_becomes_a_visible_escape() -> None:
    shown = escape_controls(ATTACK)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert "\u202e" not in shown and "\u2066" not in shown
    assert shown.startswith("\\u001b[2K\\u001b[1A\\u000dALL VISITS VERIFIED\\u009b31m\\u202eevil")


def test_newline_tab_and_chinese_are_left_alone() -> None:
    text = "德州恒信机械制造有限公司\tok\n第二行"
    assert escape_controls(text) == text


def test_the_escape_is_the_json_escape() -> None:
    # JSON printed through the filter still parses to the original text.
    line = json.dumps({"text": ATTACK}, ensure_ascii=False)
    assert json.loads(escape_controls(line)) == {"text": ATTACK}


@pytest.mark.parametrize("as_json", [False, True])
def test_scan_prints_a_hostile_code_harmlessly(tmp_path: Path, as_json: bool) -> None:
    import cv2
    import numpy as np
    import segno

    qr = segno.make(ATTACK, error="m", micro=False)
    image: Any = np.kron(np.pad(np.where(np.array(qr.matrix, dtype=bool), 0, 255).astype(np.uint8), 4,
                           constant_values=255), np.ones((8, 8), dtype=np.uint8))
    path = tmp_path / "hostile.png"
    cv2.imwrite(str(path), image)
    done = subprocess.run([sys.executable, "-m", "inspector_app", "--data-dir", str(tmp_path / "d"),
                           "scan", *(["--json"] if as_json else []), str(path)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\r" not in done.stdout and "\x9b" not in done.stdout
    assert "\\u001b[2K" in done.stdout
    if as_json:
        assert json.loads(done.stdout)["codes"][0]["text"] == ATTACK
