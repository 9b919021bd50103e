"""Draws end to end: ``inspector-central draw`` on both databases, a real server publishing
them, and ``inspector draw verify`` re-running the exported file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from tests.central.harness import REPO, Backend, CentralServer, enrolled, tablet

ENTERPRISES = [
    {"uscc": "91371421EUHUXQEE8D", "name": "德州恒信机械制造有限公司"},
    {"uscc": "92371421UJ65RGFL9L", "name": "陵城区鑫源食品加工厂"},
    {"uscc": "91371421R53E942H0F", "name": "山东瑞丰化工储运有限公司"},
    {"uscc": "91371421KCYELPKL29", "name": "德州宏达木业有限公司"},
    {"uscc": "91371421K0TG211631", "name": "陵城区金穗面粉有限公司"},
    {"uscc": "91371421K0QEAEJT3G", "name": "德州市安泰起重设备有限公司"},
    {"uscc": "91371421AQ7G902J1H", "name": "德州百川锅炉压力容器有限公司"},
    {"uscc": "9137142166XX1FCN6K", "name": "德州正和金属粉末科技有限公司"},
]
OFFICERS_CSV = """credential,name,department
37142320001,张明,lc-amr
37142320002,刘洋,lc-amr
37142320003,王静,lc-amr
37142330001,赵磊,lc-em
37142330002,周伟,lc-em
"""
EXCLUSIONS = [{"officer": "37142320001", "uscc": "91371421EUHUXQEE8D",
               "reason": "近亲属在该企业任职"}]
BEACON_SOURCE = "中国福利彩票双色球第2025134期开奖号码（2025-11-20 开奖）"
BEACON = "03 08 14 21 27 30 + 12"


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "LANG": "en_US.UTF-8", **(env or {})})


def _central(backend: Backend, *args: str) -> subprocess.CompletedProcess[str]:
    return _run("-m", "inspector_central", *backend.args(), "draw", *args)


def _tablet(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return _run("-m", "inspector_app", "--data-dir", str(data_dir), *args)


def _pool_files(folder: Path, exclusions: list[dict[str, str]] | None = None) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "enterprises.json").write_text(json.dumps(ENTERPRISES, ensure_ascii=False),
                                             encoding="utf-8")
    (folder / "officers.csv").write_text(OFFICERS_CSV, encoding="utf-8")
    (folder / "exclusions.json").write_text(
        json.dumps(EXCLUSIONS if exclusions is None else exclusions, ensure_ascii=False),
        encoding="utf-8")
    return ["--pool-enterprises", str(folder / "enterprises.json"),
            "--pool-officers", str(folder / "officers.csv"),
            "--exclusions", str(folder / "exclusions.json")]


def _get(server: CentralServer, path: str, status: int = 200) -> Any:
    answer = requests.get(f"{server.url}/v1{path}", timeout=10)
    assert answer.status_code == status, answer.text
    return answer.json()


def _server_key(server: CentralServer) -> str:
    return str(_get(server, "/info")["server_public_key"])


def test_commit_publish_run_export_and_verify_on_the_tablet(server: CentralServer,
                                                            tmp_path: Path) -> None:
    backend = server.backend
    created = _central(backend, "create", *_pool_files(tmp_path / "in"), "--count", "3",
                       "--beacon-source", BEACON_SOURCE, "--title", "特种设备安全双随机抽查",
                       "--json")
    assert created.returncode == 0, created.stderr
    committed = json.loads(created.stdout)
    assert committed["draw_id"] == "D-000001" and committed["result"] is None
    # Published at once, before the draw: the commitment and the pools, never the secret.
    published = _get(server, "/draws/D-000001")
    assert published == committed
    assert '"secret"' not in json.dumps(published)
    [listed] = _get(server, "/draws")["draws"]
    assert listed["state"] == "committed" and listed["beacon"] is None
    assert listed["beacon_source"] == BEACON_SOURCE and listed["enterprises"] == 8

    ran = _central(backend, "run", "D-000001", "--beacon", "03  08 14 21 27 30 +  12")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.count("\n") == 4 and BEACON in ran.stdout  # the header and three tasks
    again = _central(backend, "run", "D-000001", "--beacon", BEACON)
    assert again.returncode == 0 and again.stdout == ran.stdout  # the same beacon: the same result
    other = _central(backend, "run", "D-000001", "--beacon", "01 02 03 04 05 06 + 07")
    assert other.returncode == 1 and "already run" in other.stderr
    [listed] = _get(server, "/draws")["draws"]
    assert listed["state"] == "run" and listed["beacon"] == BEACON

    exported = tmp_path / "D-000001.json"
    assert _central(backend, "export", "D-000001", "--out", str(exported)).returncode == 0
    assert json.loads(exported.read_text("utf-8")) == _get(server, "/draws/D-000001")
    shown = _central(backend, "show", "D-000001")
    names = {e["uscc"]: e["name"] for e in ENTERPRISES}
    drawn = json.loads(json.loads(exported.read_text("utf-8"))["result"]["raw"])["tasks"]
    assert all(f"{t['uscc']} {names[t['uscc']]}" in shown.stdout for t in drawn)
    assert listed["commitment_hash"] in shown.stdout

    nowhere = tmp_path / "no-ledger"
    verified = _tablet("draw", "verify", str(exported), "--server-key", _server_key(server),
                       "--commitment", listed["commitment_hash"][:16], data_dir=nowhere)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "verified" in verified.stdout and "given on the command line" in verified.stdout
    assert BEACON in verified.stdout and BEACON_SOURCE in verified.stdout
    assert not nowhere.exists()  # verifying needs no ledger and makes none

    # The result file changed after the fact: the tablet says what, and exits 3.
    document = json.loads(exported.read_text("utf-8"))
    result = json.loads(document["result"]["raw"])
    result["tasks"][0]["officers"].reverse()
    document["result"]["raw"] = json.dumps(result, ensure_ascii=False)
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    refused = _tablet("draw", "verify", str(forged), "--server-key", _server_key(server),
                      "--json", data_dir=nowhere)
    assert refused.returncode == 3
    report = json.loads(refused.stdout)
    assert report["verified"] is False
    codes = {p["code"]: p for p in report["problems"]}
    assert codes.keys() == {"draw.signature_invalid", "draw.result_differs"}
    assert codes["draw.result_differs"]["position"] == 1


def test_unknown_and_malformed_draw_ids_are_answered_in_the_error_shape(
        server: CentralServer) -> None:
    assert _get(server, "/draws") == {"draws": []}
    missing = _get(server, "/draws/D-999999", status=404)
    assert missing["error"]["code"] == "draw.unknown"
    assert _get(server, "/draws/not-a-draw", status=422)["error"]["code"] == "request.invalid"
    schema = requests.get(f"{server.url}/openapi.json", timeout=10).json()
    assert {"/v1/draws", "/v1/draws/{draw_id}"} <= schema["paths"].keys()


def test_two_runs_at_once_with_different_beacons_give_one_result(
        backend: Backend, tmp_path: Path) -> None:
    assert _central(backend, "create", *_pool_files(tmp_path / "in"), "--count", "2",
                    "--beacon-source", BEACON_SOURCE).returncode == 0
    command = [sys.executable, "-m", "inspector_central", *backend.args(), "draw", "run",
               "D-000001", "--beacon"]
    env = {**os.environ, "LANG": "en_US.UTF-8"}
    runs = [subprocess.Popen([*command, beacon], cwd=REPO, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for beacon in ("11 12 13", "21 22 23")]
    outcomes = [(run.wait(timeout=120), run.communicate()) for run in runs]
    assert sorted(code for code, _ in outcomes) == [0, 1]
    winner = next(out for code, (out, _err) in outcomes if code == 0)
    shown = _central(backend, "show", "D-000001", "--json")
    result = json.loads(json.loads(shown.stdout)["result"]["raw"])
    assert result["beacon"] in winner


def test_a_draw_that_would_need_a_rule_relaxed_is_refused_before_it_is_committed(
        sqlite_backend: Backend, tmp_path: Path) -> None:
    # Two of the three market-regulation officers recused from one enterprise, and the
    # emergency department has two: the enterprise can still be staffed, single-department...
    recusals = [{"officer": c, "uscc": "91371421EUHUXQEE8D", "reason": "回避"}
                for c in ("37142320001", "37142320002")]
    assert _central(sqlite_backend, "create", *_pool_files(tmp_path / "a", recusals), "--count",
                    "8", "--beacon-source", BEACON_SOURCE).returncode == 0
    # ...but not jointly (lc-amr is one officer short there), nor once lc-em is recused too.
    joint = _central(sqlite_backend, "create", *_pool_files(tmp_path / "b", recusals), "--count",
                     "2", "--joint", "--beacon-source", BEACON_SOURCE)
    assert joint.returncode == 1
    assert "91371421EUHUXQEE8D lacks officers of lc-amr: 2 needed, 1 eligible" in joint.stderr
    recusals.append({"officer": "37142330001", "uscc": "91371421EUHUXQEE8D", "reason": "回避"})
    single = _central(sqlite_backend, "create", *_pool_files(tmp_path / "c", recusals),
                      "--count", "2", "--beacon-source", BEACON_SOURCE)
    assert single.returncode == 1
    assert "No department has 2 eligible officers for enterprise 91371421EUHUXQEE8D" in single.stderr
    listed = _central(sqlite_backend, "list", "--json")
    assert [d["draw_id"] for d in json.loads(listed.stdout)] == ["D-000001"]


def test_bad_pool_files_are_refused_with_the_entry_at_fault(sqlite_backend: Backend,
                                                            tmp_path: Path) -> None:
    files = _pool_files(tmp_path / "in")
    bad = [*ENTERPRISES, {"uscc": "91371421EUHUXQEE8E", "name": "校验位错误的企业"}]
    (tmp_path / "in" / "enterprises.json").write_text(json.dumps(bad, ensure_ascii=False),
                                                      encoding="utf-8")
    refused = _central(sqlite_backend, "create", *files, "--count", "2", "--beacon-source", "x")
    assert refused.returncode == 1
    assert "entry 9 of the enterprise pool" in refused.stderr and "check character" in refused.stderr
    twice = [*ENTERPRISES, {"uscc": " 91371421euhuxqee8d ", "name": "重复"}]
    (tmp_path / "in" / "enterprises.json").write_text(json.dumps(twice, ensure_ascii=False),
                                                      encoding="utf-8")
    refused = _central(sqlite_backend, "create", *files, "--count", "2", "--beacon-source", "x")
    assert refused.returncode == 1 and "91371421EUHUXQEE8D appears twice" in refused.stderr
    (tmp_path / "in" / "officers.csv").write_text(OFFICERS_CSV + "37142320009,李四\n",
                                                  encoding="utf-8")
    (tmp_path / "in" / "enterprises.json").write_text(json.dumps(ENTERPRISES), encoding="utf-8")
    refused = _central(sqlite_backend, "create", *files, "--count", "2", "--beacon-source", "x")
    assert refused.returncode == 1 and "entry 6, field department" in refused.stderr
    assert json.loads(_central(sqlite_backend, "list", "--json").stdout) == []


def test_the_tablet_checks_the_signatures_against_its_pinned_centre_key(
        sqlite_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    with tablet(template_data_dir, tmp_path / "tab") as ws:
        enrolled(ws, sqlite_server).close()
    backend = sqlite_server.backend
    assert _central(backend, "create", *_pool_files(tmp_path / "in"), "--count", "2",
                    "--beacon-source", BEACON_SOURCE).returncode == 0
    assert _central(backend, "run", "D-000001", "--beacon", BEACON).returncode == 0
    exported = tmp_path / "d.json"
    assert _central(backend, "export", "D-000001", "--out", str(exported)).returncode == 0
    pinned = _tablet("draw", "verify", str(exported), data_dir=tmp_path / "tab")
    assert pinned.returncode == 0 and "pinned at enrolment" in pinned.stdout
    # The same draw signed by another centre (another database, another key) is refused.
    stranger = Backend("sqlite", tmp_path / "other-centre", None)
    try:
        assert _central(stranger, "create", *_pool_files(tmp_path / "in"), "--count", "2",
                        "--beacon-source", BEACON_SOURCE).returncode == 0
        assert _central(stranger, "run", "D-000001", "--beacon", BEACON).returncode == 0
        assert _central(stranger, "export", "D-000001", "--out",
                        str(tmp_path / "e.json")).returncode == 0
    finally:
        stranger.close()
    foreign = _tablet("--lang", "zh", "draw", "verify", str(tmp_path / "e.json"),
                      data_dir=tmp_path / "tab")
    assert foreign.returncode == 3
    assert "不是本机信任的中心端公钥" in foreign.stdout
