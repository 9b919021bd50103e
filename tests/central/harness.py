"""Test harness: a real central endpoint process on loopback, over SQLite or a real PostgreSQL.

PostgreSQL refuses to run as root, so the throwaway cluster runs as the
``postgres`` system user (Debian's package creates it) from a temporary folder
that user owns, listening on 127.0.0.1 only, with durability off (it is thrown
away).  The cluster is started once per test session; each test gets a fresh
database in it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from glob import glob
from pathlib import Path

import requests

from inspector_app.platform.clock import Clock, FakeClock
from inspector_app.services.workspace import Workspace, open_workspace
from inspector_app.sync.endpoint import make_transport
from inspector_app.sync.enrol import enrol
from inspector_app.sync.transport import RetryPolicy, Transport
from inspector_central.enrolment import create_code
from inspector_central.storage import Database
from tests.conftest import copy_data_dir

REPO = Path(__file__).resolve().parents[2]
BACKENDS = ("sqlite", "postgresql")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- PostgreSQL -------------------------------------------------------------------


def postgres_bin() -> Path | None:
    candidates = sorted(glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


@dataclass
class PostgresCluster:
    folder: Path
    port: int
    bin_dir: Path

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


def _as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (scripts/bootstrap.sh installs it)")
    folder = Path(tempfile.mkdtemp(prefix="inspector-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    port = free_port()
    subprocess.run(_as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U",
                                "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"),
                   check=True, capture_output=True, timeout=120)
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
    subprocess.run(_as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                                "-t", "60", "-l", str(folder / "log"), "start"),
                   check=True, capture_output=True, timeout=90)
    try:
        yield PostgresCluster(folder, port, bin_dir)
    finally:
        subprocess.run(_as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                    "-w", "stop"), capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


# -- the server process -----------------------------------------------------------------


@dataclass
class Backend:
    name: str
    data_dir: Path
    database_url: str | None
    _database: Database | None = None

    def args(self) -> list[str]:
        # The data folder also holds the photo store, whichever database holds the records.
        if self.database_url:
            return ["--database-url", self.database_url, "--data-dir", str(self.data_dir)]
        return ["--data-dir", str(self.data_dir)]

    def database(self) -> Database:
        """The test's own connection to the server's database (closed by the fixture)."""
        if self._database is None:
            self._database = Database.open(data_dir=self.data_dir, database_url=self.database_url)
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.close()
            self._database = None


class CentralServer:
    """``inspector-central serve`` as a child process on a loopback port."""

    def __init__(self, backend: Backend, log_dir: Path, port: int | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.backend = backend
        #: Settings for the process (``INSPECTOR_CENTRAL_*``, see inspector_central/settings.py).
        #: By default the request rate limit is out of the way: functional tests sync many
        #: times a second with one token, and their quick retry policy waits milliseconds.
        #: tests/security/test_flood.py and bench/flood_bench.py set the limits they test.
        self.env = {"INSPECTOR_CENTRAL_RATE_BURST": "100000"} if env is None else env
        self.port = port or free_port()
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> CentralServer:
        log = (self.log_dir / f"server-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "inspector_central", *self.backend.args(), "serve",
             "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **self.env})
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                if requests.get(f"{self.url}/v1/info", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("the server did not start in time")

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process = None

    def restart(self, *, kill: bool = True) -> None:
        self.stop(kill=kill)
        self.start()


# -- tablets --------------------------------------------------------------------------------


def quick_retry() -> RetryPolicy:
    return RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.05, budget_s=10.0)


def tablet(template: Path, folder: Path, clock: Clock | None = None) -> Workspace:
    copy_data_dir(template, folder)
    return open_workspace(folder, clock or FakeClock(wall_ms=int(time.time() * 1000)))


def transport_to(ws: Workspace, url: str, retry: RetryPolicy | None = None) -> Transport:
    os.environ["INSPECTOR_ENDPOINT"] = url
    try:
        return make_transport(ws.profile, ws.data_dir, retry or quick_retry())
    finally:
        del os.environ["INSPECTOR_ENDPOINT"]


def enrolled(ws: Workspace, server: CentralServer, name: str = "tablet") -> Transport:
    code = create_code(_database(server), name)
    transport = transport_to(ws, server.url)
    enrol(ws, transport, code)
    return transport


def activated_officer(ws: Workspace, server: CentralServer, credential: str, name: str,
                      department: str = "lc-amr", passphrase: str = "activated-pass") -> str:
    """An officer put on the roster by IT and enrolled on the tablet with the activation code
    IT handed over (the way a key becomes valid at the centre); returns the passphrase."""
    from inspector_app.services.officer_enrolment import enrol_officer
    from inspector_central.roster import add_officer

    code = add_officer(_database(server), credential, name, department)
    enrol_officer(ws, credential, name, passphrase, department, activation_code=code)
    return passphrase


def _database(server: CentralServer) -> Database:
    return server.backend.database()
