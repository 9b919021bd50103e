from tests.central.fixtures import sqlite_backend, sqlite_server
from tests.ui.conftest import _fail_on_qt_warnings

__all__ = ["_fail_on_qt_warnings", "sqlite_backend", "sqlite_server"]
