"""Coverage-guided fuzzing of every input the programs read (atheris + libFuzzer).

Each target of ``bench/fuzz_targets.py`` runs in its own process (libFuzzer owns the
process it runs in), starting from valid seeds, with libFuzzer's memory and time
limits: an input that raises anything but the documented refusal, takes longer than
``--timeout`` seconds or pushes the process past ``--rss-limit-mb`` is a crash, and
libFuzzer keeps it under ``--artifacts``.  The slowest single input is measured too.

    .venv/bin/python bench/fuzz.py                       # every target, 100,000 inputs each
    .venv/bin/python bench/fuzz.py --runs 2000 --target payload --target bundle
    .venv/bin/python bench/fuzz.py --json results.json

Prints one line per target: inputs run, crashes, slowest input (ms), peak RSS (MB).
Exit status 1 if any target crashed.  The test command runs a short version
(``tests/fuzz``); the server's endpoints are fuzzed by schemathesis
(``tests/central/test_openapi_fuzz.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def child(name: str, runs: int, timeout_s: int, rss_limit_mb: int, max_time_s: int,
          artifacts: Path, stats_file: Path) -> None:
    """Run libFuzzer on one target in this process; never returns."""
    import atheris

    sys.path.insert(0, str(REPO_ROOT))
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    with atheris.instrument_imports(include=["inspector_app", "inspector_protocol",
                                             "inspector_central"]):
        import fuzz_targets
    target = fuzz_targets.TARGETS[name]
    corpus = Path(tempfile.mkdtemp(prefix=f"fuzz-{name}-"))
    for i, seed in enumerate(target.seeds()):
        (corpus / f"seed-{i}").write_bytes(seed[: target.max_len])
        target.run(seed[: target.max_len])  # warm-up: lazy imports are not an input's cost
    slowest = [0.0, 0]

    def one_input(data: bytes) -> None:
        started = time.perf_counter()
        target.run(data)
        spent = time.perf_counter() - started
        slowest[1] += 1
        if spent > slowest[0]:
            slowest[0] = spent
        if slowest[1] % 500 == 0 or spent == slowest[0]:
            stats_file.write_text(json.dumps({"slowest_ms": slowest[0] * 1000,
                                              "inputs": slowest[1]}))

    artifacts.mkdir(parents=True, exist_ok=True)
    atheris.Setup([sys.argv[0], str(corpus), f"-runs={runs}", f"-timeout={timeout_s}",
                   f"-rss_limit_mb={rss_limit_mb}", f"-max_total_time={max_time_s}",
                   f"-max_len={target.max_len}", f"-artifact_prefix={artifacts}/{name}-",
                   "-print_final_stats=1"], one_input)
    atheris.Fuzz()


def run_target(name: str, args: argparse.Namespace) -> dict[str, Any]:
    stats_file = Path(tempfile.mkstemp(prefix=f"fuzz-{name}-", suffix=".json")[1])
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, "--runs", str(args.runs),
         "--timeout", str(args.timeout), "--rss-limit-mb", str(args.rss_limit_mb),
         "--max-time", str(args.max_time), "--artifacts", str(args.artifacts),
         "--stats-file", str(stats_file)],
        cwd=REPO_ROOT, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    log = done.stderr
    executed = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
    peak = re.search(r"stat::peak_rss_mb:\s*(\d+)", log)
    stats = json.loads(stats_file.read_text() or "{}") if stats_file.stat().st_size else {}
    stats_file.unlink()
    crashed = done.returncode != 0
    return {
        "target": name,
        "inputs": int(executed[1]) if executed else stats.get("inputs", 0),
        "crashes": int(crashed),
        "slowest_ms": round(stats.get("slowest_ms", 0.0), 1),
        "peak_rss_mb": int(peak[1]) if peak else None,
        "seconds": round(time.perf_counter() - started, 1),
        "log_tail": "\n".join(log.splitlines()[-40:]) if crashed else "",
    }


def main(argv: Sequence[str] | None = None) -> int:
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    import fuzz_targets

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--target", action="append", choices=sorted(fuzz_targets.TARGETS),
                        help="a target to run (repeatable; default: all)")
    parser.add_argument("--runs", type=int, default=100_000, help="inputs per target")
    parser.add_argument("--timeout", type=int, default=5, help="seconds one input may take")
    parser.add_argument("--rss-limit-mb", type=int, default=1024)
    parser.add_argument("--max-time", type=int, default=3600, help="seconds per target at most")
    parser.add_argument("--artifacts", type=Path, default=REPO_ROOT / "bench" / "results" / "fuzz")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--stats-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        child(args.child, args.runs, args.timeout, args.rss_limit_mb, args.max_time,
              args.artifacts, args.stats_file)
        return 0
    results = []
    print(f"{'target':10} {'inputs':>9} {'crashes':>7} {'slowest ms':>10} {'peak MB':>8} {'s':>7}")
    for name in args.target or sorted(fuzz_targets.TARGETS):
        result = run_target(name, args)
        results.append(result)
        print(f"{name:10} {result['inputs']:>9} {result['crashes']:>7} "
              f"{result['slowest_ms']:>10} {result['peak_rss_mb'] or '-':>8} "
              f"{result['seconds']:>7}", flush=True)
        if result["crashes"]:
            print(result["log_tail"], file=sys.stderr)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 1 if any(r["crashes"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
