"""Which endpoint to talk to, and the transport to it, from settings and the profile."""

from __future__ import annotations

from pathlib import Path

from inspector_app.platform.settings import ENDPOINT
from inspector_app.profile.model import Profile, endpoint_url_problem
from inspector_app.sync.transport import RetryPolicy, Transport, trust_verify
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text


def endpoint_url(profile: Profile) -> str:
    """``INSPECTOR_ENDPOINT`` if set, else the profile's; validated either way."""
    url = ENDPOINT.from_env() or (profile.endpoint.url if profile.endpoint else None)
    if not url:
        raise UserError(Text("部门配置中没有中心端地址，无法同步。",
                             "The profile names no central endpoint; cannot sync."),
                        code="sync.no_endpoint")
    problem = endpoint_url_problem(url)
    if problem is not None:
        raise UserError(problem, code="sync.bad_endpoint")
    return url


def make_transport(profile: Profile, data_dir: Path, retry: RetryPolicy | None = None) -> Transport:
    anchors = profile.endpoint.trust_anchors if profile.endpoint else ()
    return Transport(endpoint_url(profile), trust_verify(anchors, data_dir),
                     retry=retry or RetryPolicy())
