"""Refusals the server explains: an HTTP status, a stable code, and words in both languages."""

from __future__ import annotations

from typing import Any

from inspector_protocol.messages import ErrorDetail
from inspector_protocol.text import Text


class ApiError(Exception):
    def __init__(self, status: int, code: str, text: Text) -> None:
        super().__init__(text.render("en"))
        self.status = status
        self.code = code
        self.text = text

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.text)


def error_body(code: str, text: Text) -> dict[str, Any]:
    """The ``error`` member of an :class:`~inspector_protocol.messages.ErrorResponse`."""
    return ErrorDetail.of(code, text).model_dump(mode="json")


UNAUTHORISED = ApiError(401, "auth.token", Text(
    "设备未注册或注册已失效，请重新注册设备（inspector enrol）。",
    "The device is not enrolled or its enrolment was withdrawn; enrol it again (inspector enrol)."))


def same_device(claimed: str, device_id: str) -> None:
    """A request names the device its token enrolled, or is refused."""
    if claimed != device_id:
        raise ApiError(403, "auth.device", Text(
            "请求中的设备编号与注册凭据不符。", "The device in the request is not the enrolled one."))
