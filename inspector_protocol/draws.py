"""Double-random draws (双随机抽查) that anyone can re-run: the documents and the selection.

A draw picks ``count`` enterprises from a published pool and, for each of them,
a team of officers from a published pool.  The party running it cannot steer it:

1. **commitment** — before anything is drawn, the server publishes, signed: the
   digests of the pools and of the exclusions (recusals), the parameters, the
   SHA-256 of a random secret, and the name of a public randomness value (the
   *beacon*: a lottery result on a stated date) that does not exist yet;
2. **result** — once the beacon is public, the server reveals the secret, enters
   the beacon and publishes the signed selection, a pure function of the secret,
   the beacon, the commitment's bytes and the pools.

The secret stops anyone else from predicting the draw before it is run; the
beacon stops the server from trying secrets until it likes the outcome, since
no secret can be tried against a beacon that is not yet known.

The normative description, precise enough to re-implement, is ``docs/draws.md``.
:func:`verify_draw` re-runs a published draw and says exactly what fails.  No
I/O here: bytes in, documents out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inspector_protocol import keys, tags
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text
from inspector_protocol.uscc import InvalidUSCC, parse_uscc

FORMAT: Literal["inspector-draw/1"] = "inspector-draw/1"
EXPORT_FORMAT: Literal["inspector-draw-export/1"] = "inspector-draw-export/1"

#: Hash domains (docs/draws.md §2): every hash of the algorithm starts with one of these.
SECRET_DOMAIN = b"inspector-draw/1 secret\n"
BEACON_DOMAIN = b"inspector-draw/1 beacon\n"
SEED_DOMAIN = b"inspector-draw/1 seed\n"
ENTERPRISE_DOMAIN = b"inspector-draw/1 enterprise\n"
OFFICER_DOMAIN = b"inspector-draw/1 officer\n"
POOL_DOMAINS = {
    "enterprises": b"inspector-draw/1 enterprises\n",
    "officers": b"inspector-draw/1 officers\n",
    "exclusions": b"inspector-draw/1 exclusions\n",
}

SECRET_BYTES = 32
MIN_OFFICERS_PER_TASK = 2  # 《行政处罚法》第四十二条: at least two officers
MAX_OFFICERS_PER_TASK = 10
#: Bounds on the work a draw (or a file handed to the verifier) can ask for.
MAX_ENTERPRISES = 100_000
MAX_OFFICERS = 5_000
MAX_EXCLUSIONS = 100_000
MAX_COUNT = 5_000
MAX_OFFICER_SCORES = 2_000_000  # count × officers: one hash each
MAX_EXPORT_BYTES = 64 * 1024 * 1024
MAX_NAME_CHARS = 200
MAX_ID_CHARS = 64
MAX_REASON_CHARS = 200
MAX_TITLE_CHARS = 200
MAX_BEACON_SOURCE_CHARS = 300
MAX_BEACON_CHARS = 200

#: White space a beacon's runs collapse on and a pool's texts may not begin or end with:
#: tab, LF, CR and the Unicode space separators (category Zs).
SPACES = ("\t\n\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
          "\u200a\u202f\u205f\u3000")

PoolName = Literal["enterprises", "officers", "exclusions"]
POOL_NAMES: tuple[PoolName, ...] = ("enterprises", "officers", "exclusions")
_POOL_WORDS = {"enterprises": Text("企业名录", "enterprise pool"),
               "officers": Text("执法人员名录", "officer pool"),
               "exclusions": Text("回避名单", "exclusions")}


# -- documents --------------------------------------------------------------------------------


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


_HEX64 = r"^[0-9a-f]{64}$"
_DRAW_ID = r"^[A-Za-z0-9_.:-]{1,64}$"


class EnterpriseEntry(_Document):
    """An enterprise of the pool (检查对象名录库): its USCC and registered name."""

    uscc: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=4 * MAX_NAME_CHARS)


class OfficerEntry(_Document):
    """An officer of the pool (执法检查人员名录库): credential number 执法证号, name, department."""

    credential: str = Field(min_length=1, max_length=4 * MAX_ID_CHARS)
    name: str = Field(min_length=1, max_length=4 * MAX_NAME_CHARS)
    department: str = Field(min_length=1, max_length=4 * MAX_ID_CHARS)


class Exclusion(_Document):
    """A recusal (回避): this officer is never drawn for this enterprise, and why."""

    officer: str = Field(min_length=1, max_length=4 * MAX_ID_CHARS)
    uscc: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=4 * MAX_REASON_CHARS)


class Pools(_Document):
    """The published pools, in canonical form (:func:`canonical_pools`) once committed."""

    enterprises: list[EnterpriseEntry] = Field(max_length=MAX_ENTERPRISES)
    officers: list[OfficerEntry] = Field(max_length=MAX_OFFICERS)
    exclusions: list[Exclusion] = Field(default_factory=list, max_length=MAX_EXCLUSIONS)


class DrawParameters(_Document):
    count: int = Field(ge=1, le=MAX_COUNT)
    officers_per_task: int = Field(ge=MIN_OFFICERS_PER_TASK, le=MAX_OFFICERS_PER_TASK)
    #: A joint draw (联合抽查) staffs every task with officers of every department of the pool.
    joint: bool = False


class Commitment(_Document):
    """What the server binds itself to before the draw (signed under ``tags.DRAW``)."""

    format: Literal["inspector-draw/1"]
    type: Literal["commitment"]
    draw_id: str = Field(pattern=_DRAW_ID)
    title: str = Field(max_length=MAX_TITLE_CHARS)
    committed_ms: int = Field(ge=0)
    beacon_source: str = Field(min_length=1, max_length=MAX_BEACON_SOURCE_CHARS)
    count: int = Field(ge=1, le=MAX_COUNT)
    officers_per_task: int = Field(ge=MIN_OFFICERS_PER_TASK, le=MAX_OFFICERS_PER_TASK)
    joint: bool
    enterprises: int = Field(ge=0)
    officers: int = Field(ge=0)
    exclusions: int = Field(ge=0)
    enterprises_hash: str = Field(pattern=_HEX64)
    officers_hash: str = Field(pattern=_HEX64)
    exclusions_hash: str = Field(pattern=_HEX64)
    secret_hash: str = Field(pattern=_HEX64)
    server_key: str = Field(min_length=1, max_length=64)

    @property
    def parameters(self) -> DrawParameters:
        return DrawParameters(count=self.count, officers_per_task=self.officers_per_task,
                              joint=self.joint)


class Task(_Document):
    """One drawn inspection: the enterprise at this rank and the officers sent there."""

    position: int = Field(ge=1)
    uscc: str = Field(min_length=1, max_length=64)
    departments: list[str] = Field(min_length=1, max_length=MAX_OFFICERS)
    officers: list[str] = Field(min_length=1, max_length=MAX_OFFICERS)


class DrawResult(_Document):
    """The reveal and the selection (signed under ``tags.DRAW``)."""

    format: Literal["inspector-draw/1"]
    type: Literal["result"]
    draw_id: str = Field(pattern=_DRAW_ID)
    commitment_hash: str = Field(pattern=_HEX64)
    secret: str = Field(pattern=_HEX64)
    beacon: str = Field(min_length=1, max_length=4 * MAX_BEACON_CHARS)
    seed: str = Field(pattern=_HEX64)
    count: int = Field(ge=1, le=MAX_COUNT)
    officers_per_task: int = Field(ge=MIN_OFFICERS_PER_TASK, le=MAX_OFFICERS_PER_TASK)
    joint: bool
    run_ms: int = Field(ge=0)
    tasks: list[Task] = Field(max_length=MAX_COUNT)
    server_key: str = Field(min_length=1, max_length=64)


class SignedDocument(_Document):
    """A statement as signed: its canonical JSON text and the base64 Ed25519 signature."""

    raw: str = Field(min_length=2)
    sig: str = Field(pattern=r"^[A-Za-z0-9+/]{86}==$")


class DrawExport(_Document):
    """The whole draw in one file: anyone can re-run it with :func:`verify_draw`."""

    format: Literal["inspector-draw-export/1"]
    draw_id: str = Field(pattern=_DRAW_ID)
    server_key_id: str = Field(min_length=1, max_length=64)
    server_public_key: str = Field(pattern=r"^[A-Za-z0-9+/]{43}=$")
    commitment: SignedDocument
    pools: Pools
    result: SignedDocument | None = None


# -- errors -------------------------------------------------------------------------------------


class DrawInputError(UserError):
    """The pools or parameters cannot make a draw; the text names the entry at fault."""

    def __init__(self, text: Text) -> None:
        super().__init__(text, code="draw.input")


class DrawFormatError(UserError):
    """Bytes that are not a draw document."""

    def __init__(self, text: Text) -> None:
        super().__init__(text, code="draw.malformed")


@dataclass(frozen=True)
class Shortage:
    """Too few eligible officers for an enterprise (after exclusions)."""

    uscc: str
    department: str | None  # None: no department of a single-department draw has enough
    eligible: int

    def text(self, officers_per_task: int) -> Text:
        if self.department is None:
            return Text("企业 {uscc} 没有任何一个部门有 {k} 名可派执法人员（回避后最多 {n} 名）",
                        "No department has {k} eligible officers for enterprise {uscc} (after "
                        "exclusions at most {n})").format(uscc=self.uscc, k=officers_per_task,
                                                          n=self.eligible)
        return Text("企业 {uscc} 在联合抽查中缺少部门 {dept} 的执法人员：需 {k} 名，回避后仅 {n} 名",
                    "Joint draw: enterprise {uscc} lacks officers of {dept}: {k} needed, "
                    "{n} eligible after exclusions").format(
            uscc=self.uscc, dept=self.department, k=officers_per_task, n=self.eligible)


class DrawShortage(UserError):
    """Staffing a task would need relaxing a rule: the draw is refused instead."""

    def __init__(self, shortages: Sequence[Shortage], officers_per_task: int) -> None:
        shown = [s.text(officers_per_task) for s in shortages[:5]]
        listing = Text("；".join(t.render("zh") for t in shown),
                       "; ".join(t.render("en") for t in shown))
        more = (Text("；另有 {n} 处", "; {n} more").format(n=len(shortages) - 5)
                if len(shortages) > 5 else Text("", ""))
        super().__init__(Text(
            "执法人员不足，拒绝抽查（规则不会被放宽）：{listing}{more}",
            "Not enough eligible officers; the draw is refused (no rule is relaxed): {listing}{more}",
        ).format(listing=listing, more=more), code="draw.shortage")
        self.shortages = tuple(shortages)


# -- strict decoding ---------------------------------------------------------------------------

_M = TypeVar("_M", bound=BaseModel)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the field '{key}' appears twice")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def strict_json(raw: bytes | str, what: Text) -> Any:
    """JSON that refuses duplicate keys, NaN and Infinity, and names ``what`` when it fails."""
    try:
        return json.loads(raw, object_pairs_hook=_no_duplicate_keys,
                          parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError included
        raise DrawFormatError(Text("{what} 不是有效的 JSON：{err}", "{what} is not valid JSON: {err}")
                              .format(what=what, err=exc)) from None


def _model(model: type[_M], value: Any, what: Text) -> _M:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "-"
        raise DrawFormatError(Text("{what} 格式错误：字段 {where}：{msg}",
                                   "{what} is malformed: field {where}: {msg}")
                              .format(what=what, where=where, msg=first.get("msg", ""))) from None


def parse_export(raw: bytes) -> DrawExport:
    """A draw export file, or :class:`DrawFormatError` saying what is wrong with it."""
    what = Text("抽查文件", "The draw file")
    if len(raw) > MAX_EXPORT_BYTES:
        raise DrawFormatError(Text("抽查文件过大（{n} 字节，最多 {max}）",
                                   "The draw file is too large ({n} bytes, at most {max})")
                              .format(n=len(raw), max=MAX_EXPORT_BYTES))
    value = strict_json(raw, what)
    if not isinstance(value, dict) or value.get("format") != EXPORT_FORMAT:
        raise DrawFormatError(Text("这不是抽查文件（应为 {f} 格式）",
                                   "This is not a draw file (format {f} expected)")
                              .format(f=EXPORT_FORMAT))
    return _model(DrawExport, value, what)


def parse_commitment(raw: bytes) -> Commitment:
    what = Text("抽查承诺", "The draw's commitment")
    return _model(Commitment, strict_json(raw, what), what)


def parse_result(raw: bytes) -> DrawResult:
    what = Text("抽查结果", "The draw's result")
    return _model(DrawResult, strict_json(raw, what), what)


# -- canonical pools --------------------------------------------------------------------------


def _clean(value: str, what: Text, *, max_chars: int, one_word: bool) -> str:
    text = unicodedata.normalize("NFC", value).strip(SPACES)
    if not text:
        raise DrawInputError(Text("{what}为空", "{what} is empty").format(what=what))
    if len(text) > max_chars:
        raise DrawInputError(Text("{what}过长（{n} 个字符，最多 {max}）",
                                  "{what} is too long ({n} characters, at most {max})")
                             .format(what=what, n=len(text), max=max_chars))
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise DrawInputError(Text("{what}含有控制字符", "{what} contains a control character")
                             .format(what=what))
    if one_word and any(ch in SPACES for ch in text):
        raise DrawInputError(Text("{what}不能含有空白字符", "{what} must not contain white space")
                             .format(what=what))
    return text


def _entry(pool: PoolName, index: int, field: Text) -> Text:
    return Text("{pool}第 {n} 条的{field}", "the {field} of entry {n} of the {pool}").format(
        pool=_POOL_WORDS[pool], n=index + 1, field=field)


_USCC_WORD = Text("统一社会信用代码", "USCC")
_NAME_WORD = Text("名称", "name")
_CREDENTIAL_WORD = Text("执法证号", "credential number")
_DEPARTMENT_WORD = Text("部门", "department")
_REASON_WORD = Text("回避理由", "reason")


def _uscc(value: str, pool: PoolName, index: int) -> str:
    try:
        return parse_uscc(value).value
    except InvalidUSCC as exc:
        raise DrawInputError(Text("{where}无效：{err}", "{where} is invalid: {err}").format(
            where=_entry(pool, index, _USCC_WORD), err=exc.text)) from None


def canonical_pools(pools: Pools) -> Pools:
    """The pools as committed: texts cleaned (NFC, trimmed), USCCs normalised and validated,
    each pool sorted, duplicates and exclusions naming no pool entry refused."""
    enterprises = sorted(
        (EnterpriseEntry(uscc=_uscc(e.uscc, "enterprises", i),
                         name=_clean(e.name, _entry("enterprises", i, _NAME_WORD),
                                     max_chars=MAX_NAME_CHARS, one_word=False))
         for i, e in enumerate(pools.enterprises)), key=lambda e: e.uscc)
    _refuse_duplicates("enterprises", [e.uscc for e in enterprises])
    officers = sorted(
        (OfficerEntry(
            credential=_clean(o.credential, _entry("officers", i, _CREDENTIAL_WORD),
                              max_chars=MAX_ID_CHARS, one_word=True),
            name=_clean(o.name, _entry("officers", i, _NAME_WORD), max_chars=MAX_NAME_CHARS,
                        one_word=False),
            department=_clean(o.department, _entry("officers", i, _DEPARTMENT_WORD),
                              max_chars=MAX_ID_CHARS, one_word=True))
         for i, o in enumerate(pools.officers)), key=lambda o: o.credential)
    _refuse_duplicates("officers", [o.credential for o in officers])
    known_uscc = {e.uscc for e in enterprises}
    known_officers = {o.credential for o in officers}
    exclusions: list[Exclusion] = []
    for i, x in enumerate(pools.exclusions):
        exclusion = Exclusion(
            officer=_clean(x.officer, _entry("exclusions", i, _CREDENTIAL_WORD),
                           max_chars=MAX_ID_CHARS, one_word=True),
            uscc=_uscc(x.uscc, "exclusions", i),
            reason=_clean(x.reason, _entry("exclusions", i, _REASON_WORD),
                          max_chars=MAX_REASON_CHARS, one_word=False))
        if exclusion.officer not in known_officers or exclusion.uscc not in known_uscc:
            missing = (exclusion.officer if exclusion.officer not in known_officers
                       else exclusion.uscc)
            raise DrawInputError(Text(
                "回避名单第 {n} 条所指的 {who} 不在名录中（回避只能针对名录中的人员和企业）",
                "Exclusion {n} names {who}, which is not in the pools (an exclusion must name an "
                "officer and an enterprise of the pools)").format(n=i + 1, who=missing))
        exclusions.append(exclusion)
    exclusions.sort(key=lambda x: (x.uscc, x.officer))
    _refuse_duplicates("exclusions", [f"{x.uscc} / {x.officer}" for x in exclusions])
    return Pools(enterprises=enterprises, officers=officers, exclusions=exclusions)


def _refuse_duplicates(pool: PoolName, sorted_keys: Sequence[str]) -> None:
    for before, key in pairwise(sorted_keys):
        if before == key:
            raise DrawInputError(Text("{pool}中 {key} 出现了两次（名录不允许重复）",
                                      "{key} appears twice in the {pool} (no duplicates allowed)")
                                 .format(pool=_POOL_WORDS[pool], key=key))


def _pool_lines(pools: Pools, pool: PoolName) -> Iterable[str]:
    if pool == "enterprises":
        return (f"{e.uscc}\t{e.name}\n" for e in pools.enterprises)
    if pool == "officers":
        return (f"{o.credential}\t{o.department}\t{o.name}\n" for o in pools.officers)
    return (f"{x.uscc}\t{x.officer}\t{x.reason}\n" for x in pools.exclusions)


def pool_digest(pools: Pools, pool: PoolName) -> str:
    """SHA-256 (hex) of the pool's domain line, then one line per entry in canonical order."""
    digest = hashlib.sha256(POOL_DOMAINS[pool])
    for line in _pool_lines(pools, pool):
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


