"""The server's signing key: made at first start, kept in the database, shared by all processes.

Its public key is what a tablet pins when it enrols (trust on enrolment); every
receipt, acknowledgement and enrolment answer is signed with it, each under its
own domain prefix (:mod:`inspector_protocol.wire`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_central.storage import Database, blob
from inspector_protocol import keys
from inspector_protocol.canonical import canonical_bytes
from inspector_protocol.wire import SignedStatement


@dataclass(frozen=True)
class ServerKey:
    key_id: str
    public_key: bytes
    private_key: Ed25519PrivateKey

    def sign(self, domain: bytes, statement: dict[str, Any]) -> SignedStatement:
        raw = canonical_bytes({**statement, "server_key": self.key_id})
        return SignedStatement(raw, self.private_key.sign(domain + raw))


def load_or_create_server_key(database: Database) -> ServerKey:
    """The one key of this deployment; concurrent first starts agree on a single key."""
    candidate = Ed25519PrivateKey.generate()
    public = keys.raw_public_key(candidate)
    with database.transaction() as tx:
        tx.execute(
            "INSERT INTO server_key VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (keys.key_id(public), public, keys.raw_private_key(candidate), now_ms()),
        )
        row = tx.one("SELECT key_id, public_key, private_key FROM server_key WHERE id = 1")
    assert row is not None
    return ServerKey(str(row[0]), blob(row[1]), keys.load_private_key(blob(row[2])))


def now_ms() -> int:
    return time.time_ns() // 1_000_000
