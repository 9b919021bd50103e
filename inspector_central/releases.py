"""Release manifests: signed by the release manager, served to tablets (``GET /v1/release``).

``release sign MANIFEST --key FILE`` signs a manifest with the release key (kept by
the release manager, never on the endpoint); ``release publish SIGNED`` stores it
here.  The centre checks that the signature matches the key the document names
and that versions only go forward; whether that key is *trusted* is the tablet's
decision, against the keys pinned in its build.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Query

from inspector_central.provisioning import ERROR_RESPONSES
from inspector_central.signing import now_ms
from inspector_central.storage import Database
from inspector_protocol import keys
from inspector_protocol import release_manifest as rm
from inspector_protocol.wire import API_PREFIX, PROTOCOL


class ReleaseError(Exception):
    """Refused by a release command; said to the release manager."""


def sign_file(manifest_path: Path, key_path: Path, out: Path) -> rm.SignedRelease:
    manifest = rm.read_manifest(_read(manifest_path), manifest_path.name)
    try:
        private = serialization.load_pem_private_key(_read(key_path), password=None)
    except (ValueError, TypeError):
        private = None
    if not isinstance(private, Ed25519PrivateKey):
        raise ReleaseError(f"{key_path} is not an Ed25519 private key (PKCS#8 PEM)")
    public = keys.raw_public_key(private)
    signed = rm.sign_release(manifest, keys.Signer(None, keys.key_id(public), private), public)
    if out.exists():
        raise ReleaseError(f"{out} exists; it is never overwritten")
    out.write_text(json.dumps(signed.to_json(), ensure_ascii=False, indent=1) + "\n",
                   encoding="utf-8")
    out.chmod(0o644)
    return signed


def publish(database: Database, signed_path: Path) -> rm.SignedRelease:
    signed = rm.read_signed(_read(signed_path), signed_path.name)
    if not rm.self_consistent(signed):
        raise ReleaseError("the signature does not match the manifest and the key it names")
    version = signed.manifest.version_tuple
    document = json.dumps(signed.to_json(), ensure_ascii=False, sort_keys=True)
    with database.transaction() as tx:
        same = tx.one("SELECT document FROM releases WHERE version = ?", (signed.manifest.version,))
        if same is not None:
            if same[0] == document:
                return signed  # published again: nothing changes
            raise ReleaseError(f"version {signed.manifest.version} is already published with "
                               "other content; a changed release needs a new version")
        newest = tx.one("SELECT major, minor, patch FROM releases "
                        "ORDER BY major DESC, minor DESC, patch DESC LIMIT 1")
        if newest is not None and tuple(int(v) for v in newest) > version:
            raise ReleaseError("a newer version is already published; tablets refuse to go back")
        tx.execute("INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (signed.manifest.version, *version, signed.manifest.published, document,
                    now_ms()))
    return signed


def latest(database: Database) -> dict[str, Any] | None:
    with database.transaction(write=False) as tx:
        row = tx.one("SELECT document FROM releases ORDER BY major DESC, minor DESC, patch DESC "
                     "LIMIT 1")
    return None if row is None else dict(json.loads(row[0]))


def new_release_key(path: Path) -> str:
    from inspector_central.signing import write_server_key_file

    if path.exists():
        raise ReleaseError(f"{path} exists; a key file is never overwritten")
    key = Ed25519PrivateKey.generate()
    write_server_key_file(path, key)
    return keys.b64encode(keys.raw_public_key(key))


def install_release_routes(app: FastAPI, database: Database) -> None:
    @app.get(f"{API_PREFIX}/release", responses=ERROR_RESPONSES,
             summary="The newest signed release manifest (or null)")
    def release(nonce: Annotated[str | None, Query(min_length=16, max_length=64,
                                                   pattern=r"^[A-Za-z0-9_-]+$")] = None
                ) -> dict[str, Any]:
        del nonce  # makes the signed reply unique to this request
        return {"protocol": PROTOCOL, "release": latest(database)}


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReleaseError(f"cannot read {path}: {exc.strerror or exc}") from None
