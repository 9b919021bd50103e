"""bench/district_sim.py --quick: the gate look-up's effect over simulated days, as a test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_gate_look_up_warns_more_visits_past_the_rule_and_never_falsely() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "district_sim.py"), "--quick", "--p", "0", "--p",
         "1", "--json"], cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    offline, online = json.loads(done.stdout)
    assert (offline["p"], online["p"]) == (0.0, 1.0)
    # The same district both times: the same visits, the same ones past the rule.
    assert offline["past_rule"] == online["past_rule"] > 0
    assert offline["gate_reached"] == 0 and online["gate_reached"] == online["visits"]
    # Asking the centre at the gate warns at least as often, and here every time.
    assert online["warned_past_rule"] >= offline["warned_past_rule"]
    assert online["share"] == 1.0
    # Never a warning that should not be: no survey, no visit short of the rule.
    assert offline["false_warnings"] == online["false_warnings"] == 0
