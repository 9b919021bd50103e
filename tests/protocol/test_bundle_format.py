"""Reading a bundle costs memory bounded by one event, whatever the file holds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from inspector_protocol.bundle import BUNDLE_FORMAT, MAX_LINE_BYTES, BundleError, read_bundle

REPO_ROOT = Path(__file__).resolve().parents[2]


def _header() -> bytes:
    return (json.dumps({"format": BUNDLE_FORMAT, "header": {}, "sig": ""}) + "\n").encode()


def test_a_line_longer_than_one_event_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.bundle"
    path.write_bytes(_header() + b'{"event": "' + b"A" * MAX_LINE_BYTES + b'"}\n')
    with pytest.raises(BundleError) as refused:
        read_bundle(path)
    assert refused.value.render("en") == "Line 2 is too long."


def test_a_400_mb_line_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.bundle"
    with path.open("wb") as out:  # sparse: 400 MB of one line, almost nothing on disk
        out.write(_header())
        out.seek(400 * 1024 * 1024)
        out.write(b"\n")
    done = subprocess.run(
        [sys.executable, "-c",
         "import resource, sys\n"
         "from pathlib import Path\n"
         "from inspector_protocol.bundle import BundleError, read_bundle\n"
         "try:\n    read_bundle(Path(sys.argv[1]))\n"
         "except BundleError as exc:\n    print(exc.render('en'))\n"
         # VmHWM is this process's own peak; Linux carries ru_maxrss over from the parent
         # (pytest, often past 150 MB) across fork and exec.
         "status = Path('/proc/self/status')\n"
         "peak = [l.split()[1] for l in status.read_text().splitlines() if l.startswith('VmHWM')]"
         " if status.exists() else []\n"
         "print(peak[0] if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n",
         str(path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    message, peak_kb = done.stdout.strip().splitlines()
    assert message == "Line 2 is too long."
    assert int(peak_kb) < 150 * 1024  # a few MB of Python, not 400 MB of line
