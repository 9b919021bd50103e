from tests.central.fixtures import backend, pg_cluster, server, sqlite_backend, sqlite_server

__all__ = ["backend", "pg_cluster", "server", "sqlite_backend", "sqlite_server"]
