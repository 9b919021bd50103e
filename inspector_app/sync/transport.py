"""HTTP for sync: TLS against the profile's trust anchors, timeouts, gzip, back-off.

There is no code path that turns certificate verification off: ``verify`` is
either a CA file written from the profile's trust anchors (pinning the
department's own CA) or ``True`` (the system store) when the profile has none.
Plain ``http://`` is refused unless the host is a loopback address.

Every answer is read with a size cap and must be our JSON envelope (a JSON
object whose ``protocol`` is :data:`~inspector_protocol.wire.PROTOCOL`);
anything else — a captive portal's page, a proxy's error, a cut-off body — is a
failure, never a success.  Once the device is enrolled (``pinned`` is set),
every answer that could change the device — 2xx, 304 and every 4xx, 401
included — must also carry the pinned server key's signature binding it to the
request just sent (:class:`~inspector_protocol.wire.ReplyBinding`); an answer
without it is "not the central endpoint" (``sync.not_central``), never retried,
and changes nothing.  Retries are bounded in count and in time and wait
with "full jitter" exponential back-off so that tablets returning to coverage
together do not hammer the server in step.
"""

from __future__ import annotations

import gzip
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from inspector_app.sync import failures
from inspector_app.sync.failures import FailureKind, SyncFailure
from inspector_app.sync.responses import Pinned
from inspector_protocol import keys, tags
from inspector_protocol.text import Text
from inspector_protocol.wire import (
    MAX_RESPONSE_BYTES,
    PROTOCOL,
    REPLY_SIGNATURE_HEADER,
    ReplyBinding,
    ReplySignature,
    sha256_hex,
)

if TYPE_CHECKING:
    import requests

T = TypeVar("T")
GZIP_ABOVE_BYTES = 1024
USER_AGENT = "inspector-sync/1"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class RetryPolicy:
    attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    #: No request sequence (attempts and waits together) runs longer than this.
    budget_s: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int, failure: SyncFailure) -> float:
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** attempt)
        wait = float(self.jitter() * ceiling)
        if failure.retry_after_s is not None:
            wait = max(wait, min(failure.retry_after_s, self.max_delay_s))
        return wait


@dataclass
class Transport:
    base_url: str
    verify: str | bool
    timeout: tuple[float, float] = (5.0, 30.0)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    cancelled: Callable[[], bool] = lambda: False
    bytes_sent: int = 0
    bytes_received: int = 0
    #: The server key pinned at enrolment: when set, replies must be signed by it.
    pinned: Pinned | None = None
    _session: requests.Session | None = None

    def session(self) -> requests.Session:
        if self._session is None:
            import requests  # lazy: the tablet app starts without the HTTP stack

            self._session = requests.Session()
            self._session.headers["User-Agent"] = USER_AGENT
            self._session.trust_env = False  # no proxy or CA from the environment overrides ours
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def exchange(self, method: str, path: str, parse: Callable[[Reply], T], *,
                 body: dict[str, Any] | None = None, token: str | None = None,
                 params: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None, data: bytes | None = None) -> T:
        """Send, classify and ``parse``; retry what may succeed later; raise :class:`SyncFailure`.

        ``data`` is a body of raw bytes (a photo chunk) sent as it is, instead of ``body``."""
        started = time.monotonic()
        last: SyncFailure | None = None
        for attempt in range(self.retry.attempts):
            if self.cancelled():
                raise SyncFailure("cancelled", Text("已取消", "Cancelled"))
            try:
                return parse(self.send(method, path, body=body, token=token, params=params,
                                       headers=headers, data=data))
            except SyncFailure as failure:
                if not failure.retryable:
                    raise
                last = failure
            wait = self.retry.delay(attempt, last)
            if attempt + 1 >= self.retry.attempts or time.monotonic() - started + wait > \
                    self.retry.budget_s:
                break
            self._sleep(wait)
        assert last is not None
        raise last

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        for _ in range(10_000):  # bounded; sleeps in slices so that cancel is prompt
            left = deadline - time.monotonic()
            if left <= 0 or self.cancelled():
                return
            self.retry.sleep(min(left, 0.2))

    def send(self, method: str, path: str, *, body: dict[str, Any] | None = None,
             token: str | None = None, params: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None, data: bytes | None = None) -> Reply:
        import requests

        if data is None:
            data, request_headers, request_sha256 = _encode(body)
        else:  # raw bytes (photos are compressed already): sent and signed as they are
            request_headers = {"Accept": "application/json", "Accept-Encoding": "gzip",
                               "Content-Type": "application/octet-stream"}
            request_sha256 = sha256_hex(data)
        request_headers.update(headers or {})
        if token is not None:
            request_headers["Authorization"] = f"Bearer {token}"
        self.bytes_sent += len(data or b"")
        try:
            with self.session().request(
                    method, self.base_url.rstrip("/") + path, data=data, params=params,
                    headers=request_headers, timeout=self.timeout, verify=self.verify,
                    allow_redirects=False, stream=True) as response:
                content = _read_capped(response)
                self.bytes_received += _wire_size(response, content)
                if self.pinned is not None and _can_change_state(response.status_code):
                    # Not our JSON at all (a captive portal, a proxy's page): "not ours", retried.
                    # Our JSON without the pinned key's signature: "not the central endpoint".
                    if response.status_code != 304 and _our_envelope(
                            {k.lower(): v for k, v in response.headers.items()}, content) is None:
                        raise failures.not_ours(f"HTTP {response.status_code}, "
                                                f"{response.headers.get('content-type', '-')}")
                    _check_reply_signature(
                        self.pinned, ReplyBinding(method, response.request.path_url or "",
                                                  request_sha256, response.status_code,
                                                  sha256_hex(content)),
                        response.headers.get(REPLY_SIGNATURE_HEADER))
                return _classify(response.status_code, dict(response.headers), content)
        except requests.exceptions.SSLError as exc:
            raise SyncFailure("tls", Text(
                "中心端的证书未通过验证（与部门配置中的信任证书不符）：{err}",
                "The central endpoint's certificate did not verify against the profile's trust "
                "anchors: {err}").format(err=_short(exc))) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            raise failures.network(_short(exc)) from None


