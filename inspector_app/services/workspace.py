"""Composition root: builds the pieces the front ends use from a data folder.

A data folder holds one ledger: ``ledger.sqlite3`` (events, keys, receipts) and
``profile.json`` (the department profile installed by ``inspector init``).
Front ends (CLI, GUI) get everything through :class:`Workspace`, so wiring
lives in one place and tests build the same objects around a temporary folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app import __version__
from inspector_app.ledger.store import Ledger
from inspector_app.platform.clock import Clock, SystemClock
from inspector_app.platform.fileio import write_durably
from inspector_app.profile import (
    Profile,
    demo_profile_path,
    load_profile,
    parse_profile,
    read_profile_bytes,
)
from inspector_protocol import events as ev
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.checklists import TemplateRegistry

PROFILE_FILE = "profile.json"
LEDGER_FILE = "ledger.sqlite3"


def installed_profile_path(data_dir: Path) -> Path:
    return data_dir / PROFILE_FILE


def load_active_profile(data_dir: Path) -> Profile:
    """The profile installed in ``data_dir``, or the bundled demo profile when none is."""
    installed = installed_profile_path(data_dir)
    return load_profile(installed if installed.exists() else demo_profile_path())


@dataclass
class Workspace:
    data_dir: Path
    profile: Profile
    ledger: Ledger
    clock: Clock
    _templates: TemplateRegistry | None = field(default=None, repr=False)

    def templates(self) -> TemplateRegistry:
        """Bundled and installed checklist templates, every version (loaded on first use)."""
        if self._templates is None:
            from inspector_app.checklists import default_registry
            from inspector_app.checklists.registry import TEMPLATES_DIR

            self._templates = default_registry(self.data_dir / TEMPLATES_DIR)
        return self._templates

    def reload_templates(self) -> None:
        """Read the templates again on next use (another connection installed some)."""
        self._templates = None

    def close(self) -> None:
        self.ledger.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_initialised(data_dir: Path) -> bool:
    return (data_dir / LEDGER_FILE).exists() and installed_profile_path(data_dir).exists()


def open_workspace(data_dir: Path, clock: Clock | None = None) -> Workspace:
    clock = clock or SystemClock()
    ledger = Ledger.open(data_dir / LEDGER_FILE, clock)
    return Workspace(data_dir, load_profile(installed_profile_path(data_dir)), ledger, clock)


def init_workspace(
    data_dir: Path, profile_file: Path | None = None, clock: Clock | None = None
) -> Workspace:
    """Create a ledger in ``data_dir`` under a validated profile (the demo one by default)."""
    clock = clock or SystemClock()
    if is_initialised(data_dir):
        raise UserError(
            Text("数据文件夹 {dir} 已初始化；如需更换配置请使用 inspector profile install。",
                 "{dir} is already initialised; to change the profile use 'inspector profile "
                 "install'.").format(dir=data_dir),
            code="ledger.exists",
        )
    source = profile_file or demo_profile_path()
    raw = read_profile_bytes(source)
    profile = parse_profile(raw, source.name)  # validated before anything is written
    data_dir.mkdir(parents=True, exist_ok=True)
    write_durably(installed_profile_path(data_dir), raw)
    ledger = Ledger.create(
        data_dir / LEDGER_FILE, clock,
        {"app_version": __version__, "profile": _profile_ref(profile)},
    )
    ledger.append(ledger.device_signer(), ev.PROFILE_INSTALLED, {"profile": _profile_ref(profile)})
    return Workspace(data_dir, profile, ledger, clock)


def install_profile(workspace: Workspace, profile_file: Path) -> Profile:
    """Replace the profile; a bad file changes nothing (it is validated first)."""
    raw = read_profile_bytes(profile_file)
    profile = parse_profile(raw, profile_file.name)
    ledger = workspace.ledger
    ledger.append(ledger.device_signer(), ev.PROFILE_INSTALLED, {"profile": _profile_ref(profile)})
    write_durably(installed_profile_path(workspace.data_dir), raw)
    workspace.profile = profile
    return profile


def _profile_ref(profile: Profile) -> dict[str, object]:
    return {"id": profile.profile_id, "version": profile.version, "hash": profile.content_hash}

