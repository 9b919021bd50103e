from tests.browser.chromium import browser, playwright_driver
from tests.central.fixtures import backend, pg_cluster, server, sqlite_backend, sqlite_server

__all__ = ["backend", "browser", "pg_cluster", "playwright_driver", "server", "sqlite_backend",
           "sqlite_server"]
