"""Learning of a new version: the signed release manifest, fetched during sync.

After a sync the tablet asks the centre for the newest release manifest
(``GET /v1/release``).  The reply must carry the pinned server key's signature
like every reply; the manifest inside must *also* be signed by a release key
pinned in this build (:data:`PINNED_RELEASE_KEYS`), because the server key
proves where the answer came from, not that the release is real.  A manifest
older than the newest one seen is refused (rollback).  Nothing is installed:
the officer and the team lead are told "version X is available, ask IT", and
IT deploys (``docs/it-guide.md``).  It runs on the sync worker, after the
records are sent; a failure here never fails the sync.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass

from inspector_app import __version__
from inspector_app.services.workspace import Workspace
from inspector_app.sync.failures import SyncFailure
from inspector_app.sync.transport import Reply, Transport
from inspector_protocol import keys
from inspector_protocol import release_manifest as rm
from inspector_protocol.text import Text
from inspector_protocol.wire import API_PREFIX

log = logging.getLogger(__name__)

#: Release public keys pinned in the build (raw Ed25519, base64): the release manager
#: puts theirs here before building (``inspector-central release key-new`` prints it).
#: With none pinned, no manifest is believed and the app never claims an update.
PINNED_RELEASE_KEYS: tuple[str, ...] = ()
META_KEY = "release_manifest"


@dataclass(frozen=True)
class UpdateNotice:
    version: str
    minimum_version: str
    notes: Text
    #: This build is below the release's minimum supported version.
    unsupported: bool

    @property
    def text(self) -> Text:
        if self.unsupported:
            return Text("新版本 {v} 可用；本版本 {running} 已不再受支持，请尽快联系信息化部门升级。",
                        "Version {v} is available and this version ({running}) is no longer "
                        "supported; ask IT to upgrade soon.").format(v=self.version,
                                                                      running=__version__)
        return Text("新版本 {v} 可用，请联系信息化部门。", "Version {v} is available, ask IT.").format(
            v=self.version)


def pinned_release_keys() -> list[bytes]:
    return [keys.b64decode(k) for k in PINNED_RELEASE_KEYS]


def fetch_release(ws: Workspace, transport: Transport,
                  pinned: list[bytes] | None = None) -> UpdateNotice | None:
    """Ask the centre (``transport`` already pinned by the sync); keep what is believed.

    Raises :class:`~inspector_protocol.release_manifest.ReleaseRefused` for a manifest
    that is not believed (unknown key, bad signature, rollback) and ``SyncFailure``
    when the centre cannot be asked; the stored manifest is unchanged then."""
    reply = transport.exchange("GET", f"{API_PREFIX}/release", _reply,
                               params={"nonce": secrets.token_urlsafe(18)})
    document = (reply.body or {}).get("release") if reply.status == 200 else None
    if document is None:
        return update_notice(ws)
    signed = rm.parse_signed(document, "release manifest")
    manifest = rm.verify_release(signed, pinned_release_keys() if pinned is None else pinned)
    seen = seen_manifest(ws)
    if seen is not None and (manifest.version_tuple, manifest.published) < (
            seen.version_tuple, seen.published):
        raise rm.ReleaseRefused(Text(
            "中心端提供的版本清单（{v}）比本机已见过的（{seen}）更旧，已拒绝。",
            "The central endpoint offered a release manifest ({v}) older than one already seen "
            "({seen}); refused.").format(v=manifest.version, seen=seen.version),
            code="release.rollback")
    if seen != manifest:
        ws.ledger.set_meta(META_KEY, json.dumps(signed.to_json(), ensure_ascii=False))
    return update_notice(ws)


def _reply(reply: Reply) -> Reply:
    return reply


def seen_manifest(ws: Workspace) -> rm.ReleaseManifest | None:
    raw = ws.ledger.meta(META_KEY)
    if not raw:
        return None
    # It was verified before it was stored; parsing it again keeps one reader.
    return rm.parse_signed(json.loads(raw), "stored release manifest").manifest


def update_notice(ws: Workspace) -> UpdateNotice | None:
    """"Version X is available" when the newest manifest seen is newer than this build."""
    manifest = seen_manifest(ws)
    running = rm.version_tuple(__version__)
    if manifest is None or manifest.version_tuple <= running:
        return None
    return UpdateNotice(manifest.version, manifest.minimum_version, manifest.notes,
                        running < rm.version_tuple(manifest.minimum_version))


def check_after_sync(ws: Workspace, transport: Transport) -> Text | None:
    """The sync's hook: fetch, never raise; returns what to say when a manifest was refused."""
    try:
        fetch_release(ws, transport)
    except rm.ReleaseRefused as refused:
        log.warning("release manifest refused: %s", refused.text.render("en"))
        return refused.text
    except SyncFailure as failure:  # the records went; the manifest waits for the next sync
        log.info("release manifest not fetched: %s", failure.text.render("en"))
    return None
