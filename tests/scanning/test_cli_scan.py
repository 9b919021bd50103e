"""``inspector scan``: one JSON line per file; non-zero exit only for unreadable files."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import pytest

from inspector_app.cli import main


def _scan(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, list[Any]]:
    code = main(["--data-dir", str(tmp_path / "data"), "scan", *args])
    lines = capsys.readouterr().out.splitlines()
    return code, [json.loads(line) for line in lines]


def test_json_lines_for_photos(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], issue: Callable[..., str],
    render_code: Callable[..., Any],
) -> None:
    signed = tmp_path / "signed.png"
    cv2.imwrite(str(signed), render_code(issue(issued_at=_recent())))
    empty = tmp_path / "empty.png"
    cv2.imwrite(str(empty), render_code("x")[:20, :20])
    code, lines = _scan(capsys, tmp_path, "--json", "--try-harder", str(signed), str(empty))
    assert code == 0
    assert [line["file"] for line in lines] == [str(signed), str(empty)]
    assert set(lines[0]) == {"file", "codes", "ms"}
    (found,) = lines[0]["codes"]
    assert found["payload"]["kind"] == "signed"
    assert found["payload"]["status"] == "verified"
    assert set(found["payload"]) == {"kind", "status", "reason", "uscc", "name"}
    assert lines[1]["codes"] == []


def test_unreadable_file_exits_non_zero_but_others_are_still_scanned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], render_code: Callable[..., Any],
) -> None:
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), render_code("https://www.example.com/"))
    code, lines = _scan(capsys, tmp_path, "--json", str(tmp_path / "missing.png"), str(good))
    assert code != 0
    assert lines[0]["error"]["code"] == "scan.unreadable" and lines[0]["codes"] == []
    assert lines[1]["codes"][0]["payload"]["kind"] == "foreign"


def test_human_output(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                      render_code: Callable[..., Any]) -> None:
    photo = tmp_path / "legacy.png"
    cv2.imwrite(str(photo), render_code("91371421EUHUXQEE8D"))
    assert main(["--lang", "en", "--data-dir", str(tmp_path), "scan", str(photo)]) == 0
    out = capsys.readouterr().out
    assert "legacy/unverified" in out and "91371421EUHUXQEE8D" in out


def test_scanning_imports_no_decoder_until_used() -> None:
    probe = ("import sys; import inspector_app.cli, inspector_app.scanning.classify;"
             "print(sorted({'cv2', 'zxingcpp', 'pyzbar', 'PySide6'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.strip() == "[]"


def _recent() -> Any:
    from datetime import UTC, datetime, timedelta

    # The CLI reads the real clock (it is the composition root): issue just before it.
    return datetime.now(UTC) - timedelta(days=1)
