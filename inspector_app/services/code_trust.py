"""Which issuers' codes a scan trusts: the profile's issuer keys and those pulled by sync.

Revocations pulled by sync apply too, so a poster signed with a withdrawn key
stops scanning as verified as soon as the tablet has synced once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from inspector_app.profile import Profile
    from inspector_app.services.workspace import Workspace


def trusted_profile(ws: Workspace) -> Profile:
    """The profile to verify scanned codes with (the app reads it on its worker)."""
    from inspector_app.sync.caches import scanning_profile

    return scanning_profile(ws)


def trusted_profile_for(data_dir: Path) -> Profile:
    """For the command line: the data folder's trusted keys, or the demo profile's when the
    folder has no ledger yet (scanning needs no ledger)."""
    from inspector_app.services.workspace import (
        is_initialised,
        load_active_profile,
        open_workspace,
    )

    if not is_initialised(data_dir):
        return load_active_profile(data_dir)
    with open_workspace(data_dir) as workspace:
        return trusted_profile(workspace)
