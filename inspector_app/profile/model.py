"""The department profile ``inspector-profile/1``, declared once: schema, validator and typed object.

A profile is typed by department IT and copied to tablets nobody will debug in
the field, so every field is checked here, each problem named by its path
(``enterprises[3].uscc``).  Its JSON Schema is ``docs/schemas/profile.schema.json``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, GetPydanticSchema, PrivateAttr, model_validator
from pydantic_core import core_schema as cs

from inspector_app.profile.patterns import PatternRefused, compile_pattern
from inspector_protocol.shapes import Shape, ShapeProblem, problems_at, unique_by
from inspector_protocol.text import Text
from inspector_protocol.uscc import USCC, InvalidUSCC, parse_uscc

SCHEMA_ID = "inspector-profile/1"

#: How a visit kind is counted.  Non-enforcement visits (surveys, courtesy calls)
#: are recorded like any other but counted apart from enforcement (BRIEF §3).
KindCategory = Literal["inspection", "penalty", "compulsory", "non_enforcement"]


def _str(max_length: int, pattern: str | None = None) -> Any:
    return Field(min_length=1, max_length=max_length, pattern=pattern)


def _checked(check: Any) -> AfterValidator:
    """A check of meaning that returns a problem text, or None when the value is fine."""
    def run(value: Any) -> Any:
        problem = check(value)
        if problem is not None:
            raise ShapeProblem(problem)
        return value
    return AfterValidator(run)


def _written_as_text(held: type, parse: Any, max_length: int) -> GetPydanticSchema:
    """A value held as ``held`` in code and written as a string in the document."""
    written = cs.str_schema(min_length=1, max_length=max_length)
    return GetPydanticSchema(lambda _source, _handler: cs.json_or_python_schema(
        json_schema=cs.no_info_after_validator_function(parse, written),
        python_schema=cs.is_instance_schema(held)))


def endpoint_url_problem(url: str) -> Text | None:
    """Plain ``http://`` is allowed only for loopback addresses (BRIEF §5)."""
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


def _public_key(value: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ShapeProblem(Text("不是有效的 base64", "is not valid base64")) from None
    if len(raw) != 32:
        raise ShapeProblem(Text("Ed25519 公钥应为 32 字节，实际为 {n}",
                                "an Ed25519 public key has 32 bytes, not {n}").format(n=len(raw)))
    return raw


def _uscc(value: str) -> USCC:
    try:
        return parse_uscc(value)
    except InvalidUSCC as exc:
        raise ShapeProblem(exc.text) from None


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
    try:
        compile_pattern(value)
    except PatternRefused as exc:
        return exc.text
    return None


Id = Annotated[str, _str(64, r"^[a-z0-9][a-z0-9_.-]{0,63}$")]


class Department(Shape):
    id: Id
    name: Text
    templates: tuple[Annotated[str, _str(200)], ...] = ()


class OfficerRecord(Shape):
    """An officer's public data as provisioned (no keys: those are made on the tablet)."""

    credential: Annotated[str, _str(64)]
    name: Annotated[str, _str(64)]
    department: Id


class VisitKind(Shape):
    id: Id
    category: KindCategory
    name: Text
    requires_two_officers: bool
    legal_bases: tuple[Annotated[str, _str(500)], ...] = ()

    @property
    def is_enforcement(self) -> bool:
        return self.category != "non_enforcement"


class FrequencyRule(Shape):
    """Warn when an enterprise gets ``visits`` or more visits within ``window_days``."""

    visits: int = Field(ge=2, le=1000)
    window_days: int = Field(ge=1, le=3660)


class EndpointConfig(Shape):
    url: Annotated[str, _str(2000), _checked(endpoint_url_problem)]
    trust_anchors: tuple[Annotated[str, _str(20_000), _checked(_pem_problem)], ...] = ()
    enrolment_hint: Annotated[str, _str(500)] | None = None


class IssuerKey(Shape):
    """A public key that signs enterprise QR posters; ``public_key`` is raw Ed25519
    (base64 in the document)."""

    key_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    public_key: Annotated[bytes, _written_as_text(bytes, _public_key, 100)]
    revoked: bool = False


class EnterpriseRecord(Shape):
    uscc: Annotated[USCC, _written_as_text(USCC, _uscc, 40)]
    name: Annotated[str, _str(200)]
    address: Annotated[str, _str(500)] | None = None
    industry: Annotated[str, _str(200)] | None = None


class Profile(Shape):
    """A department profile (``inspector-profile/1``): departments and their checklists,
    officers, visit kinds, the frequency rule, the endpoint, issuer keys, enterprises."""

    schema_id: Literal["inspector-profile/1"] = Field(alias="schema")
    profile_id: Id
    version: int = Field(ge=1)
    name: Text
    departments: Annotated[tuple[Department, ...], Field(min_length=1), unique_by(lambda d: d.id)]
    officers: Annotated[tuple[OfficerRecord, ...], unique_by(lambda o: o.credential)] = ()
    visit_kinds: Annotated[tuple[VisitKind, ...], Field(min_length=1), unique_by(lambda k: k.id)]
    reasons: tuple[Text, ...] = ()
    legal_bases: tuple[Text, ...] = ()
    frequency_rule: FrequencyRule
    endpoint: EndpointConfig | None = None
    issuer_keys: Annotated[tuple[IssuerKey, ...], unique_by(lambda k: k.key_id)] = ()
    legacy_qr_patterns: tuple[Annotated[str, _str(500), _checked(_regex_problem)], ...] = ()
    enterprises: Annotated[tuple[EnterpriseRecord, ...], unique_by(lambda e: e.uscc)] = ()
    reporting_phone: Annotated[str, _str(40, r"^[0-9+() -]{3,40}$")] | None = None
    idle_lock_minutes: int = Field(5, ge=1, le=240)
    _content_hash: str = PrivateAttr("")

    @property
    def content_hash(self) -> str:
        """SHA-256 of the file's bytes, recorded in the ledger so a visit names its rules."""
        return self._content_hash

    @model_validator(mode="after")
    def _officers_in_known_departments(self) -> Self:
        known = {d.id for d in self.departments}
        problems = [(("officers", i, "department"), Text(
            "部门 “{dep}” 未在 departments 中定义", "department '{dep}' is not defined in departments",
        ).format(dep=o.department)) for i, o in enumerate(self.officers) if o.department not in known]
        if problems:
            raise problems_at("profile", problems)
        return self

    def department(self, department_id: str) -> Department | None:
        return next((d for d in self.departments if d.id == department_id), None)

    def officer(self, credential: str) -> OfficerRecord | None:
        return next((o for o in self.officers if o.credential == credential), None)

    def visit_kind(self, kind_id: str) -> VisitKind | None:
        return next((k for k in self.visit_kinds if k.id == kind_id), None)

    def enterprise(self, uscc: USCC) -> EnterpriseRecord | None:
        return next((e for e in self.enterprises if e.uscc == uscc), None)

    def issuer_key(self, key_id: str) -> IssuerKey | None:
        return next((k for k in self.issuer_keys if k.key_id == key_id), None)