def pool_size(pools: Pools, pool: PoolName) -> int:
    return len(getattr(pools, pool))


# -- the algorithm -----------------------------------------------------------------------------


def secret_hash(secret: bytes) -> str:
    if len(secret) != SECRET_BYTES:
        raise ValueError(f"a draw secret has {SECRET_BYTES} bytes")
    return hashlib.sha256(SECRET_DOMAIN + secret).hexdigest()


def normalise_beacon(text: str) -> str:
    """The beacon as entered, NFC, with every run of white space one space and none at the ends."""
    words = unicodedata.normalize("NFC", text)
    for space in SPACES:
        words = words.replace(space, " ")
    beacon = " ".join(w for w in words.split(" ") if w)
    if not beacon:
        raise DrawInputError(Text("公开随机数为空", "The beacon value is empty"))
    if len(beacon) > MAX_BEACON_CHARS:
        raise DrawInputError(Text("公开随机数过长（{n} 个字符，最多 {max}）",
                                  "The beacon value is too long ({n} characters, at most {max})")
                             .format(n=len(beacon), max=MAX_BEACON_CHARS))
    if any(unicodedata.category(ch) == "Cc" for ch in beacon):
        raise DrawInputError(Text("公开随机数含有控制字符", "The beacon value contains a control "
                                                           "character"))
    return beacon


