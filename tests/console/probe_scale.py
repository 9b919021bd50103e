"""Time the console's queries on a synthetic district, without HTTP (the later benchmark
measures the pages over HTTP): 300,000 enterprises and 180,000 visits over a year.

    PYTHONPATH=$PWD .venv/bin/python tests/console/probe_scale.py [--database-url URL] [FOLDER]

Rows go straight into the tables (no signatures): this measures reading, not ingest.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from inspector_central.console import views
from inspector_central.console.evaluate import evaluate_all
from inspector_central.console.scope import Scope
from inspector_central.console.statistics import refresh_all
from inspector_central.storage import Database

DEPARTMENTS = ["amr", "em", "eco", "fire", "health", "hr", "tax", "transport"]
KINDS = [("routine", "inspection", 1), ("double-random", "inspection", 1),
         ("complaint", "inspection", 1), ("penalty", "penalty", 1), ("survey", "non_enforcement", 0),
         ("assistance", "non_enforcement", 0)]
YEAR_START = 1_767_196_800_000  # 2026-01-01 00:00 China time


def fill(database: Database, enterprises: int, visits: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    codes = [f"91{index:016d}" for index in range(enterprises)]
    with database.transaction() as tx:
        tx.executemany("INSERT INTO console_enterprises (uscc, name) VALUES (?, ?)",
                       [(c, f"企业{rng.choice('德陵禹齐平宁临夏')}{i:06d}有限公司")
                        for i, c in enumerate(codes)])
    hot = codes[: enterprises // 50]  # clustered visits that trip the rules
    rows: list[tuple[object, ...]] = []
    for n in range(visits):
        enterprise = rng.choice(hot) if rng.random() < 0.3 else rng.choice(codes)
        kind, category, enforcement = rng.choice(KINDS)
        department = DEPARTMENTS[min(int(rng.expovariate(0.8)), len(DEPARTMENTS) - 1)]
        start = YEAR_START + rng.randrange(330 * 86_400_000)
        duration = int(rng.lognormvariate(7.6, 0.6))
        rows.append((str(uuid.UUID(int=rng.getrandbits(128))), f"dev-{n % 300}",
                     f"371{DEPARTMENTS.index(department)}{n % 40:05d}", enterprise, department,
                     kind, enforcement, "checked_out", start, start + duration * 1000, duration,
                     n, category, "事由", "依据", None, rng.choice(["signed", "signed", "typed"]),
                     rng.choice(["signed", "not_scanned"]), 0))
        if len(rows) == 20_000:
            _insert(database, rows)
            rows = []
    _insert(database, rows)
    return hot


def _insert(database: Database, rows: Sequence[Sequence[object]]) -> None:
    with database.transaction() as tx:
        tx.executemany(
            "INSERT INTO visits (visit_id, device, officer, enterprise, department, kind, "
            "enforcement, state, checked_in_ms, checked_out_ms, duration_s, rev, category, "
            "reason, legal_basis, enterprise_name, entry_scan, exit_scan, incomplete) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def timed(name: str, call: Callable[[], object], runs: int = 15) -> None:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"{name:38s} median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--enterprises", type=int, default=300_000)
    parser.add_argument("--visits", type=int, default=180_000)
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="console-probe-"))
    database = Database.open(data_dir=folder, database_url=args.database_url)
    began = time.perf_counter()
    hot = fill(database, args.enterprises, args.visits)
    print(f"filled in {time.perf_counter() - began:.0f} s")
    began = time.perf_counter()
    refresh_all(database)
    print(f"statistics refreshed in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    held = evaluate_all(database, YEAR_START)
    print(f"evaluate_all: {held} warnings in {time.perf_counter() - began:.1f} s")
    office = Scope(1, "office", "oversight", None)
    amr = Scope(2, "amr", "department", "amr")
    now = YEAR_START + 200 * 86_400_000
    for period in views.PERIODS:
        timed(f"overview {period} (office)",
              lambda p=period: views.overview(database, office, p, now))  # type: ignore[misc]
        timed(f"departments {period} (office)",
              lambda p=period: views.departments_report(database, office, p, now))  # type: ignore[misc]
    timed("overview year (department)", lambda: views.overview(database, amr, "year", now))
    timed("officers year (department)", lambda: views.departments_report(database, amr, "year", now))
    timed("warnings open (office)", lambda: views.warnings_page(database, office, state="open"))
    timed("warnings (department)", lambda: views.warnings_page(database, amr))
    page = views.warnings_page(database, office)
    timed("warnings page 2", lambda: views.warnings_page(database, office, cursor=page.next_cursor))
    found = views.search_enterprises(database, "企业德")
    assert len(found.items) == views.PAGE and found.next_cursor, found
    assert views.enterprise_archive(database, office, hot[0]).visits
    timed("enterprise search by name", lambda: views.search_enterprises(database, "企业德"))
    timed("enterprise search by USCC", lambda: views.search_enterprises(database, "9100000000012"))
    timed("archive of a busy enterprise", lambda: views.enterprise_archive(database, office, hot[0]))
    timed("alarms", lambda: views.alarms_page(database, office))


if __name__ == "__main__":
    main()