def _encode(body: dict[str, Any] | None) -> tuple[bytes | None, dict[str, str], str]:
    """The bytes to send, their headers, and the SHA-256 of the body before compression."""
    headers = {"Accept": "application/json", "Accept-Encoding": "gzip"}
    if body is None:
        return None, headers, sha256_hex(b"")
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    digest = sha256_hex(data)
    headers["Content-Type"] = "application/json"
    if len(data) > GZIP_ABOVE_BYTES:
        data = gzip.compress(data, compresslevel=6, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return data, headers, digest


def _can_change_state(status: int) -> bool:
    """Answers the client acts on: successes, "not modified" and refusals (401 included).

    5xx and 429 only make it wait and retry, redirects are refused anyway."""
    return 200 <= status < 300 or status == 304 or (400 <= status < 500 and status != 429)


def _check_reply_signature(pinned: Pinned, binding: ReplyBinding, header: str | None) -> None:
    signature = ReplySignature.parse(header)
    if signature is None:
        raise failures.not_central(pinned.key_id, "unsigned reply")
    if signature.key_id != pinned.key_id:
        raise failures.not_central(pinned.key_id, f"signed by key {signature.key_id}")
    bindings = [binding]
    if binding.status == 413:
        # Too large to be read whole: the server could not hash the body it refused.
        bindings.append(ReplyBinding(binding.method, binding.target, "", binding.status,
                                     binding.body_sha256))
    public = keys.load_public_key(pinned.public_key)
    if not any(keys.verify_signature(public, signature.sig, tags.REPLY(
            b.statement(signature.key_id, signature.server_time_ms))) for b in bindings):
        raise failures.not_central(pinned.key_id, "the signature does not match this reply")


def _read_capped(response: requests.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise failures.not_ours("the answer is larger than any the endpoint sends")
        chunks.append(chunk)
    return b"".join(chunks)


def _wire_size(response: requests.Response, content: bytes) -> int:
    length = response.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else len(content)


def _classify(status: int, headers: dict[str, str], content: bytes) -> Reply:
    lowered = {k.lower(): v for k, v in headers.items()}
    if status == 304:
        return Reply(status, lowered, None)
    if status == 401:
        raise failures.auth_required()
    if status == 429 or status >= 500:
        kind: FailureKind = "busy" if status == 429 else "server"
        raise SyncFailure(kind, Text("中心端暂时无法处理（HTTP {status}），稍后重试。",
                                     "The central endpoint cannot serve now (HTTP {status}); "
                                     "will retry.").format(status=status),
                          status=status, retry_after_s=_retry_after(lowered))
    if 300 <= status < 400:
        raise failures.not_ours(f"HTTP {status} redirect")
    body = _our_envelope(lowered, content)
    if body is None:
        raise failures.not_ours(f"HTTP {status}, {lowered.get('content-type', 'no content type')}")
    return Reply(status, lowered, body)


def _our_envelope(headers: dict[str, str], content: bytes) -> dict[str, Any] | None:
    if not headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        body = json.loads(content)
    except ValueError:  # includes a body cut off mid-way
        return None
    if not isinstance(body, dict) or body.get("protocol") != PROTOCOL:
        return None
    return body


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


def _short(exc: Exception) -> str:
    return type(exc).__name__


def trust_verify(trust_anchors: tuple[str, ...], folder: Path) -> str | bool:
    """What ``requests`` verifies against: the profile's anchors if it has any, else the system."""
    if not trust_anchors:
        return True
    path = folder / "sync-trust-anchors.pem"
    content = "\n".join(a.strip() for a in trust_anchors) + "\n"
    if not path.exists() or path.read_text(encoding="ascii") != content:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(content, encoding="ascii")
        tmp.replace(path)
    return str(path)
