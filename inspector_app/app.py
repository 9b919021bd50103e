"""Composition root: builds the pieces the front ends use from a data folder.

A data folder holds one ledger: ``ledger.sqlite3`` (events, keys, receipts) and
``profile.json`` (the department profile installed by ``inspector init``).
Front ends (CLI, GUI) call only this module to get at them, so wiring lives in
one place and tests can build the same objects around a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

from inspector_app.profile import Profile, demo_profile_path, load_profile

PROFILE_FILE = "profile.json"
LEDGER_FILE = "ledger.sqlite3"


def installed_profile_path(data_dir: Path) -> Path:
    return data_dir / PROFILE_FILE


def load_active_profile(data_dir: Path) -> Profile:
    """The profile installed in ``data_dir``, or the bundled demo profile when none is."""
    installed = installed_profile_path(data_dir)
    return load_profile(installed if installed.exists() else demo_profile_path())