def commitment_hash(commitment_raw: bytes) -> str:
    """The name of a commitment: SHA-256 (hex) of its signed bytes, exactly as published."""
    return hashlib.sha256(commitment_raw).hexdigest()


def draw_seed(secret: bytes, beacon: str, commitment_raw: bytes) -> bytes:
    beacon_digest = hashlib.sha256(BEACON_DOMAIN + beacon.encode("utf-8")).digest()
    return hashlib.sha256(SEED_DOMAIN + secret + beacon_digest
                          + hashlib.sha256(commitment_raw).digest()).digest()


def enterprise_score(seed: bytes, uscc: str) -> bytes:
    return hashlib.sha256(ENTERPRISE_DOMAIN + seed + uscc.encode("ascii")).digest()


def officer_score(seed: bytes, uscc: str, credential: str) -> bytes:
    return hashlib.sha256(OFFICER_DOMAIN + seed + uscc.encode("ascii")
                          + credential.encode("utf-8")).digest()


def departments_of(pools: Pools) -> list[str]:
    return sorted({o.department for o in pools.officers})


def staffing_shortages(pools: Pools, officers_per_task: int, joint: bool) -> list[Shortage]:
    """Every enterprise that could not be staffed whatever the seed: a draw over these pools
    would have to relax a rule for it, so it is refused before it is committed."""
    department_of = {o.credential: o.department for o in pools.officers}
    sizes = Counter(department_of.values())
    excluded: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for x in pools.exclusions:
        excluded[x.uscc][department_of[x.officer]] += 1
    shortages: list[Shortage] = []
    for enterprise in pools.enterprises:
        eligible = {d: n - excluded[enterprise.uscc][d] for d, n in sorted(sizes.items())}
        if joint:
            shortages.extend(Shortage(enterprise.uscc, d, n) for d, n in eligible.items()
                             if n < officers_per_task)
        elif not any(n >= officers_per_task for n in eligible.values()):
            shortages.append(Shortage(enterprise.uscc, None, max(eligible.values(), default=0)))
    return shortages


