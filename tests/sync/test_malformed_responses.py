"""Generated malformed server answers change nothing on the device.

A requests adapter forwards to the real server and hands the client a mutated
answer instead of the real one: a missing or retyped field, a flipped byte in a
signed statement, results swapped or dropped, a cut-off body, an HTML page, a
wrong content type, random JSON.  After each, the device has no new receipt,
refusal, time anchor or sync position.

The mutated answer is signed again with the real server key (as a server with a
bug would sign what it sends), so that what is tested here is the reading of
answers behind the reply signature; answers that lack that signature are
``tests/security/test_hostile_server.py``'s subject.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.adapters import HTTPAdapter

from inspector_app.services.workspace import Workspace
from inspector_app.sync.client import SyncOptions, run_sync
from inspector_central.signing import ServerKey, load_or_create_server_key
from inspector_protocol.wire import REPLY_SIGNATURE_HEADER, ReplyBinding, sha256_hex
from tests.central.harness import CentralServer, enrolled, tablet, transport_to
from tests.sync.helpers import add_device_events

Mutation = tuple[str, Any]
_CHECKED = ["protocol", "ack", "results", "ack.raw", "ack.sig", "r.index", "r.id", "r.status",
            "r.outcome", "r.receipt", "r.receipt.raw", "r.receipt.sig"]
_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                         st.text(max_size=5), inner, max_size=3), max_leaves=8)
mutations = st.one_of(
    st.tuples(st.just("drop"), st.sampled_from(_CHECKED)),
    st.tuples(st.just("retype"), st.tuples(st.sampled_from(_CHECKED), _json)),
    st.tuples(st.just("flip"), st.tuples(st.sampled_from(["ack.raw", "ack.sig", "r.receipt.raw",
                                                          "r.receipt.sig"]), st.integers(0, 10_000))),
    st.tuples(st.just("truncate"), st.floats(0.0, 0.99)),
    st.tuples(st.just("html"), st.none()),
    st.tuples(st.just("content_type"), st.sampled_from(["text/html", "text/plain", ""])),
    st.tuples(st.just("random_json"), _json),
    st.tuples(st.just("results"), st.sampled_from(["swap", "drop_one", "duplicate_one"])),
)


class MutatingAdapter(HTTPAdapter):
    mutation: Mutation | None = None
    server_key: ServerKey | None = None

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        response = super().send(request, *args, **kwargs)
        if self.mutation is None or request.method != "POST" or not request.url or \
                not request.url.endswith("/v1/events"):
            return response
        content = response.content
        status, ctype, body = mutate(self.mutation, content)
        forged = requests.Response()
        forged.status_code = status
        forged.headers = requests.structures.CaseInsensitiveDict(
            {"Content-Type": ctype, "Content-Length": str(len(body))})
        if self.server_key is not None:
            sent = request.body if isinstance(request.body, bytes) else b""
            if request.headers.get("Content-Encoding") == "gzip":
                sent = gzip.decompress(sent)
            binding = ReplyBinding(str(request.method), request.path_url, sha256_hex(sent), status,
                                   sha256_hex(body))
            forged.headers[REPLY_SIGNATURE_HEADER] = self.server_key.sign_reply(binding).header()
        forged._content = body
        forged._content_consumed = True  # type: ignore[attr-defined]
        forged.url = response.url
        forged.request = request
        return forged


def mutate(mutation: Mutation, content: bytes) -> tuple[int, str, bytes]:
    kind, arg = mutation
    if kind == "truncate":
        return 200, "application/json", content[: int(len(content) * arg)]
    if kind == "html":
        return 200, "text/html", b"<html><body>Welcome! Please log in.</body></html>"
    if kind == "content_type":
        return 200, arg, content
    if kind == "random_json":
        return 200, "application/json", json.dumps(arg).encode()
    body = json.loads(content)
    if kind == "results":
        results = body["results"]
        if arg == "swap":
            results.reverse()
        elif arg == "drop_one":
            results.pop()
        else:
            results.append(copy.deepcopy(results[0]))
    else:
        _apply(body, kind, arg)
    return 200, "application/json", json.dumps(body).encode()


def _apply(body: dict[str, Any], kind: str, arg: Any) -> None:
    path, value = (arg, None) if kind == "drop" else arg  # "flip" carries a position
    parts = path.split(".")
    targets: list[dict[str, Any]] = [body["results"][-1]] if parts[0] == "r" else [body]
    parts = parts[1:] if parts[0] == "r" else parts
    holder = targets[0]
    for part in parts[:-1]:
        holder = holder[part]
    last = parts[-1]
    if kind == "drop":
        del holder[last]
    elif kind == "retype":
        holder[last] = value if value != holder[last] else [value]
        if last == "outcome" and holder[last] in ("accepted", "duplicate"):
            holder[last] = "invented"
    else:
        text = holder[last]
        position = int(value or 0) % len(text)
        replacement = "A" if text[position] != "A" else "B"
        holder[last] = text[:position] + replacement + text[position + 1:]


def _device_state(ws: Workspace) -> tuple[Any, ...]:
    conn = ws.ledger.conn
    return (conn.execute("SELECT COUNT(*) FROM receipts").fetchone()[0],
            conn.execute("SELECT COUNT(*) FROM sync_rejections").fetchone()[0],
            ws.ledger.meta("time_anchor"),
            conn.execute("SELECT COUNT(*) FROM sync_feeds").fetchone()[0],
            ws.ledger.event_count())


@pytest.fixture
def ws(sqlite_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> Iterator[Workspace]:
    workspace = tablet(template_data_dir, tmp_path / "tab")
    enrolled(workspace, sqlite_server).close()
    add_device_events(workspace, 3)
    yield workspace
    workspace.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=mutations)
def test_a_malformed_answer_changes_nothing(ws: Workspace, sqlite_server: CentralServer,
                                           mutation: Mutation) -> None:
    transport = transport_to(ws, sqlite_server.url)
    transport.retry.attempts = 1
    adapter = MutatingAdapter()
    adapter.mutation = mutation
    adapter.server_key = load_or_create_server_key(sqlite_server.backend.database())
    transport.session().mount("http://", adapter)
    before = _device_state(ws)
    report = run_sync(ws, transport, SyncOptions(pull=False))
    transport.close()
    assert _device_state(ws) == before, mutation
    assert report.acknowledged == 0 and report.errors, mutation
    assert report.errors[0].code in ("sync.not_ours", "sync.invalid_response"), mutation
