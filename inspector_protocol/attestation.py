"""The device's attestation of an officer key enrolled on it.

When an officer enrols on a tablet, the device key signs
``tags.ATTESTATION + credential + NUL + raw public key``, binding that key to the
credential number on this device.  (Who may *activate* such a key at the
central endpoint is a separate question; see ``docs/sync-protocol.md``.)
"""

from __future__ import annotations

from inspector_protocol import tags


def attestation_message(credential: str, public_key: bytes) -> bytes:
    return tags.ATTESTATION(credential.encode() + b"\x00" + public_key)
