"""Where the installation keeps the department's provisioning public keys (set by IT).

Cheap on purpose: the app asks at start-up, before its first paint, whether this is a
department tablet's first start (``inspector_app.ui.tablet_app``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from inspector_app.platform.settings import PROVISIONING_KEYS

LEDGER_FILE = "ledger.sqlite3"


def installed_keys_path() -> Path:
    """``INSPECTOR_PROVISIONING_KEYS``, else the file the installer wrote (docs/it-guide.md)."""
    chosen = PROVISIONING_KEYS.from_env()
    if chosen is not None:
        return chosen
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "Inspector" / \
            "provisioning-keys.pem"
    return Path("/etc/inspector/provisioning-keys.pem")


def needs_provisioning(data_dir: Path) -> bool:
    """No ledger yet, and IT installed a provisioning key: set up from a provisioning code.

    Without a key (a development or demo install) the app starts on the demo profile."""
    return not (data_dir / LEDGER_FILE).exists() and installed_keys_path().exists()
