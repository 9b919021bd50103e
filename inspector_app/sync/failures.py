"""Why a sync request did not succeed, in classes that decide what happens next.

* ``network``, ``server`` (5xx), ``busy`` (429), ``not_ours`` (a 200 or a page
  that is not our signed JSON — a captive portal, a proxy's error page) and
  ``invalid_response``: retried with back-off, then the sync stops and the
  events stay queued.
* ``auth`` (401): stops at once; the device must be enrolled again.
* ``tls``: the endpoint's certificate does not chain to the profile's trust
  anchors; retrying cannot help.
* ``not_central``: an answer without the pinned server key's signature bound to
  the request (a hostile or impostor server at the endpoint's address, or
  something between that rewrites answers); never retried, nothing changed.
* ``config``: no endpoint, not enrolled, a pinned key that does not match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from inspector_protocol.text import Text

FailureKind = Literal["network", "server", "busy", "not_ours", "invalid_response", "auth", "tls",
                      "not_central", "config", "refused", "cancelled"]
RETRYABLE: frozenset[str] = frozenset({"network", "server", "busy", "not_ours", "invalid_response"})


@dataclass
class SyncFailure(Exception):
    kind: FailureKind
    text: Text
    status: int | None = None
    retry_after_s: float | None = None

    def __post_init__(self) -> None:
        super().__init__(self.text.render("en"))

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE

    @property
    def code(self) -> str:
        return f"sync.{self.kind}"


def network(detail: str) -> SyncFailure:
    return SyncFailure("network", Text(
        "无法连接中心端（{detail}），记录已保存在本机，联网后会自动发送。",
        "Cannot reach the central endpoint ({detail}); records are kept here and will be sent "
        "when the network is back.").format(detail=detail))


def not_ours(detail: str) -> SyncFailure:
    return SyncFailure("not_ours", Text(
        "网络返回的不是中心端的应答（{detail}），可能需要先在浏览器中登录网络（如酒店或园区 Wi-Fi）。"
        "记录未被标记为已送达。",
        "The network answered with something that is not the central endpoint ({detail}); you may "
        "need to sign in to the network in a browser first (hotel or park Wi-Fi). No record was "
        "marked delivered.").format(detail=detail))


def invalid_response(detail: str) -> SyncFailure:
    return SyncFailure("invalid_response", Text(
        "中心端的应答无法验证（{detail}），未作任何更改。",
        "The central endpoint's answer did not verify ({detail}); nothing was changed.")
        .format(detail=detail))


def not_central(key_id: str, detail: str) -> SyncFailure:
    return SyncFailure("not_central", Text(
        "应答不是来自本设备注册的中心端（没有中心端密钥 {key} 对本次请求的签名：{detail}）。"
        "本机未作任何更改；请检查网络或中心端地址，并报告管理员。",
        "The answer is not from the central endpoint this device enrolled with (it is not signed "
        "for this request by the endpoint's key {key}: {detail}). Nothing was changed on this "
        "device; check the network or the endpoint address, and tell IT.").format(
        key=key_id, detail=detail))


def auth_required() -> SyncFailure:
    return SyncFailure("auth", Text(
        "中心端不再接受本设备的注册：请向管理员索取注册码后重新注册（inspector enrol --code …）。",
        "The central endpoint no longer accepts this device's enrolment: ask IT for an enrolment "
        "code and enrol again (inspector enrol --code …)."), status=401)
