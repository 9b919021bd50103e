"""A stand-in for the operating system's keystore (the edge of the world), for the tests.

Chosen with ``PYTHON_KEYRING_BACKEND=tests.security.keystore_backend.FileKeystore``;
the secrets go to the JSON file named by ``INSPECTOR_TEST_KEYSTORE``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeystore(KeyringBackend):
    priority = 1

    def _path(self) -> Path:
        return Path(os.environ["INSPECTOR_TEST_KEYSTORE"])

    def _all(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._all().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        secrets = {**self._all(), f"{service}/{username}": password}
        self._path().write_text(json.dumps(secrets), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        secrets = self._all()
        secrets.pop(f"{service}/{username}", None)
        self._path().write_text(json.dumps(secrets), encoding="utf-8")
