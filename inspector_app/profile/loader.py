"""Load and strictly validate a department profile file (JSON).

A profile is typed by department IT and copied to tablets that nobody will
debug in the field, so every mistake is reported at load time with the path of
the field, and a bad profile changes nothing: the previous one stays in force.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from inspector_app.platform.jsondoc import decode_json
from inspector_app.platform.validation import (
    LANG_TEXT,
    Bool,
    Custom,
    Field,
    Int,
    ListOf,
    Obj,
    Str,
    validate,
)
from inspector_app.profile.model import (
    KIND_CATEGORIES,
    Department,
    EndpointConfig,
    EnterpriseRecord,
    FrequencyRule,
    IssuerKey,
    LangText,
    OfficerRecord,
    Profile,
    VisitKind,
)
from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.text import Text
from inspector_protocol.uscc import InvalidUSCC, normalise, parse_uscc

SCHEMA_ID = "inspector-profile/1"
MAX_PROFILE_BYTES = 16 * 1024 * 1024
_ID = Str(pattern=r"[a-z0-9][a-z0-9_.-]{0,63}")


def _uscc_problem(value: str) -> Text | None:
    try:
        parse_uscc(value)
    except InvalidUSCC as exc:
        return exc.text
    return None


def endpoint_url_problem(url: str) -> Text | None:
    """Plain ``http://`` is allowed only for loopback addresses (BRIEF §5, sync issue)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return None
    return Text(
        "服务端地址必须是 https://，或仅限本机回环地址的 http://：{url}",
        "the endpoint must be https://, or http:// only on a loopback address: {url}",
    ).format(url=url)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _key_problem(value: str) -> Text | None:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return Text("不是有效的 base64", "is not valid base64")
    if len(raw) != 32:
        return Text(
            "Ed25519 公钥应为 32 字节，实际为 {n}", "an Ed25519 public key has 32 bytes, not {n}"
        ).format(n=len(raw))
    return None


