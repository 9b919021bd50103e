"""Serving the app with limits a slow or hostile client cannot outlast.

uvicorn closes a kept-alive connection that stays idle, but on its own it waits
forever for the headers of a request (a connection that sends nothing, or one
byte a minute), and its ``limit_concurrency`` answers ``503`` to honest
requests once idle sockets fill it.  So the HTTP protocol here adds:

* a **header deadline**: a connection whose request headers are not complete
  within ``header_timeout_s`` of its opening (or of the previous response) is
  closed;
* a **connection cap that never refuses a newcomer**: beyond ``max_connections``
  the oldest connection that has not sent a request is closed, so idle and
  half-open sockets make room for honest requests instead of crowding them out;
  the cap stays below the process's file-descriptor limit, whose soft value is
  raised to the hard one at start;
* **header size** bounded (h11's incomplete-event limit, 16 KiB).

The **body deadline** is the app's (:class:`~inspector_central.bodies.BodyLimits`):
``408`` and the connection closed.  In production the endpoint runs behind nginx,
which applies its own limits first (``docs/sync-protocol.md``, deployment).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("inspector_central.server")
MAX_HEADER_BYTES = 16 * 1024
#: File descriptors kept free for the database, logs and the listening socket.
_SPARE_DESCRIPTORS = 64


@dataclass(frozen=True)
class ServeLimits:
    header_timeout_s: float = 10.0
    body_timeout_s: float = 20.0
    keep_alive_timeout_s: int = 5
    max_connections: int = 1000


def serve(app: Any, host: str, port: int, limits: ServeLimits) -> None:
    soft = raise_descriptor_limit()
    allowed = max(16, min(limits.max_connections, soft - _SPARE_DESCRIPTORS))
    protocol = type("InspectorH11Protocol", (GuardedH11Protocol,),
                    {"header_timeout_s": limits.header_timeout_s, "max_connections": allowed})
    config = uvicorn.Config(app, host=host, port=port, http=protocol, log_level="warning",
                            access_log=False, timeout_keep_alive=limits.keep_alive_timeout_s,
                            h11_max_incomplete_event_size=MAX_HEADER_BYTES, backlog=2048)
    uvicorn.Server(config).run()


def raise_descriptor_limit() -> int:
    """Raise the soft limit on open files to the hard one; the soft limit in force."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return 1 << 16
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            log.warning("cannot raise the open-file limit above %s", soft)
    return int(soft) if soft != resource.RLIM_INFINITY else 1 << 20


class GuardedH11Protocol(H11Protocol):
    header_timeout_s: float = 10.0
    max_connections: int = 1000

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.opened_at = time.monotonic()
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm_header_deadline()
        if len(self.connections) > self.max_connections:
            self._close_oldest_idle()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    @property
    def waiting_for_request(self) -> bool:
        return self.conn.their_state is h11.IDLE and not self.transport.is_closing()

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_deadline)

    def _disarm_header_deadline(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _header_deadline(self) -> None:
        self._header_timer = None
        if self.waiting_for_request:
            self.transport.close()

    def _close_oldest_idle(self) -> None:
        idle = [c for c in self.connections
                if isinstance(c, GuardedH11Protocol) and c is not self and c.waiting_for_request]
        if idle:
            min(idle, key=lambda c: c.opened_at).transport.close()
