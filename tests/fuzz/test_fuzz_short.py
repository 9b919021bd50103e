"""A short coverage-guided fuzzing run of every input kind (the long one: bench/fuzz.py).

Each target starts from valid seeds and mutates them for a few thousand inputs under
libFuzzer's limits (1 GB, 5 s per input): nothing may escape but the documented
refusal.  A crash leaves the input under bench/results/fuzz for replay.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNS = 2000


def test_every_input_kind_survives_a_short_fuzzing_run(tmp_path: Path) -> None:
    results_file = tmp_path / "fuzz.json"
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "bench" / "fuzz.py"), "--runs", str(RUNS),
         "--max-time", "120", "--artifacts", str(tmp_path / "artifacts"),
         "--json", str(results_file)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    results = {r["target"]: r for r in json.loads(results_file.read_text())}
    assert set(results) >= {"profile", "template", "bundle", "image", "payload", "reply"}
    for name, result in results.items():
        assert result["crashes"] == 0, f"{name}:\n{result['log_tail']}\n{done.stderr[-2000:]}"
        assert result["inputs"] >= RUNS, (name, result)
        assert result["peak_rss_mb"] is None or result["peak_rss_mb"] < 1024, (name, result)
    # Gross bound only (a loaded machine must not fail it): the 100 ms target per payload
    # is measured by bench/fuzz.py.
    assert results["payload"]["slowest_ms"] < 1000, results["payload"]