def parameter_problems(pools: Pools, parameters: DrawParameters) -> list[Text]:
    """Why these parameters cannot make a draw over these pools (empty when they can)."""
    problems: list[Text] = []
    if parameters.count > len(pools.enterprises):
        problems.append(Text("抽取数量 {count} 大于企业名录中的 {n} 家",
                             "The count {count} exceeds the {n} enterprises of the pool")
                        .format(count=parameters.count, n=len(pools.enterprises)))
    if parameters.count * len(pools.officers) > MAX_OFFICER_SCORES:
        problems.append(Text("抽查规模过大：抽取数量 × 执法人员数超过 {max}",
                             "The draw is too large: count × officers exceeds {max}")
                        .format(max=MAX_OFFICER_SCORES))
    if parameters.joint and len(departments_of(pools)) < 2:
        problems.append(Text("联合抽查的执法人员名录至少需要两个部门",
                             "A joint draw needs officers of at least two departments"))
    return problems


def select(pools: Pools, parameters: DrawParameters, seed: bytes) -> list[Task]:
    """The draw itself: rank enterprises by score, staff the first ``count`` of them."""
    ranked = sorted(pools.enterprises, key=lambda e: (enterprise_score(seed, e.uscc), e.uscc))
    excluded: defaultdict[str, set[str]] = defaultdict(set)
    for x in pools.exclusions:
        excluded[x.uscc].add(x.officer)
    departments = departments_of(pools)
    tasks: list[Task] = []
    shortages: list[Shortage] = []
    for position, enterprise in enumerate(ranked[: parameters.count], start=1):
        team = _team(seed, enterprise.uscc, pools.officers, excluded[enterprise.uscc],
                     parameters, departments)
        if isinstance(team, Shortage):
            shortages.append(team)
            continue
        tasks.append(Task(position=position, uscc=enterprise.uscc, departments=team[0],
                          officers=team[1]))
    if shortages:
        raise DrawShortage(shortages, parameters.officers_per_task)
    return tasks


