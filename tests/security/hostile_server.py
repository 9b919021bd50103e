"""A hostile server for the tests: it sits at the endpoint's address and holds its own key.

Run as ``python -m tests.security.hostile_server CONFIG PORT_FILE``.  CONFIG is a
JSON file::

    {"upstream": "http://127.0.0.1:PORT",   # the real endpoint, relayed to (optional)
     "signing": "unsigned" | "own_key" | "pinned_id",
     "routes": {"GET /v1/feeds/registry": [200, {...body...}], "PUT /v1/events/": [422, {...}]},
     "log": "FILE"}

A route matches a request whose "METHOD target" starts with it; its answer is
sent as JSON (``ETag`` added for pages), signed as ``signing`` says: not at all,
with the attacker's own key (a correct signature of the reply by another key),
or claiming the pinned key's id with the attacker's signature.  Everything else
is relayed to the real endpoint unchanged, signature included — the attacker is
in the middle, substituting what it likes.  Each request is logged as a line.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_protocol import keys, tags
from inspector_protocol.wire import REPLY_SIGNATURE_HEADER, ReplyBinding, ReplySignature

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class Hostile(BaseHTTPRequestHandler):
    config: ClassVar[dict[str, Any]] = {}
    key = Ed25519PrivateKey.generate()
    pinned_id = "0" * 16
    lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        sent = self.rfile.read(length) if length else b""
        with self.lock, open(self.config["log"], "a", encoding="utf-8") as log:
            log.write(f"{self.command} {self.path}\n")
        for prefix, (status, body) in self.config["routes"].items():
            if f"{self.command} {self.path}".startswith(prefix):
                self._answer(int(status), body, sent)
                return
        self._relay(sent)

    do_GET = do_POST = do_PUT = _handle

    def _answer(self, status: int, body: Any, sent: bytes) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if self.headers.get("Content-Encoding") == "gzip":
            sent = gzip.decompress(sent)
        binding = ReplyBinding(self.command, self.path, hashlib.sha256(sent).hexdigest(), status,
                               hashlib.sha256(payload).hexdigest())
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if status == 200 and "/feeds/" in self.path:
            self.send_header("ETag", '"hostile"')
        signature = self._signature(binding)
        if signature is not None:
            self.send_header(REPLY_SIGNATURE_HEADER, signature)
        self.end_headers()
        self.wfile.write(payload)

    def _signature(self, binding: ReplyBinding) -> str | None:
        mode = self.config["signing"]
        if mode == "unsigned":
            return None
        own = keys.key_id(keys.raw_public_key(self.key))
        claimed = self.pinned_id if mode == "pinned_id" else own
        at = 1_800_000_000_000
        sig = self.key.sign(tags.REPLY(binding.statement(claimed, at)))
        return ReplySignature(claimed, at, sig).header()

    def _relay(self, sent: bytes) -> None:
        upstream = urllib.parse.urlsplit(self.config["upstream"])
        conn = http.client.HTTPConnection(upstream.hostname or "", upstream.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, body=sent or None, headers=headers)
        reply = conn.getresponse()
        body = reply.read()
        self.send_response(reply.status)
        for name, value in reply.getheaders():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        conn.close()


def main(config_path: str, port_file: str) -> None:
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    Hostile.config = config
    if config.get("upstream"):
        info = urllib.parse.urlsplit(config["upstream"])
        conn = http.client.HTTPConnection(info.hostname or "", info.port, timeout=30)
        conn.request("GET", "/v1/info")
        Hostile.pinned_id = json.loads(conn.getresponse().read())["server_key_id"]
        conn.close()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    Path(port_file).write_text(str(server.server_address[1]), encoding="ascii")
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
