"""inspector-central demo-data: a district written through the server's own paths, reproducibly."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

from inspector_central.cli import main
from inspector_central.demo_data import (
    DEPARTMENTS,
    RULE_DAYS,
    RULE_VISITS,
    Shape,
    generate,
    make_uscc,
    organisation_check,
)
from inspector_central.signing import load_or_create_server_key
from inspector_central.storage import Database
from inspector_protocol.china_time import CHINA_TZ
from inspector_protocol.uscc import parse_uscc
from tests.central.harness import Backend, PostgresCluster

UNTIL = dt.date(2026, 10, 1)
DAY_MS = 86_400_000


def _generate(backend: Backend, seed: int = 7) -> dict[str, Any]:
    database = backend.database()
    summary = generate(database, load_or_create_server_key(database),
                       Shape(enterprises=400, visits=600, days=60, seed=seed, until=UNTIL))
    return summary.to_json()


def _rows(database: Database, sql: str) -> list[tuple[Any, ...]]:
    with database.transaction(write=False) as tx:
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in tx.all(sql)]


def test_a_district_has_longhuas_shape_and_every_row_is_the_servers_own(backend: Backend) -> None:
    summary = _generate(backend)
    database = backend.database()
    assert summary["refused"] == 0
    assert (summary["enterprises"], summary["visits"]) == (400, 600)
    # Enterprises: valid USCCs of Longhua, Chinese names, in the feed and in the search table.
    enterprises = _rows(database, "SELECT uscc, name, address, industry, deleted FROM enterprises")
    assert len(enterprises) == 400 and len({e[0] for e in enterprises}) == 400
    for uscc, name, address, industry, deleted in enterprises:
        assert parse_uscc(uscc).division_code == "440309"
        assert name.startswith("深圳市") and address.startswith("深圳市龙华区") and industry
        assert deleted == 0
    feed = _rows(database, "SELECT item_key, doc FROM feed_items WHERE feed = 'registry'")
    assert {k for k, _doc in feed} == {e[0] for e in enterprises}
    assert json.loads(feed[0][1])["name"] in {e[1] for e in enterprises}
    # Visits, derived by ingest from signed events: enforcement apart, three departments
    # carry most of it, every visit of a known enterprise, durations from the boot counter.
    visits = _rows(database, "SELECT enterprise, department, kind, enforcement, state, "
                             "checked_in_ms, duration_s FROM visits")
    assert len(visits) == 600
    assert {v[0] for v in visits} <= {e[0] for e in enterprises}
    enforcement = [v for v in visits if v[3]]
    assert 0.6 <= len(enforcement) / len(visits) <= 0.7
    by_department = Counter(v[1] for v in enforcement)
    top_three = sum(n for _d, n in by_department.most_common(3))
    assert top_three / len(enforcement) >= 0.7
    assert {v[1] for v in visits} <= {d.id for d in DEPARTMENTS}
    assert {v[4] for v in visits} <= {"checked_out", "abandoned", "checked_in"}
    assert Counter(v[4] for v in visits)["checked_out"] >= 0.95 * len(visits)
    first_ms = int(dt.datetime(2026, 8, 2, tzinfo=CHINA_TZ)
                   .timestamp() * 1000)
    assert all(first_ms <= v[5] < first_ms + 60 * DAY_MS for v in visits)
    durations = sorted(v[6] for v in visits if v[4] == "checked_out")
    assert 20 * 60 <= durations[len(durations) // 2] <= 70 * 60
    # Bursts: some enforcement visits are the 4th or later in 15 days, and said so.
    assert _past_the_rule(enforcement) > 0
    warned = _rows(database, "SELECT raw FROM events WHERE type = 'visit.checked_in'")
    flags = [json.loads(r[0])["body"]["frequency"]["warned"] for r in warned]
    # (the tablets' clocks, which the visits table shows, may differ from the true times by
    # a few seconds, and on a rare tablet-day by an hour: a window's edge may move)
    assert any(flags) and abs(sum(flags) - _past_the_rule(enforcement)) <= 2
    # Officers on the roster, their keys activated at ingest; devices enrolled; no alarm
    # but the odd tablet clock set wrong.
    officers = _rows(database, "SELECT COUNT(*) FROM officers")[0][0]
    assert officers == summary["officers"] and officers >= 2 * len(DEPARTMENTS)
    keys = _rows(database, "SELECT COUNT(*), SUM(CASE WHEN activated_ms IS NULL THEN 0 ELSE 1 "
                           "END) FROM device_keys WHERE officer IS NOT NULL")[0]
    assert keys == (officers, officers)
    assert {r[0] for r in _rows(database, "SELECT kind FROM alarms")} <= {"clock_discrepancy"}
    flags_by_time = dict(_rows(database, "SELECT time_flag, COUNT(*) FROM events GROUP BY time_flag"))
    assert flags_by_time["anchored"] >= 0.9 * summary["events"]
    assert _rows(database, "SELECT COUNT(*) FROM events")[0][0] == summary["events"]


def _past_the_rule(enforcement: list[tuple[Any, ...]]) -> int:
    by_enterprise: dict[str, list[int]] = {}
    for visit in enforcement:
        by_enterprise.setdefault(visit[0], []).append(int(visit[5]))
    count = 0
    for times in by_enterprise.values():
        times.sort()
        for i, t in enumerate(times):
            count += sum(1 for s in times[:i] if s >= t - RULE_DAYS * DAY_MS) + 1 >= RULE_VISITS
    return count


def test_the_same_seed_gives_the_same_district_on_either_database(
        tmp_path: Path, pg_cluster: PostgresCluster) -> None:
    first, other = (Backend("sqlite", tmp_path / name, None) for name in ("a", "c"))
    second = Backend("postgresql", tmp_path / "b", pg_cluster.new_database())
    try:
        _generate(first)
        _generate(second)
        _generate(other, seed=8)
        queries = ("SELECT uscc, name, address, industry FROM enterprises ORDER BY uscc",
                   "SELECT id, device, seq, raw, sig FROM events ORDER BY device, seq",
                   "SELECT visit_id, device, officer, enterprise, department, kind, enforcement, "
                   "state, checked_in_ms, checked_out_ms, duration_s FROM visits ORDER BY visit_id",
                   "SELECT credential, name, department FROM officers ORDER BY credential")
        for sql in queries:
            assert _rows(first.database(), sql) == _rows(second.database(), sql), sql
            assert _rows(first.database(), sql) != _rows(other.database(), sql), sql
    finally:
        for backend in (first, second, other):
            backend.close()


def test_the_command_refuses_a_database_that_holds_devices(tmp_path: Path,
                                                          capsys: Any) -> None:
    args = ["--data-dir", str(tmp_path / "central"), "demo-data", "--enterprises", "50",
            "--visits", "40", "--days", "20", "--until", "2026-10-01", "--json"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["visits"] == 40 and summary["refused"] == 0
    assert main(args) == 1
    assert "already holds devices" in capsys.readouterr().err
    assert main([*args[:3], "--days", "3"]) == 2


def test_uscc_parts_follow_the_standards() -> None:
    # 1·3 + 2·7 + 3·9 + 4·10 + 5·5 + 6·8 + 7·4 + 8·2 = 201; 11 − 201 mod 11 = 8
    assert organisation_check("12345678") == "8"
    assert parse_uscc(make_uscc("91", 12345678)).value == make_uscc("91", 12345678)


def test_the_registry_feed_keeps_the_enterprises_table(backend: Backend) -> None:
    from inspector_central.feeds import put_documents

    database = backend.database()
    uscc = make_uscc("91", 20_250_101)
    document = {"uscc": uscc, "name": "深圳市华创电子有限公司", "address": None,
                "industry": None, "deleted": False}
    put_documents(database, "registry", [(uscc, document)])
    put_documents(database, "registry", [(uscc, {**document, "name": "深圳市华创科技有限公司"})])
    assert _rows(database, "SELECT name, deleted FROM enterprises") == [("深圳市华创科技有限公司", 0)]
    put_documents(database, "registry", [(uscc, {**document, "deleted": True})])
    # Withdrawn from the tablets, still findable (its visits remain) and marked.
    assert _rows(database, "SELECT name, deleted FROM enterprises") == [("深圳市华创电子有限公司", 1)]


def test_the_migration_fills_the_table_from_a_registry_already_held(backend: Backend) -> None:
    from inspector_central.migrations import _FILL_ENTERPRISES

    database = backend.database()
    kept, withdrawn = make_uscc("91", 1), make_uscc("92", 2)
    with database.transaction() as tx:
        tx.executemany("INSERT INTO feed_items (feed, item_key, rev, doc) VALUES ('registry', ?, 5, ?)",
                       [(kept, json.dumps({"uscc": kept, "name": "甲", "address": "龙华",
                                           "industry": "零售业", "deleted": False})),
                        (withdrawn, json.dumps({"uscc": withdrawn, "name": "乙", "deleted": True}))])
        tx.execute(_FILL_ENTERPRISES[tx.dialect])
    assert sorted(_rows(database, "SELECT uscc, name, address, industry, deleted, rev "
                                  "FROM enterprises")) == sorted(
        [(kept, "甲", "龙华", "零售业", 0, 5), (withdrawn, "乙", None, None, 1, 5)])
