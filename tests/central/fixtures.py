"""Fixtures shared by the central and sync tests (imported by both conftest files)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.central.harness import BACKENDS, Backend, CentralServer, PostgresCluster, postgres_cluster
from tests.conftest import missing_locally


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    try:
        with postgres_cluster() as cluster:
            yield cluster
    except RuntimeError as exc:
        missing_locally(str(exc))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "postgresql":
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        chosen = Backend("postgresql", tmp_path / "central", cluster.new_database())
    else:
        chosen = Backend("sqlite", tmp_path / "central", None)
    yield chosen
    chosen.close()


@pytest.fixture
def sqlite_backend(tmp_path: Path) -> Iterator[Backend]:
    chosen = Backend("sqlite", tmp_path / "central", None)
    yield chosen
    chosen.close()


@pytest.fixture
def server(backend: Backend, tmp_path: Path) -> Iterator[CentralServer]:
    running = CentralServer(backend, tmp_path).start()
    yield running
    running.stop()


@pytest.fixture
def sqlite_server(sqlite_backend: Backend, tmp_path: Path) -> Iterator[CentralServer]:
    running = CentralServer(sqlite_backend, tmp_path).start()
    yield running
    running.stop()
