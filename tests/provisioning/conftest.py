from tests.central.fixtures import sqlite_backend, sqlite_server

__all__ = ["sqlite_backend", "sqlite_server"]
