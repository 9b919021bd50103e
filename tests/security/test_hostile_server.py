"""Attack 5: a server that does not hold the pinned key changes nothing on the tablet.

The attacker sits at the endpoint's address (a process of its own on loopback)
and relays to the real endpoint whatever it does not substitute.  It substitutes
one feed — a renamed enterprise, a fake visit, a template, its own issuer key —
or refuses the pending events; its answers are unsigned, signed with its own
key, or claim the pinned key's id under its own signature.  The tablet runs the
real ``inspector sync``: it exits 8 with "not the central endpoint", and its
caches, feed positions, receipts, refusals and queue are exactly as before.  The
next sync with the real endpoint then delivers everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_app.scanning.classify import classify
from inspector_app.scanning.issuing import issue_enterprise_code
from inspector_app.services.workspace import open_workspace
from inspector_app.sync.caches import scanning_profile
from inspector_central.feeds import put_documents
from inspector_protocol import keys
from inspector_protocol.uscc import parse_uscc
from tests.central.harness import REPO, CentralServer, enrolled, tablet
from tests.sync.helpers import add_device_events

SIGNINGS = ("unsigned", "own_key", "pinned_id")
NOT_CENTRAL = 8


@dataclass
class Hostile:
    url: str
    log: Path

    def requests(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []


@pytest.fixture
def start_hostile(tmp_path: Path) -> Iterator[Any]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(upstream: str, signing: str, routes: dict[str, Any]) -> Hostile:
        n = len(processes)
        config, port_file, log = (tmp_path / f"hostile-{n}.json", tmp_path / f"hostile-{n}.port",
                                  tmp_path / f"hostile-{n}.log")
        config.write_text(json.dumps({"upstream": upstream, "signing": signing, "routes": routes,
                                      "log": str(log)}, ensure_ascii=False), encoding="utf-8")
        process = subprocess.Popen([sys.executable, "-m", "tests.security.hostile_server",
                                    str(config), str(port_file)], cwd=REPO)
        processes.append(process)
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text():
            assert process.poll() is None and time.monotonic() < deadline, "hostile server down"
            time.sleep(0.05)
        return Hostile(f"http://127.0.0.1:{port_file.read_text()}", log)

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def _sync(data_dir: Path, endpoint: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INSPECTOR_ENDPOINT": endpoint, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "inspector_app", "--data-dir", str(data_dir),
                           "--lang", "en", "sync"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def _state(data_dir: Path) -> dict[str, Any]:
    """Everything sync may change on the tablet."""
    with open_workspace(data_dir) as ws:
        conn = ws.ledger.conn
        tables = ("receipts", "sync_rejections", "sync_feeds", "central_enterprises",
                  "central_issuer_keys", "central_templates", "visit_history", "sync_enrolment")
        state: dict[str, Any] = {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}")))
                                 for t in tables}
        state["time_anchor"] = ws.ledger.meta("time_anchor")
        state["events"] = ws.ledger.event_count()
        state["checklists"] = sorted(p.name for p in (data_dir / "checklists").glob("*")) \
            if (data_dir / "checklists").exists() else []
    return state


def _page(feed: str, items: list[dict[str, Any]]) -> list[Any]:
    return [200, {"protocol": "inspector-sync/1", "feed": feed, "items": items,
                  "next_cursor": "WzEwMDAsInoiXQ", "more": False}]


def _template(version: int) -> dict[str, Any]:
    folder = resources.files("inspector_app.checklists.templates")
    document: dict[str, Any] = json.loads((folder / "non-enforcement-visit.json").read_bytes())
    document["version"] = version
    document["title"] = {"zh": "攻击者的模板", "en": "The attacker's template"}
    return document


ATTACKER_KEY = Ed25519PrivateKey.generate()
ATTACKER_KEY_ID = keys.key_id(keys.raw_public_key(ATTACKER_KEY))


def _substitutes(uscc: str) -> dict[str, list[Any]]:
    return {
        "registry": _page("registry", [{"uscc": uscc, "name": "冒名顶替有限公司", "address": None,
                                        "industry": None, "deleted": False}]),
        "visits": _page("visits", [{"visit_id": "f" * 32, "enterprise": uscc, "department": "scjg",
                                    "kind": "routine", "enforcement": True,
                                    "checked_in_ms": int(time.time() * 1000), "duration_s": 60,
                                    "state": "checked_out"}]),
        "templates": _page("templates", [_template(7)]),
        "issuer_keys": _page("issuer_keys", [{
            "key_id": ATTACKER_KEY_ID, "public_key": keys.b64encode(keys.raw_public_key(ATTACKER_KEY)),
            "revoked": False}]),
    }


@pytest.fixture
def synced_tablet(sqlite_server: CentralServer, template_data_dir: Path,
                  tmp_path: Path) -> tuple[Path, str]:
    """A tablet enrolled with the real endpoint and synced once, registry included."""
    folder = tmp_path / "tab"
    ws = tablet(template_data_dir, folder)
    uscc = ws.profile.enterprises[0].uscc.value
    put_documents(sqlite_server.backend.database(), "registry",
                  [(uscc, {"uscc": uscc, "name": "真实企业有限公司", "address": None,
                           "industry": None, "deleted": False})])
    enrolled(ws, sqlite_server).close()
    ws.close()
    first = _sync(folder, sqlite_server.url)
    assert first.returncode == 0, first.stderr
    return folder, uscc


# Every feed with a correct signature by the attacker's own key; the other two ways of
# signing once each (the check is the same code for every feed).
FEED_CASES = [(feed, "own_key") for feed in ("registry", "visits", "templates", "issuer_keys")] \
    + [("registry", "unsigned"), ("issuer_keys", "pinned_id")]


@pytest.mark.parametrize(("feed", "signing"), FEED_CASES)
def test_a_substituted_feed_changes_nothing(
        feed: str, signing: str, synced_tablet: tuple[Path, str], sqlite_server: CentralServer,
        start_hostile: Any) -> None:
    folder, uscc = synced_tablet
    hostile = start_hostile(sqlite_server.url, signing,
                            {f"GET /v1/feeds/{feed}": _substitutes(uscc)[feed]})
    before = _state(folder)
    result = _sync(folder, hostile.url)
    assert result.returncode == NOT_CENTRAL, result.stderr
    assert "not from the central endpoint" in result.stderr
    assert any(r.startswith(f"GET /v1/feeds/{feed}") for r in hostile.requests())
    # The relayed checkpoint's acknowledgement is the real endpoint's, signed by it: the
    # time anchor it moves is genuine.  Everything else is as it was.
    after = _state(folder)
    assert {**after, "time_anchor": None} == {**before, "time_anchor": None}
    with open_workspace(folder) as ws:
        names = dict(ws.ledger.conn.execute("SELECT uscc, name FROM central_enterprises"))
        assert names[uscc] == "真实企业有限公司"
        # The attacker's poster does not scan as verified.
        enterprise = parse_uscc(uscc)
        poster = issue_enterprise_code(enterprise, "冒名顶替有限公司", key_id=ATTACKER_KEY_ID,
                                       private_key=ATTACKER_KEY,
                                       issued_at=datetime.now(UTC) - timedelta(days=1),
                                       validity_days=365)
        scanned = classify(poster, scanning_profile(ws), datetime.now(UTC))
        assert scanned.status == "rejected" and scanned.reason.code == "signed.unknown_key"


def _refusal(code: str) -> list[Any]:
    return [422, {"protocol": "inspector-sync/1", "error": {
        "code": code, "message": {"zh": "记录被拒绝。", "en": "The event is refused."}}}]


@pytest.mark.parametrize("signing", SIGNINGS)
def test_refusals_not_signed_by_the_pinned_key_mark_nothing_refused(
        signing: str, synced_tablet: tuple[Path, str], sqlite_server: CentralServer,
        start_hostile: Any) -> None:
    folder, _uscc = synced_tablet
    with open_workspace(folder) as ws:
        add_device_events(ws, 5)
    hostile = start_hostile(sqlite_server.url, signing, {
        "POST /v1/events": _refusal("request.invalid"),
        "PUT /v1/events/": _refusal("event.refused")})
    before = _state(folder)
    result = _sync(folder, hostile.url)
    assert result.returncode == NOT_CENTRAL, result.stderr
    assert "not from the central endpoint" in result.stderr
    assert "POST /v1/events" in {r.split("?")[0] for r in hostile.requests()}
    assert _state(folder) == before  # no event marked refused, no receipt, no anchor
    # The real endpoint then gets everything: nothing was left behind as "refused".
    honest = _sync(folder, sqlite_server.url)
    assert honest.returncode == 0, honest.stderr
    with open_workspace(folder) as ws:
        assert ws.ledger.conn.execute("SELECT COUNT(*) FROM sync_rejections").fetchone()[0] == 0
        receipts = ws.ledger.conn.execute("SELECT COUNT(*) FROM receipts").fetchone()[0]
        assert receipts == ws.ledger.event_count()


def test_genuine_answers_relayed_unchanged_are_believed(
        synced_tablet: tuple[Path, str], sqlite_server: CentralServer, start_hostile: Any) -> None:
    """The check is the signature, not the route: what the real endpoint signed is believed."""
    folder, _uscc = synced_tablet
    hostile = start_hostile(sqlite_server.url, "unsigned", {})
    result = _sync(folder, hostile.url)
    assert result.returncode == 0, result.stderr
    assert any(r.startswith("GET /v1/feeds/registry") for r in hostile.requests())
