"""What sync needs of this tablet, declared here so that sync does not know who provides it.

The services layer's workspace has these attributes and is what the command
line and the app pass in; tests may pass anything else that has them.  Sync
sits below the use cases and must not import their composition.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from inspector_app.checklists.registry import TemplateRegistry
    from inspector_app.ledger.store import Ledger
    from inspector_app.profile.model import Profile


class SyncedDevice(Protocol):
    """This tablet as sync sees it: its ledger, its profile, its data folder, its templates."""

    @property
    def ledger(self) -> Ledger: ...

    @property
    def profile(self) -> Profile: ...

    @property
    def data_dir(self) -> Path: ...

    def templates(self) -> TemplateRegistry:
        """Bundled and installed checklist templates (sync adds the ones it installs)."""
        ...