def _team(seed: bytes, uscc: str, officers: Sequence[OfficerEntry], excluded: set[str],
          parameters: DrawParameters, departments: Sequence[str]
          ) -> tuple[list[str], list[str]] | Shortage:
    k = parameters.officers_per_task
    ranked = sorted((officer_score(seed, uscc, o.credential), o.credential, o.department)
                    for o in officers if o.credential not in excluded)
    eligible = Counter(department for _score, _credential, department in ranked)
    if parameters.joint:
        for department in departments:
            if eligible[department] < k:
                return Shortage(uscc, department, eligible[department])
        taken: Counter[str] = Counter()
        team: list[str] = []
        for _score, credential, department in ranked:
            if taken[department] < k:
                team.append(credential)
                taken[department] += 1
        return list(departments), team
    for _score, _credential, department in ranked:
        if eligible[department] >= k:
            break
    else:
        return Shortage(uscc, None, max(eligible.values(), default=0))
    return [department], [c for _s, c, d in ranked if d == department][:k]


# -- making a draw (the server's side, still pure) -----------------------------------------------


def prepare(pools: Pools, parameters: DrawParameters) -> Pools:
    """Canonical pools for a new draw, or :class:`DrawInputError`/:class:`DrawShortage`."""
    canonical = canonical_pools(pools)
    problems = parameter_problems(canonical, parameters)
    if problems:
        raise DrawInputError(problems[0])
    shortages = staffing_shortages(canonical, parameters.officers_per_task, parameters.joint)
    if shortages:
        raise DrawShortage(shortages, parameters.officers_per_task)
    return canonical


