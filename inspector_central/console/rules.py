"""Frequency rules as data: a JSON file of typed rules, each with its legal source.

Kinds (``docs/console.md`` describes every field):

- ``rolling_window``: ``visits`` counted visits to one enterprise within ``days`` days
  (by all departments, or per department with ``per_department``);
- ``annual_cap``: counted visits by one department to one enterprise in a calendar year
  (China time) above ``default`` (or the department's number in ``departments``);
- ``quiet_period``: counted visits on the listed ``days_of_month``, except ``exempt_kinds``;
- ``exempt_kinds``: visit kinds that no rule counts (complaint-triggered, referral, permit).

Only enforcement visits are ever counted; non-enforcement visits (surveys, courtesy
calls) are recorded and shown apart.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

DEFAULT_RULES = Path(__file__).with_name("default-rules.json")
MAX_RULES_BYTES = 256 * 1024
_ID = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
_KIND_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Title(_Strict):
    zh: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)

    def text(self) -> Text:
        return Text(self.zh, self.en)


class _Rule(_Strict):
    id: str = Field(pattern=_ID, description="unique in the file; warnings name it")
    title: Title
    source: str = Field(min_length=1, max_length=500,
                        description="the legal source: document number and article")


class RollingWindow(_Rule):
    kind: Literal["rolling_window"]
    visits: int = Field(4, ge=2, le=100)
    days: int = Field(15, ge=1, le=366)
    per_department: bool = False


class AnnualCap(_Rule):
    kind: Literal["annual_cap"]
    default: int = Field(ge=1, le=1000)
    departments: dict[Annotated[str, Field(pattern=_KIND_ID)],
                      Annotated[int, Field(ge=1, le=1000)]] = Field(default_factory=dict)

    def cap_for(self, department: str) -> int:
        return self.departments.get(department, self.default)


class QuietPeriod(_Rule):
    kind: Literal["quiet_period"]
    days_of_month: list[Annotated[int, Field(ge=1, le=31)]] = Field(min_length=1, max_length=31)
    exempt_kinds: list[Annotated[str, Field(pattern=_KIND_ID)]] = Field(default_factory=list)


class ExemptKinds(_Rule):
    kind: Literal["exempt_kinds"]
    kinds: list[Annotated[str, Field(pattern=_KIND_ID)]] = Field(min_length=1, max_length=100)


Rule = Annotated[RollingWindow | AnnualCap | QuietPeriod | ExemptKinds,
                 Field(discriminator="kind")]


class RulesFile(_Strict):
    schema_: Literal["inspector-rules/1"] = Field(alias="schema")
    rules: list[Rule] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _unique_ids(self) -> RulesFile:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} appears twice")
            seen.add(rule.id)
        return self

    @property
    def exempt(self) -> frozenset[str]:
        return frozenset(k for r in self.rules if isinstance(r, ExemptKinds) for k in r.kinds)

    def rule(self, rule_id: str) -> RollingWindow | AnnualCap | QuietPeriod | ExemptKinds | None:
        return next((r for r in self.rules if r.id == rule_id), None)


class RulesError(UserError):
    """A rules file that cannot be used; ``problems`` are per field."""

    def __init__(self, text: Text, problems: list[str] | None = None) -> None:
        super().__init__(text, code="rules.invalid")
        self.problems = problems or []


def parse_rules(data: bytes, where: str = "rules") -> RulesFile:
    if len(data) > MAX_RULES_BYTES:
        raise RulesError(Text("规则文件过大（最多 {n} 字节）。", "The rules file is too large (at most "
                              "{n} bytes).").format(n=MAX_RULES_BYTES))
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise RulesError(Text("{w}：不是有效的 JSON：{e}", "{w}: not valid JSON: {e}")
                         .format(w=where, e=str(exc))) from None
    try:
        return RulesFile.model_validate(document)
    except ValidationError as exc:
        problems = [f"{where}: {'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}"
                    for e in exc.errors()]
        raise RulesError(Text("规则文件有 {n} 处错误。", "The rules file has {n} problem(s).")
                         .format(n=len(problems)), problems) from None


def read_rules_file(path: Path) -> RulesFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RulesError(Text("无法读取 {p}：{e}", "Cannot read {p}: {e}")
                         .format(p=str(path), e=exc.strerror or str(exc))) from None
    return parse_rules(data, path.name)


def default_rules() -> RulesFile:
    return parse_rules(DEFAULT_RULES.read_bytes(), DEFAULT_RULES.name)


def document_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result