def _pem_problem(value: str) -> Text | None:
    if "-----BEGIN CERTIFICATE-----" not in value:
        return Text("应为 PEM 格式的证书", "must be a PEM certificate")
    from cryptography import x509  # lazy: only profiles with anchors pay for it

    try:
        x509.load_pem_x509_certificate(value.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return Text("证书无法解析", "the certificate cannot be parsed")
    return None


def _regex_problem(value: str) -> Text | None:
    from inspector_app.profile.patterns import PatternRefused, compile_pattern

    try:
        compile_pattern(value)
    except PatternRefused as exc:
        return exc.text
    return None


PROFILE_SPEC = Obj(
    {
        "schema": Str(choices=(SCHEMA_ID,)),
        "profile_id": _ID,
        "version": Int(minimum=1),
        "name": LANG_TEXT,
        "departments": ListOf(
            Obj(
                {
                    "id": _ID,
                    "name": LANG_TEXT,
                    "templates": Field(ListOf(Str(max_len=200)), required=False, default=[]),
                }
            ),
            min_items=1,
            unique_by=lambda d: d["id"],
        ),
        "officers": Field(
            ListOf(
                Obj({"credential": Str(max_len=64), "name": Str(max_len=64),
                     "department": _ID}),
                unique_by=lambda o: o["credential"],
            ),
            required=False,
            default=[],
        ),
        "visit_kinds": ListOf(
            Obj(
                {
                    "id": _ID,
                    "category": Str(choices=KIND_CATEGORIES),
                    "name": LANG_TEXT,
                    "requires_two_officers": Bool(),
                    "legal_bases": Field(ListOf(Str(max_len=500)), required=False, default=[]),
                }
            ),
            min_items=1,
            unique_by=lambda k: k["id"],
        ),
        "reasons": Field(ListOf(LANG_TEXT), required=False, default=[]),
        "legal_bases": Field(ListOf(LANG_TEXT), required=False, default=[]),
        "frequency_rule": Obj(
            {"visits": Int(minimum=2, maximum=1000), "window_days": Int(minimum=1, maximum=3660)}
        ),
        "endpoint": Field(
            Obj(
                {
                    "url": Custom(Str(max_len=2000), endpoint_url_problem),
                    "trust_anchors": Field(ListOf(Custom(Str(max_len=20_000), _pem_problem)),
                                           required=False, default=[]),
                    "enrolment_hint": Field(Str(max_len=500), required=False),
                }
            ),
            required=False,
        ),
        "issuer_keys": Field(
            ListOf(
                Obj(
                    {
                        "key_id": Str(pattern=r"[A-Za-z0-9_-]{1,32}"),
                        "public_key": Custom(Str(), _key_problem),
                        "revoked": Field(Bool(), required=False, default=False),
                    }
                ),
                unique_by=lambda k: k["key_id"],
            ),
            required=False,
            default=[],
        ),
        "legacy_qr_patterns": Field(
            ListOf(Custom(Str(max_len=500), _regex_problem)), required=False, default=[]
        ),
        "enterprises": Field(
            ListOf(
                Obj(
                    {
                        "uscc": Custom(Str(min_len=1, max_len=40), _uscc_problem),
                        "name": Str(max_len=200),
                        "address": Field(Str(max_len=500), required=False),
                        "industry": Field(Str(max_len=200), required=False),
                    }
                ),
                unique_by=lambda e: normalise(e["uscc"]),
            ),
            required=False,
            default=[],
        ),
        "reporting_phone": Field(Str(max_len=40, pattern=r"[0-9+() -]{3,40}"), required=False),
        "idle_lock_minutes": Field(Int(minimum=1, maximum=240), required=False, default=5),
    }
)


def parse_profile(raw: bytes, source: str = "profile") -> Profile:
    """Validate profile bytes and build the typed :class:`Profile`."""
    if len(raw) > MAX_PROFILE_BYTES:
        from inspector_protocol.errors import UserError

        raise UserError(
            Text("{source} 过大（{n} 字节，上限 {max}）", "{source} is too large ({n} bytes, max {max})")
            .format(source=source, n=len(raw), max=MAX_PROFILE_BYTES),
            code="profile.too_large",
        )
    document = validate(PROFILE_SPEC, decode_json(raw, source), source)
    _check_references(document, source)
    return _build(document, hashlib.sha256(raw).hexdigest())


def _check_references(doc: dict[str, Any], source: str) -> None:
    from inspector_app.platform.validation import Problem, SchemaError

    departments = {d["id"] for d in doc["departments"]}
    problems = [
        Problem(
            f"officers[{i}].department",
            Text("部门 “{dep}” 未在 departments 中定义", "department '{dep}' is not defined "
                 "in departments").format(dep=o["department"]),
        )
        for i, o in enumerate(doc["officers"])
        if o["department"] not in departments
    ]
    if problems:
        raise SchemaError(source, problems)


def _lang(value: dict[str, Any]) -> LangText:
    return LangText(zh=value["zh"], en=value.get("en"))


def _build(doc: dict[str, Any], content_hash: str) -> Profile:
    endpoint = doc["endpoint"]
    return Profile(
        profile_id=doc["profile_id"],
        version=doc["version"],
        name=_lang(doc["name"]),
        departments=tuple(
            Department(d["id"], _lang(d["name"]), tuple(d["templates"])) for d in doc["departments"]
        ),
        officers=tuple(
            OfficerRecord(o["credential"], o["name"], o["department"]) for o in doc["officers"]
        ),
        visit_kinds=tuple(
            VisitKind(k["id"], k["category"], _lang(k["name"]), k["requires_two_officers"],
                      tuple(k["legal_bases"]))
            for k in doc["visit_kinds"]
        ),
        reasons=tuple(_lang(r) for r in doc["reasons"]),
        legal_bases=tuple(_lang(b) for b in doc["legal_bases"]),
        frequency_rule=FrequencyRule(
            doc["frequency_rule"]["visits"], doc["frequency_rule"]["window_days"]
        ),
        endpoint=None
        if endpoint is None
        else EndpointConfig(endpoint["url"], tuple(endpoint["trust_anchors"]),
                            endpoint.get("enrolment_hint")),
        issuer_keys=tuple(
            IssuerKey(k["key_id"], base64.b64decode(k["public_key"]), k["revoked"])
            for k in doc["issuer_keys"]
        ),
        legacy_qr_patterns=tuple(doc["legacy_qr_patterns"]),
        enterprises=tuple(
            EnterpriseRecord(parse_uscc(e["uscc"]), e["name"], e.get("address"), e.get("industry"))
            for e in doc["enterprises"]
        ),
        reporting_phone=doc.get("reporting_phone"),
        idle_lock_minutes=doc["idle_lock_minutes"],
        content_hash=content_hash,
    )


def load_profile(path: Path) -> Profile:
    return parse_profile(read_profile_bytes(path), path.name)


def read_profile_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise EnvironmentProblem(
            Text("找不到部门配置文件：{path}", "Department profile not found: {path}").format(
                path=path
            ),
            Text("请检查路径，或不带 --profile 使用演示配置。",
                 "Check the path, or omit --profile to use the demo profile."),
            code="profile.missing",
        ) from None
    except OSError as exc:
        raise EnvironmentProblem(
            Text("无法读取部门配置文件 {path}：{err}", "Cannot read the profile {path}: {err}")
            .format(path=path, err=exc.strerror),
            Text("请检查文件权限。", "Check the file's permissions."),
            code="profile.unreadable",
        ) from None


def demo_profile_path() -> Path:
    """The bundled demo profile (a fictional 陵城区市场监督管理局)."""
    return Path(str(resources.files("inspector_app.resources").joinpath("demo-profile.json")))
