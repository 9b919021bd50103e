"""The operating system's keystore, for the device's own secrets, where there is a real one.

The device key (which signs the ledger's genesis, checkpoints and bundles) and
the bearer token (which speaks for the device at the central endpoint) are kept
in the OS keystore through the ``keyring`` package when it offers one that
protects secrets from other users and from a copy of the disk: Windows
Credential Manager (DPAPI, tied to the user's logon), macOS Keychain, or a
running Secret Service on Linux.  The ledger then holds only a reference
(``keystore:<account>``).  Where there is none — a Linux tablet without a
desktop keyring, the usual case — ``keyring`` offers only its "fail" backend,
:func:`os_keystore` says so with ``None``, and the secrets stay in the ledger
database, protected by its file modes (0600 in a 0700 folder); the deployment
requirement is then full-disk encryption (``docs/trust-model.md``).

``PYTHON_KEYRING_BACKEND`` chooses a backend explicitly (``keyring``'s own
setting), which the tests use to stand in for the OS at the edge of the world.
"""

from __future__ import annotations

import logging
from typing import Any

from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.text import Text

SERVICE = "inspector"
REFERENCE = "keystore:"
log = logging.getLogger("inspector.keystore")


def os_keystore() -> Any | None:
    """The keystore backend, or None when the platform offers no real one."""
    try:
        import keyring
        from keyring.backends import chainer, fail
    except ImportError:  # pragma: no cover - a dependency; absent only in a broken install
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    if type(backend).__module__.startswith(("keyring.backends.null", "keyrings.alt")):
        return None  # no protection: a plaintext or null store is no keystore
    return backend


def put_secret(account: str, secret: str) -> str | None:
    """Store ``secret``; the reference to keep instead of it, or None (keep the secret itself)."""
    backend = os_keystore()
    if backend is None:
        return None
    backend.set_password(SERVICE, account, secret)
    return REFERENCE + account


def resolve(value: str) -> str:
    """The secret itself, whether ``value`` is one or a reference into the keystore."""
    if not value.startswith(REFERENCE):
        return value
    account = value[len(REFERENCE):]
    backend = os_keystore()
    secret = None if backend is None else backend.get_password(SERVICE, account)
    if secret is None:
        raise EnvironmentProblem(
            Text("系统密钥库中找不到本设备的密钥 {account}。",
                 "The system keystore holds no secret {account} of this device.").format(
                account=account),
            Text("请在登记本设备的同一系统用户下运行；如密钥库已清空，请联系管理员重新注册设备。",
                 "Run as the system user who set this device up; if the keystore was cleared, ask "
                 "IT to enrol the device again."),
            code="env.keystore")
    return str(secret)
