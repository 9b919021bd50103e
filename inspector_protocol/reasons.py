"""Why a scanned code was refused (or only half trusted): a stable code and a message.

The code is for logs, ``--json`` and tests; the text is what the officer reads, so
each one says what is wrong with *this* code and what to do, in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector_protocol.text import Text


@dataclass(frozen=True)
class Reason:
    code: str
    text: Text

    def with_detail(self, **params: object) -> Reason:
        return Reason(self.code, self.text.format(**params))


def _r(code: str, zh: str, en: str) -> Reason:
    return Reason(code, Text(zh, en))


VERIFIED = _r("signed.verified", "企业码签名有效", "Enterprise code verified")
LEGACY_UNVERIFIED = _r(
    "legacy.unverified",
    "未经验证的企业码：旧版码只含统一社会信用代码，无法确认由主管部门签发",
    "Unverified code: an old-style code carries only the USCC and no issuer signature",
)
LEGACY_BAD_USCC = _r(
    "legacy.bad_uscc", "旧版企业码中的统一社会信用代码无效：{detail}",
    "The USCC in this old-style code is invalid: {detail}",
)
EMPTY = _r("payload.empty", "二维码内容为空", "The QR code is empty")
OVERSIZE = _r(
    "payload.oversize", "二维码内容过长（{n} 个字符），不是企业码",
    "The QR code is too long ({n} characters) to be an enterprise code",
)
BINARY = _r(
    "payload.binary", "二维码内容含有不可显示的控制字符，不是企业码",
    "The QR code contains control characters; it is not an enterprise code",
)
FOREIGN = _r(
    "foreign.not_enterprise_code", "这不是企业码（可能是网址、支付码或其他二维码）",
    "This is not an enterprise code (perhaps a web link, payment or other QR code)",
)
BAD_PREFIX = _r(
    "signed.bad_prefix", "企业码开头格式错误，应为 {prefix}",
    "Malformed enterprise code: it should begin with {prefix}",
)
UNSUPPORTED_VERSION = _r(
    "signed.unsupported_version", "企业码版本 {version} 本程序不支持，请升级本程序",
    "Enterprise code version {version} is not supported; update the app",
)
SIGNED_OVERSIZE = _r(
    "signed.oversize", "企业码过长（{n} 个字符，最多 {max}）",
    "The enterprise code is too long ({n} characters, at most {max})",
)
BAD_CHARACTERS = _r(
    "signed.bad_characters", "企业码含有非法字符“{ch}”（第 {position} 位）",
    "The enterprise code contains the invalid character '{ch}' (position {position})",
)
BAD_ENCODING = _r(
    "signed.bad_encoding", "企业码编码损坏，无法解码",
    "The enterprise code's encoding is corrupt and cannot be decoded",
)
TRUNCATED = _r(
    "signed.truncated", "企业码不完整（内容被截断）",
    "The enterprise code is incomplete (truncated)",
)
TRAILING_DATA = _r(
    "signed.trailing_data", "企业码末尾有多余数据", "The enterprise code has extra data at its end",
)
BAD_USCC = _r(
    "signed.bad_uscc", "企业码中的统一社会信用代码无效：{detail}",
    "The USCC in the enterprise code is invalid: {detail}",
)
BAD_KEY_ID = _r(
    "signed.bad_key_id", "企业码中的签发密钥编号格式错误", "The issuer key id in the code is malformed",
)
BAD_NAME = _r(
    "signed.bad_name", "企业码中的企业名称无效（为空、含控制字符或编码错误）",
    "The enterprise name in the code is invalid (empty, control characters or bad encoding)",
)
BAD_VALIDITY = _r(
    "signed.bad_validity", "企业码的有效期无效（有效天数为 0）",
    "The enterprise code's validity period is invalid (zero days)",
)
UNKNOWN_KEY = _r(
    "signed.unknown_key",
    "企业码由未知密钥“{key_id}”签发：本机配置中没有此密钥，请同步或更新部门配置",
    "The code was signed with an unknown key '{key_id}'; sync or update the department profile",
)
REVOKED_KEY = _r(
    "signed.revoked_key", "企业码的签发密钥“{key_id}”已被吊销，请联系企业更换二维码",
    "The code's issuer key '{key_id}' has been revoked; the enterprise needs a new poster",
)
BAD_SIGNATURE = _r(
    "signed.bad_signature", "企业码签名无效：内容被篡改或伪造",
    "The enterprise code's signature is invalid: it was altered or forged",
)
NOT_YET_VALID = _r(
    "signed.not_yet_valid", "企业码尚未生效（签发时间 {issued}），请检查本机时间",
    "The enterprise code is not valid yet (issued {issued}); check this device's clock",
)
EXPIRED = _r(
    "signed.expired", "企业码已于 {expires} 过期，请联系企业更换二维码",
    "The enterprise code expired on {expires}; the enterprise needs a new poster",
)
