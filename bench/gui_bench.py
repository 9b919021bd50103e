"""Cold start of the tablet app to its first painted window.

    .venv/bin/python bench/gui_bench.py [--runs 7] [--json]

Runs ``inspector gui --startup-probe`` (which starts the app normally and exits
0 once the first window has been painted) as a fresh process each time, on a
fresh data folder (first run: the ledger is created) and then on an existing
one, and reports the median and worst wall time.  For comparison it also times
a bare PySide6 window painted the same way.  Target: ≤ 1.0 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE_WINDOW = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
label = QLabel("hello")
class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, app.quit)
        return False
probe = Probe()
label.installEventFilter(probe)
label.show()
app.exec()
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    with tempfile.TemporaryDirectory() as tmp:
        gui = [sys.executable, "-m", "inspector_app", "--data-dir", str(Path(tmp) / "data"),
               "gui", "--startup-probe"]
        first = timed(gui, env)  # creates the ledger (on the worker thread)
        warm = [timed(gui, env) for _ in range(args.runs)]
    bare = [timed([sys.executable, "-c", BARE_WINDOW], env) for _ in range(args.runs)]
    result = {
        "first_run_s": round(first, 3),
        "median_s": round(statistics.median(warm), 3),
        "worst_s": round(max(warm), 3),
        "bare_pyside6_median_s": round(statistics.median(bare), 3),
        "target_s": 1.0,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}: {value}")
    return 0 if result["worst_s"] <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
