"""Fuzzing the payload classifier: no input raises, and none blocks.

The 100 ms target per payload is measured by ``bench/fuzz.py`` (the payload target's
slowest input, in bench/README.md); here only gross blocking is bounded (a second),
which a loaded machine cannot trip but catastrophic backtracking would.

Three strategies share the 10,000+ examples: arbitrary text, text in the shape of
our codes (prefix + base45 alphabet), and valid codes with random edits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector_app.profile import Profile
from inspector_app.scanning.classify import classify
from inspector_protocol import base45

LIMIT_S = 1.0
EXAMPLES = 10_000


def _edits(code: str) -> st.SearchStrategy[str]:
    def apply(edits: list[tuple[int, str, int]]) -> str:
        text = code
        for position, replacement, cut in edits:
            at = position % (len(text) + 1)
            text = text[:at] + replacement + text[at + cut:]
        return text

    edit = st.tuples(st.integers(0, 400), st.text(max_size=3), st.integers(0, 3))
    return st.lists(edit, min_size=1, max_size=4).map(apply)


_ours = st.tuples(st.sampled_from(["QY1:", "QY2:", "qy1:", "QY1", "QY"]),
                  st.text(alphabet=base45.ALPHABET, max_size=300)).map("".join)


def _inputs(code: str) -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=500), _ours, _edits(code))


def test_classifier_never_raises_and_stays_fast(
    issue: Callable[..., str], demo_profile: Profile, now: datetime
) -> None:
    slowest: list[float] = [0.0]

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(_inputs(issue()))
    def check(text: str) -> None:
        started = time.perf_counter()
        verdict = classify(text, demo_profile, now)
        elapsed = time.perf_counter() - started
        slowest[0] = max(slowest[0], elapsed)
        assert elapsed < LIMIT_S, f"{elapsed * 1000:.1f} ms for {text!r}"
        assert verdict.kind in {"signed", "legacy", "foreign"}
        assert verdict.status in {"verified", "unverified", "rejected"}
        if verdict.status != "verified":
            assert verdict.reason.code != "signed.verified"

    check()
    assert slowest[0] < LIMIT_S
