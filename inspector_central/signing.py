"""The server's signing key, and the signature it puts on every reply.

The key is either made at first start and kept in the database (shared by all
processes), or — the recommended deployment — read from a separate file given
by ``--server-key-file`` / ``INSPECTOR_CENTRAL_SERVER_KEY_FILE``, mode 0600, and
then never written to the database (:func:`load_server_key_file`).

Its public key is what a tablet pins when it enrols (trust on enrolment); every
receipt, acknowledgement and enrolment answer is signed with it, each under its
own domain tag (:mod:`inspector_protocol.tags`), and so is every HTTP reply
(:class:`ReplySigning`): a tablet changes nothing on an answer that does not
carry this key's signature bound to the very request it sent.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_central.storage import Database, blob
from inspector_protocol import keys, tags
from inspector_protocol.canonical import canonical_bytes
from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.messages import Signed
from inspector_protocol.text import Text
from inspector_protocol.wire import (
    REPLY_SIGNATURE_HEADER,
    ReplyBinding,
    ReplySignature,
    SignedStatement,
    sha256_hex,
)


@dataclass(frozen=True)
class ServerKey:
    key_id: str
    public_key: bytes
    private_key: Ed25519PrivateKey

    def sign(self, domain: bytes, statement: dict[str, Any]) -> SignedStatement:
        raw = canonical_bytes({**statement, "server_key": self.key_id})
        return SignedStatement(raw, self.private_key.sign(domain + raw))


    def sign_reply(self, binding: ReplyBinding) -> ReplySignature:
        at = now_ms()
        return ReplySignature(self.key_id, at, self.private_key.sign(
            tags.REPLY(binding.statement(self.key_id, at))))

    @classmethod
    def of(cls, private_key: Ed25519PrivateKey) -> ServerKey:
        public = keys.raw_public_key(private_key)
        return cls(keys.key_id(public), public, private_key)


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
    if not blob(row[2]):
        raise _key_problem(Text(
            "服务端密钥已移出数据库（server-key export），请用 --server-key-file 指定密钥文件。",
            "The server key was moved out of the database (server-key export); give its file "
            "with --server-key-file."))
    return ServerKey(str(row[0]), blob(row[1]), keys.load_private_key(blob(row[2])))


def server_key(database: Database, key_file: Path | None) -> ServerKey:
    """The key of this deployment: from ``key_file`` when given, else the database's."""
    return load_server_key_file(key_file) if key_file is not None else \
        load_or_create_server_key(database)


# -- the key in its own file -------------------------------------------------------------


def write_server_key_file(path: Path, private_key: Ed25519PrivateKey) -> None:
    """A new key file (PKCS#8 PEM), created 0600 and never over an existing file."""
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())


def load_server_key_file(path: Path) -> ServerKey:
    """The key in ``path``, refused unless only its owner can read it (on POSIX systems)."""
    try:
        info = path.stat()
        data = path.read_bytes()
    except OSError as exc:
        raise _key_problem(Text("无法读取服务端密钥文件 {path}：{err}",
                                "Cannot read the server key file {path}: {err}").format(
            path=path, err=exc.strerror or exc)) from None
    if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
        raise _key_problem(Text(
            "服务端密钥文件 {path} 的权限为 {mode:o}，其他用户可读；请改为 0600（chmod 600）。",
            "The server key file {path} has mode {mode:o}: other users can read it; make it "
            "0600 (chmod 600).").format(path=path, mode=stat.S_IMODE(info.st_mode)))
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise _key_problem(Text("{path} 不是 Ed25519 私钥（PKCS#8 PEM）。",
                                "{path} is not an Ed25519 private key (PKCS#8 PEM).").format(path=path))
    return ServerKey.of(key)


def export_server_key(database: Database, path: Path) -> ServerKey:
    """Move the database's key into a new file and erase it from the database.

    The public key stays (for the record); from then on every process needs
    ``--server-key-file``.  Tablets keep their pin: the key itself does not change."""
    key = load_or_create_server_key(database)
    write_server_key_file(path, key.private_key)
    with database.transaction() as tx:
        tx.execute("UPDATE server_key SET private_key = ? WHERE id = 1", (b"",))
    return key


def _key_problem(text: Text) -> EnvironmentProblem:
    return EnvironmentProblem(text, Text(
        "密钥的保管与轮换见 docs/trust-model.md。",
        "Keeping and rotating the key: see docs/trust-model.md."), code="central.server_key")


# -- every reply signed ------------------------------------------------------------------

#: Where :class:`~inspector_central.bodies.BodyLimits` leaves the request body's digest.
REQUEST_DIGEST = "inspector.request_digest"


class RequestDigest:
    """The SHA-256 of the request body as the app read it (after gzip), once read whole."""

    def __init__(self) -> None:
        self.sha256 = ""


class ReplySigning:
    """ASGI middleware: every reply carries ``Inspector-Signature`` (``docs/sync-protocol.md``).

    It signs :class:`~inspector_protocol.wire.ReplyBinding` — method, target, the
    request body's SHA-256, the status and the SHA-256 of the reply body before any
    compression — so a tablet can tell the endpoint it pinned from anything else
    that answers at its address, for every status, refusals and pages included.
    Replies are small JSON documents or pages, so holding one whole is cheap."""

    def __init__(self, app: Any, server_key: ServerKey) -> None:
        self.app = app
        self.key = server_key

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        digest = RequestDigest()
        if scope["method"] in ("GET", "HEAD"):
            digest.sha256 = sha256_hex(b"")
        scope = {**scope, REQUEST_DIGEST: digest}
        start: dict[str, Any] | None = None
        chunks: list[bytes] = []

        async def signed_send(message: dict[str, Any]) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            binding = ReplyBinding(scope["method"], _target(scope), digest.sha256,
                                   int(start["status"]), sha256_hex(body))
            header = self.key.sign_reply(binding).header()
            headers = [*start.get("headers", []),
                       (REPLY_SIGNATURE_HEADER.lower().encode(), header.encode("ascii"))]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, signed_send)


def _target(scope: dict[str, Any]) -> str:
    """The request target as the client sent it (still percent-encoded)."""
    raw = scope.get("raw_path") or scope["path"].encode("utf-8")
    query = scope.get("query_string", b"")
    target = bytes(raw) + (b"?" + bytes(query) if query else b"")
    return target.decode("latin-1")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def as_signed(statement: SignedStatement) -> Signed:
    """A signed statement as the wire carries it."""
    return Signed(raw=statement.raw.decode("utf-8"), sig=keys.b64encode(statement.sig))


def acknowledgement(server_key: ServerKey, device_id: str, nonce: str, kind: str) -> Signed:
    """The server's signed time for this request: the device's time anchor."""
    return as_signed(server_key.sign(tags.ACK.value, {
        "v": 1, "kind": kind, "device": device_id, "nonce": nonce, "server_time_ms": now_ms()}))
