"""The issuer keys a scanned enterprise code is verified against: the profile's and the synced ones.

The profile carries the keys IT provisioned; sync brings keys issued since and
revocations.  A key is trusted when either source has it; it is revoked when
either source says so (matched by key id or by public key, so a provisioned key
can be revoked centrally), because a revocation must win over an older list.
For the same key id the profile's public key stands.
"""

from __future__ import annotations

from collections.abc import Iterable

from inspector_app.profile.model import IssuerKey, Profile


def with_synced_issuer_keys(profile: Profile, synced: Iterable[IssuerKey]) -> Profile:
    """``profile`` with its issuer keys extended and revoked by ``synced``; pass it to ``classify``."""
    synced = tuple(synced)
    revoked_ids = {k.key_id for k in synced if k.revoked}
    revoked_keys = {k.public_key for k in synced if k.revoked}
    merged: dict[str, IssuerKey] = {k.key_id: k for k in synced}
    merged.update({k.key_id: k for k in profile.issuer_keys})
    keys = tuple(
        k.model_copy(update={"revoked": True})
        if k.key_id in revoked_ids or k.public_key in revoked_keys else k
        for k in merged.values())
    return profile.model_copy(update={"issuer_keys": keys})