def clean_title(title: str) -> str:
    text = unicodedata.normalize("NFC", title).strip(SPACES)
    if text:
        text = _clean(text, Text("标题", "The title"), max_chars=MAX_TITLE_CHARS, one_word=False)
    return text


def clean_beacon_source(source: str) -> str:
    return _clean(source, Text("公开随机数来源", "The beacon source"),
                  max_chars=MAX_BEACON_SOURCE_CHARS, one_word=False)


def commitment_statement(*, draw_id: str, title: str, committed_ms: int, pools: Pools,
                         parameters: DrawParameters, beacon_source: str,
                         secret: bytes) -> dict[str, Any]:
    """The commitment to sign (the signer adds ``server_key``); ``pools`` already canonical."""
    return {
        "format": FORMAT, "type": "commitment", "draw_id": draw_id, "title": title,
        "committed_ms": committed_ms, "beacon_source": beacon_source,
        "count": parameters.count, "officers_per_task": parameters.officers_per_task,
        "joint": parameters.joint,
        **{pool: pool_size(pools, pool) for pool in POOL_NAMES},
        **{f"{pool}_hash": pool_digest(pools, pool) for pool in POOL_NAMES},
        "secret_hash": secret_hash(secret),
    }


def result_statement(*, commitment_raw: bytes, pools: Pools, secret: bytes, beacon: str,
                     run_ms: int) -> dict[str, Any]:
    """The reveal and the selection to sign (the signer adds ``server_key``)."""
    commitment = parse_commitment(commitment_raw)
    if secret_hash(secret) != commitment.secret_hash:
        raise ValueError("the secret is not the committed one")
    value = normalise_beacon(beacon)
    seed = draw_seed(secret, value, commitment_raw)
    tasks = select(pools, commitment.parameters, seed)
    return {
        "format": FORMAT, "type": "result", "draw_id": commitment.draw_id,
        "commitment_hash": commitment_hash(commitment_raw), "secret": secret.hex(),
        "beacon": value, "seed": seed.hex(), "count": commitment.count,
        "officers_per_task": commitment.officers_per_task, "joint": commitment.joint,
        "run_ms": run_ms, "tasks": [t.model_dump() for t in tasks],
    }


