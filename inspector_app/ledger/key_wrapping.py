"""Officers' private keys wrapped by their passphrase (never on disk in clear, BRIEF §5).

The key is encrypted with ChaCha20-Poly1305 under a key derived from the
passphrase with scrypt; the credential number and public key are bound in as
associated data, so a wrapped key copied onto another officer's record does not
open.  The KDF parameters are stored with each wrapped key so they can be raised
later without locking anyone out.
"""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from inspector_protocol import tags
from inspector_protocol.keys import b64decode, b64encode, load_private_key, raw_private_key, raw_public_key

#: scrypt cost: ~0.1 s and 64 MiB on a tablet; slow enough to make guessing
#: expensive, fast enough for a gloved officer signing in at the gate.
SCRYPT_N = 2**16
SCRYPT_R = 8
SCRYPT_P = 1
_WRAP_FORMAT = "inspector-wrapped-key/1"


class WrongPassphrase(Exception):
    """The passphrase did not open the wrapped key (AEAD authentication failed)."""


def _associated_data(credential: str, public_key: bytes) -> bytes:
    return tags.OFFICER_KEY_WRAP(credential.encode() + b"\x00" + public_key)


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def wrap_private_key(
    private_key: Ed25519PrivateKey, passphrase: str, credential: str, *, n: int = SCRYPT_N
) -> str:
    salt, nonce = os.urandom(16), os.urandom(12)
    kek = _derive(passphrase, salt, n, SCRYPT_R, SCRYPT_P)
    public = raw_public_key(private_key)
    ciphertext = ChaCha20Poly1305(kek).encrypt(
        nonce, raw_private_key(private_key), _associated_data(credential, public)
    )
    record: dict[str, Any] = {
        "format": _WRAP_FORMAT,
        "kdf": {"name": "scrypt", "n": n, "r": SCRYPT_R, "p": SCRYPT_P,
                "salt": b64encode(salt)},
        "aead": {"name": "chacha20-poly1305", "nonce": b64encode(nonce)},
        "ciphertext": b64encode(ciphertext),
    }
    return json.dumps(record, sort_keys=True)


def unwrap_private_key(
    wrapped: str, passphrase: str, credential: str, public_key: bytes
) -> Ed25519PrivateKey:
    record = json.loads(wrapped)
    if record.get("format") != _WRAP_FORMAT:
        raise ValueError(f"unknown wrapped-key format {record.get('format')!r}")
    kdf = record["kdf"]
    kek = _derive(passphrase, b64decode(kdf["salt"]), kdf["n"], kdf["r"], kdf["p"])
    try:
        raw = ChaCha20Poly1305(kek).decrypt(
            b64decode(record["aead"]["nonce"]), b64decode(record["ciphertext"]),
            _associated_data(credential, public_key),
        )
    except InvalidTag:
        raise WrongPassphrase() from None
    key = load_private_key(raw)
    if raw_public_key(key) != public_key:
        raise ValueError("wrapped key does not match its public key")
    return key
