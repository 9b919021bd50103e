"""Typed, immutable view of a validated department profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from inspector_protocol.text import Lang, Text
from inspector_protocol.uscc import USCC

#: How a visit kind is counted.  Non-enforcement visits (surveys, courtesy calls)
#: are recorded like any other but counted apart from enforcement (BRIEF §3).
KindCategory = Literal["inspection", "penalty", "compulsory", "non_enforcement"]
KIND_CATEGORIES: tuple[KindCategory, ...] = (
    "inspection",
    "penalty",
    "compulsory",
    "non_enforcement",
)


@dataclass(frozen=True)
class LangText:
    zh: str
    en: str | None = None

    def render(self, lang: Lang) -> str:
        return self.en if lang == "en" and self.en else self.zh

    def as_text(self) -> Text:
        return Text(self.zh, self.en or self.zh)


@dataclass(frozen=True)
class Department:
    id: str
    name: LangText
    templates: tuple[str, ...]


@dataclass(frozen=True)
class OfficerRecord:
    """An officer's public data as provisioned (no keys: those are made on the tablet)."""

    credential: str
    name: str
    department: str


@dataclass(frozen=True)
class VisitKind:
    id: str
    category: KindCategory
    name: LangText
    requires_two_officers: bool
    legal_bases: tuple[str, ...]

    @property
    def is_enforcement(self) -> bool:
        return self.category != "non_enforcement"


@dataclass(frozen=True)
class FrequencyRule:
    """Warn when an enterprise gets ``visits`` or more visits within ``window_days``."""

    visits: int
    window_days: int


@dataclass(frozen=True)
class EndpointConfig:
    url: str
    trust_anchors: tuple[str, ...]
    enrolment_hint: str | None


@dataclass(frozen=True)
class IssuerKey:
    """A public key that signs enterprise QR posters; ``public_key`` is raw Ed25519."""

    key_id: str
    public_key: bytes
    revoked: bool


@dataclass(frozen=True)
class EnterpriseRecord:
    uscc: USCC
    name: str
    address: str | None
    industry: str | None


@dataclass(frozen=True)
class Profile:
    profile_id: str
    version: int
    name: LangText
    departments: tuple[Department, ...]
    officers: tuple[OfficerRecord, ...]
    visit_kinds: tuple[VisitKind, ...]
    reasons: tuple[LangText, ...]
    legal_bases: tuple[LangText, ...]
    frequency_rule: FrequencyRule
    endpoint: EndpointConfig | None
    issuer_keys: tuple[IssuerKey, ...]
    legacy_qr_patterns: tuple[str, ...]
    enterprises: tuple[EnterpriseRecord, ...]
    reporting_phone: str | None
    idle_lock_minutes: int
    #: SHA-256 of the file's bytes, recorded in the ledger so a visit names its rules.
    content_hash: str

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