def tasks_bytes(tasks: Sequence[Task]) -> bytes:
    """The selection in canonical JSON: what a re-implementation reproduces byte for byte."""
    return json.dumps([t.model_dump() for t in tasks], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


# -- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawProblem:
    """One way a published draw fails to follow from its commitment; ``code`` is stable."""

    code: str
    text: Text
    position: int | None = None


@dataclass(frozen=True)
class DrawVerification:
    draw_id: str
    server_key_id: str
    commitment: Commitment | None
    result: DrawResult | None
    #: The selection re-run from the published secret, beacon and pools (None if it could not be).
    expected: tuple[Task, ...] | None
    problems: tuple[DrawProblem, ...]

    @property
    def state(self) -> Literal["verified", "not_run", "failed"]:
        if self.problems:
            return "failed"
        return "not_run" if self.result is None else "verified"


def _problem(code: str, zh: str, en: str, position: int | None = None,
             **params: object) -> DrawProblem:
    return DrawProblem(code, Text(zh, en).format(**params), position)


def _signature_ok(public_key: bytes | None, document: SignedDocument) -> bool:
    if public_key is None:
        return False
    try:
        sig = base64.b64decode(document.sig, validate=True)
    except (binascii.Error, ValueError):
        return False
    return keys.verify_signature(keys.load_public_key(public_key), sig,
                                 tags.DRAW(document.raw.encode("utf-8")))


def _file_key(export: DrawExport) -> bytes | None:
    try:
        raw = base64.b64decode(export.server_public_key, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None


def verify_draw(export: DrawExport, trusted_key: bytes | None = None, *,
                known_commitment: str | None = None) -> DrawVerification:
    """Re-run a published draw and list every way it fails to follow from its commitment.

    ``trusted_key`` is the centre's public key as pinned or given; without it the
    signatures are checked against the key inside the file, which shows only that
    the file is consistent with itself.  ``known_commitment`` is the commitment's
    hash (or its first 16 or more hex digits) as noted when it was published: a
    centre that replaced its commitment afterwards and re-made a consistent draw
    is caught by it.
    """
    problems: list[DrawProblem] = []
    key = _checked_key(export, trusted_key, problems)
    key_id = keys.key_id(key) if key is not None else export.server_key_id
    commitment_raw = export.commitment.raw.encode("utf-8")
    if known_commitment is not None and not commitment_hash(commitment_raw).startswith(
            known_commitment.lower()):
        problems.append(_problem(
            "draw.commitment_replaced",
            "文件中的承诺（摘要 {actual}…）不是公布时记下的承诺（{known}…）：承诺在公布后被替换",
            "The file's commitment (digest {actual}…) is not the one noted when it was published "
            "({known}…): the commitment was replaced after publication",
            actual=commitment_hash(commitment_raw)[:16], known=known_commitment[:16].lower()))
    try:
        commitment = parse_commitment(commitment_raw)
    except DrawFormatError as exc:
        problems.append(DrawProblem("draw.commitment_malformed", exc.text))
        return DrawVerification(export.draw_id, key_id, None, None, None, tuple(problems))
    _check_statement("commitment", commitment.draw_id, commitment.server_key, export, key, key_id,
                     problems)
    pools_usable = _check_pools(export.pools, commitment, problems)
    if pools_usable:
        for text in parameter_problems(export.pools, commitment.parameters):
            problems.append(DrawProblem("draw.parameters_invalid", text))
            pools_usable = False
    if pools_usable:
        shortages = staffing_shortages(export.pools, commitment.officers_per_task, commitment.joint)
        if shortages:
            problems.append(DrawProblem("draw.shortage", DrawShortage(
                shortages, commitment.officers_per_task).text))
            pools_usable = False
    if export.result is None:
        return DrawVerification(export.draw_id, key_id, commitment, None, None, tuple(problems))
    try:
        result = parse_result(export.result.raw.encode("utf-8"))
    except DrawFormatError as exc:
        problems.append(DrawProblem("draw.result_malformed", exc.text))
        return DrawVerification(export.draw_id, key_id, commitment, None, None, tuple(problems))
    _check_statement("result", result.draw_id, result.server_key, export, key, key_id, problems)
    seed = _check_reveal(commitment, commitment_raw, result, problems)
    expected: tuple[Task, ...] | None = None
    if pools_usable and seed is not None:
        expected = tuple(select(export.pools, commitment.parameters, seed))
        _compare(expected, result.tasks, problems)
    return DrawVerification(export.draw_id, key_id, commitment, result, expected, tuple(problems))


def _checked_key(export: DrawExport, trusted_key: bytes | None,
                 problems: list[DrawProblem]) -> bytes | None:
    file_key = _file_key(export)
    if file_key is None:
        problems.append(_problem("draw.server_key_malformed", "文件中的中心端公钥无效",
                                 "The centre's public key in the file is not valid"))
    if trusted_key is None:
        return file_key
    if file_key != trusted_key:
        problems.append(_problem(
            "draw.server_key_mismatch",
            "文件中的中心端公钥 {file} 不是本机信任的中心端公钥 {trusted}：该抽查不是由该中心端签发",
            "The centre's key in the file ({file}) is not the trusted centre key ({trusted}): "
            "this draw was not signed by that centre",
            file=export.server_key_id, trusted=keys.key_id(trusted_key)))
    return trusted_key


def _check_statement(which: Literal["commitment", "result"], draw_id: str, server_key: str,
                     export: DrawExport, key: bytes | None, key_id: str,
                     problems: list[DrawProblem]) -> None:
    word = Text("承诺", "commitment") if which == "commitment" else Text("结果", "result")
    document = export.commitment if which == "commitment" else export.result
    assert document is not None
    if not _signature_ok(key, document):
        problems.append(_problem(
            "draw.signature_invalid",
            "抽查{what}的签名无效：内容被改动，或不是密钥 {key} 签发",
            "The signature of the draw's {what} is invalid: it was altered or not signed by "
            "key {key}", what=word, key=key_id))
    if server_key != key_id:
        problems.append(_problem(
            "draw.server_key_mismatch", "抽查{what}声明由密钥 {named} 签发，而核验所用密钥为 {key}",
            "The draw's {what} names key {named}, but it is checked with key {key}",
            what=word, named=server_key, key=key_id))
    if draw_id != export.draw_id:
        problems.append(_problem(
            "draw.id_mismatch", "抽查{what}的编号 {inner} 与文件的编号 {outer} 不符",
            "The draw's {what} is numbered {inner}, the file {outer}",
            what=word, inner=draw_id, outer=export.draw_id))


def _check_pools(pools: Pools, commitment: Commitment, problems: list[DrawProblem]) -> bool:
    """Compare the pools with the commitment; False when they cannot be used to re-run."""
    for pool in POOL_NAMES:
        committed_size, committed_hash = getattr(commitment, pool), getattr(commitment,
                                                                            f"{pool}_hash")
        if pool_size(pools, pool) != committed_size or pool_digest(pools, pool) != committed_hash:
            problems.append(_problem(
                "draw.pool_changed",
                "{pool}在承诺之后被改动：承诺时 {n} 条、摘要 {committed}…，现为 {m} 条、摘要 {now}…",
                "The {pool} changed after the commitment: committed {n} entries with digest "
                "{committed}…, now {m} entries with digest {now}…",
                pool=_POOL_WORDS[pool], n=committed_size, committed=committed_hash[:16],
                m=pool_size(pools, pool), now=pool_digest(pools, pool)[:16]))
    try:
        canonical = canonical_pools(pools)
    except DrawInputError as exc:
        problems.append(DrawProblem("draw.pool_not_canonical", Text(
            "公布的名录不是规范形式，无法重算：{err}",
            "The published pools are not in canonical form and cannot be re-run: {err}")
            .format(err=exc.text)))
        return False
    if canonical != pools:
        problems.append(_problem("draw.pool_not_canonical",
                                 "公布的名录未按规范排序或规范化，与承诺时的形式不同",
                                 "The published pools are not sorted or normalised as committed"))
    return True


def _check_reveal(commitment: Commitment, commitment_raw: bytes, result: DrawResult,
                  problems: list[DrawProblem]) -> bytes | None:
    """The seed re-derived from the published secret and beacon, and what does not match."""
    if result.commitment_hash != commitment_hash(commitment_raw):
        problems.append(_problem(
            "draw.commitment_mismatch",
            "抽查结果所指的承诺（摘要 {named}…）不是文件中的承诺（摘要 {actual}…）：承诺在事后被替换",
            "The result names a commitment with digest {named}…, not the one in the file "
            "({actual}…): the commitment was replaced afterwards",
            named=result.commitment_hash[:16], actual=commitment_hash(commitment_raw)[:16]))
    for field in ("count", "officers_per_task", "joint"):
        committed, published = getattr(commitment, field), getattr(result, field)
        if committed != published:
            problems.append(_problem(
                "draw.parameters_changed", "抽查参数 {field} 被改动：承诺为 {committed}，结果为 {published}",
                "The draw parameter {field} changed: committed {committed}, result {published}",
                field=field, committed=json.dumps(committed), published=json.dumps(published)))
    if len(result.tasks) != commitment.count:
        problems.append(_problem(
            "draw.count_changed", "承诺抽取 {count} 家企业，公布的结果有 {n} 家",
            "The commitment draws {count} enterprises; the published result has {n}",
            count=commitment.count, n=len(result.tasks)))
    secret = bytes.fromhex(result.secret)
    if secret_hash(secret) != commitment.secret_hash:
        problems.append(_problem(
            "draw.secret_mismatch",
            "公布的密钥与承诺不符：其 SHA-256 为 {actual}…，承诺的是 {committed}…（密钥在承诺之后被更换）",
            "The revealed secret does not match its commitment: its SHA-256 is {actual}…, the "
            "commitment says {committed}… (the secret was changed after the commitment)",
            actual=secret_hash(secret)[:16], committed=commitment.secret_hash[:16]))
    try:
        beacon = normalise_beacon(result.beacon)
    except DrawInputError as exc:
        problems.append(DrawProblem("draw.beacon_malformed", exc.text))
        return None
    if beacon != result.beacon:
        problems.append(_problem("draw.beacon_malformed", "公开随机数未按规范书写",
                                 "The beacon value is not written in its normalised form"))
    seed = draw_seed(secret, beacon, commitment_raw)
    if result.seed != seed.hex():
        problems.append(_problem(
            "draw.seed_mismatch",
            "公布的种子 {published}… 不是由密钥、公开随机数和承诺算出的 {expected}…",
            "The published seed {published}… is not the one computed from the secret, the beacon "
            "and the commitment ({expected}…)", published=result.seed[:16], expected=seed.hex()[:16]))
    return seed


def _describe(task: Task | None) -> Text:
    if task is None:
        return Text("（无）", "(none)")
    officers = ", ".join(task.officers)
    return Text("{uscc}（{dept}：{officers}）", "{uscc} ({dept}: {officers})").format(
        uscc=task.uscc, dept="+".join(task.departments), officers=officers)


def _compare(expected: Sequence[Task], published: Sequence[Task],
             problems: list[DrawProblem]) -> None:
    differing = [i for i in range(max(len(expected), len(published)))
                 if i >= len(expected) or i >= len(published) or expected[i] != published[i]]
    if not differing:
        return
    k = differing[0]
    problems.append(_problem(
        "draw.result_differs",
        "公布的结果与重算结果有 {n} 处不符，第一处在第 {k} 位：公布为 {published}，重算应为 {expected}",
        "The published result differs from the re-run at {n} position(s), first at position {k}: "
        "published {published}, the re-run gives {expected}",
        position=k + 1, k=k + 1, n=len(differing),
        published=_describe(published[k] if k < len(published) else None),
        expected=_describe(expected[k] if k < len(expected) else None)))
