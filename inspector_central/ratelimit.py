"""Per-token request rate limits: one device (or a stolen token) cannot starve the others.

A token bucket per bearer token (by its SHA-256: the token itself is not kept),
or per client address for requests without one: ``RATE_BURST`` requests at
once, refilled at ``RATE_PER_S``.  A request beyond it is answered ``429`` with
``Retry-After`` (whole seconds, at least 1) *before its body is read*, so a
flood costs the server a header parse, not a transaction.  The client honours
``Retry-After`` (``docs/sync-protocol.md``).

Refused events cost more: an upload's handler charges the token a twentieth of
a request for each event it refused (``charge``), so a stolen token posting
batches of junk is held to a few batches a minute while an honest tablet, whose
events are accepted, never notices.

The buckets live in each server process (a limit is per process; behind a
load balancer, multiply by the processes, or let nginx's ``limit_req`` hold
the global line).  Memory is bounded: at most ``MAX_BUCKETS``, the least
recently used dropped first (a dropped bucket starts full, which only ever
favours the client).
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from inspector_central import settings
from inspector_central.error_replies import error_body
from inspector_protocol.text import Text

MAX_BUCKETS = 50_000
#: Public, cheap, and what monitors poll: never limited.
_EXEMPT = ("/v1/info",)


class TokenBuckets:
    def __init__(self, rate_per_s: float, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self._clock = rate_per_s, float(burst), clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        # The middleware takes on the event loop, handlers charge from worker threads.
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one request from ``key``'s bucket: 0 if allowed, else seconds to wait."""
        with self._lock:
            return self._take(key, 1.0)

    def charge(self, key: str, requests: float) -> None:
        """Take more from a bucket after the fact (the bucket may go below empty)."""
        if requests > 0:
            with self._lock:
                self._take(key, requests, force=True)

    def _take(self, key: str, amount: float, force: bool = False) -> float:
        now = self._clock()
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= amount or force:
            self._buckets[key] = (max(tokens - amount, -self.burst), now)
            wait = 0.0
        else:
            self._buckets[key] = (tokens, now)
            wait = (amount - tokens) / self.rate
        while len(self._buckets) > MAX_BUCKETS:
            self._buckets.popitem(last=False)
        return wait


#: What one refused event of an upload costs, in requests.
REFUSED_EVENT_COST = 1 / 20


def new_buckets() -> TokenBuckets:
    return TokenBuckets(settings.in_force().rate_per_s, settings.in_force().rate_burst)


def token_key(token: str) -> str:
    return "t:" + hashlib.sha256(token.strip().encode("latin-1", "replace")).hexdigest()


class RateLimits:
    """Pure ASGI middleware."""

    def __init__(self, app: Any, buckets: TokenBuckets) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") in _EXEMPT:
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(_client_key(scope))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        payload = json.dumps({"protocol": "inspector-sync/1", "error": error_body(
            "request.rate_limited", Text(
                "请求过于频繁，请 {s} 秒后再试。",
                "Too many requests; try again in {s} s.").format(s=retry_after))},
            ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
            (b"retry-after", str(retry_after).encode()),
            # The body is never read: closing is cheaper than draining it for keep-alive.
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": payload})


def _client_key(scope: dict[str, Any]) -> str:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"authorization" and value[:7].lower() == b"bearer ":
            return token_key(value[7:].decode("latin-1"))
    client = scope.get("client")
    return "a:" + (str(client[0]) if client else "unknown")
