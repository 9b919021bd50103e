"""A realistic district, written into the central database: ``inspector-central demo-data``.

The shape follows the Longhua district study (``docs/central.md#demo-data``):
284,316 enterprises; 59,047 enforcement actions a year, 82 % of them from three
departments (environment, market regulation, emergency management), 90.4 %
inspections and 9.6 % penalties and compulsory measures, 8 % of inspections by
double-random draw; survey and courtesy visits on top.  Most enterprises are
never visited in a year, a few key ones often; some are visited in bursts by
several departments (a campaign, a complaint followed up, a joint round), which
is what trips the frequency rule.

Everything goes in through the server's own code paths, not beside them:
devices are enrolled with one-time codes (:func:`~inspector_central.enrolment.enrol_device`,
checking each device's genesis event), officers are put on the roster
(:func:`~inspector_central.roster.add_officer`) and enrol on their tablet with
the activation code, and every event — signed by the generated device and
officer keys, chained, with time evidence — is ingested by
:func:`~inspector_central.ingest.ingest_batch`, one transaction per chunk of a
device's events, as if the tablet had synced.  Signatures are verified, receipts
signed, visits derived, keys activated exactly as for a real tablet, so every
row is one the server itself would write; a bulk path beside ingest would have
to be kept identical to it forever and would prove nothing about it.  The price
is ingest's speed: 180,000 visits are about 590,000 events, some four minutes of CPU
time in all (``docs/central.md`` has the measurements).  The registry goes through the feed
(:func:`~inspector_central.feeds.put_documents`), which also fills the
``enterprises`` table the console searches.

The same seed and end date give the same district: enterprises, officers,
devices, keys and every event's bytes and signature.  What the server adds at
ingest (receipts, received times, tokens) is its own and differs between runs.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_central.enrolment import create_code, enrol_device
from inspector_central.feeds import put_documents
from inspector_central.ingest import ingest_batch
from inspector_central.roster import add_officer
from inspector_central.signing import ServerKey
from inspector_central.storage import Database
from inspector_protocol import events as ev
from inspector_protocol import keys
from inspector_protocol.activation import activation_proof, code_key
from inspector_protocol.attestation import attestation_message
from inspector_protocol.china_time import CHINA_TZ, china_date
from inspector_protocol.envelope import SignedEvent, build_envelope, signing_message
from inspector_protocol.events import TimeAnchor, TimeEvidence
from inspector_protocol.uscc import check_character

DAY_MS = 86_400_000
MINUTE_MS = 60_000
#: Longhua's division code (GB/T 2260), positions 3-8 of its enterprises' USCCs.
DIVISION = "440309"
#: A device's events go to ingest in chunks of this many: one transaction each.
CHUNK_EVENTS = 2000
#: The frequency rule the check-ins assess themselves against (the profile's default).
RULE_VISITS, RULE_DAYS = 4, 15
ENFORCEMENT_SHARE = 0.65


@dataclass(frozen=True)
class Department:
    id: str
    zh: str
    en: str
    #: Shares of the district's enforcement and non-enforcement visits.
    enforcement: float
    non_enforcement: float
    industries: tuple[str, ...]
    reasons: tuple[str, ...]
    legal_basis: str


_ALL = ("electronics", "machinery", "chemicals", "plastics", "printing", "food_processing",
        "catering", "retail", "wholesale", "logistics", "construction", "real_estate",
        "software", "medical", "hotel", "education")

DEPARTMENTS: tuple[Department, ...] = (
    Department("lh-env", "深圳市生态环境局龙华管理局", "Environment (Longhua)", 0.30, 0.08,
               ("electronics", "chemicals", "plastics", "printing", "machinery", "food_processing"),
               ("排污许可执行情况检查", "废气废水排放检查", "重污染天气应急管控检查"),
               "《中华人民共和国环境保护法》第二十四条"),
    Department("lh-amr", "深圳市市场监督管理局龙华监管局", "Market regulation (Longhua)", 0.30, 0.10,
               ("catering", "retail", "wholesale", "food_processing", "medical", "hotel"),
               ("特种设备安全隐患排查", "食品经营场所日常检查", "产品质量监督抽查"),
               "《中华人民共和国食品安全法》第一百一十条"),
    Department("lh-em", "龙华区应急管理局", "Emergency management", 0.22, 0.10,
               ("chemicals", "electronics", "machinery", "plastics", "logistics"),
               ("危险化学品安全检查", "粉尘涉爆企业专项检查", "有限空间作业安全检查"),
               "《中华人民共和国安全生产法》第六十五条"),
    Department("lh-fire", "龙华区消防救援大队", "Fire and rescue", 0.06, 0.06, _ALL,
               ("消防安全检查", "人员密集场所消防检查"), "《中华人民共和国消防法》第五十三条"),
    Department("lh-urban", "龙华区城市管理和综合执法局", "Urban management", 0.05, 0.04,
               ("catering", "retail", "construction"), ("市容环境卫生检查", "户外广告设施检查"),
               "《城市市容和环境卫生管理条例》第三十二条"),
    Department("lh-build", "龙华区住房和建设局", "Housing and construction", 0.03, 0.04,
               ("construction", "real_estate"), ("建筑施工安全检查",),
               "《建设工程安全生产管理条例》第四十三条"),
    Department("lh-health", "龙华区卫生健康局", "Health", 0.025, 0.04,
               ("medical", "hotel", "education", "catering"), ("公共场所卫生检查",),
               "《公共场所卫生管理条例》第十条"),
    Department("lh-labour", "龙华区人力资源局", "Human resources", 0.015, 0.04, _ALL,
               ("劳动保障监察",), "《劳动保障监察条例》第十五条"),
    Department("lh-industry", "龙华区工业和信息化局", "Industry and IT", 0.0, 0.50, _ALL,
               ("重点企业走访调研",), "—"),
)

#: (kind id, category, share of enforcement visits); shares from the Longhua study.
ENFORCEMENT_KINDS = (("routine", "inspection", 0.398), ("campaign", "inspection", 0.226),
                     ("complaint", "inspection", 0.108), ("double-random", "inspection", 0.072),
                     ("penalty", "penalty", 0.07), ("compulsory", "compulsory", 0.026))
NON_ENFORCEMENT_KINDS = (("survey", "non_enforcement", 0.55),
                         ("assistance", "non_enforcement", 0.45))

_STREETS = ("观湖", "民治", "龙华", "大浪", "福城", "观澜")
_ROADS = ("人民路", "梅龙路", "东环一路", "和平路", "华盛路", "民康路", "富士康北路", "观澜大道",
          "大浪南路", "工业东路", "环观南路", "清湖路", "布龙路", "龙观大道")
_BRAND = ("华", "创", "鑫", "达", "腾", "恒", "盛", "泰", "丰", "源", "兴", "科", "瑞", "宏", "诚",
          "信", "嘉", "美", "安", "康", "佳", "富", "利", "通", "欣", "宇", "新", "金", "龙", "中",
          "海", "天", "光", "明", "远", "联", "益", "合", "德", "祥", "隆", "昌", "顺", "志", "永",
          "坤", "晟", "骏", "峰", "卓", "锐", "智", "博", "凯", "鹏", "辉", "星", "润", "优", "众")
_INDUSTRY_WORDS: dict[str, tuple[str, str, float]] = {
    # id: (registry text, name word, weight among enterprises)
    "electronics": ("计算机、通信和其他电子设备制造业", "电子", 0.12),
    "machinery": ("通用设备制造业", "精密机械", 0.06),
    "chemicals": ("化学原料和化学制品制造业", "化工", 0.015),
    "plastics": ("橡胶和塑料制品业", "塑胶制品", 0.04),
    "printing": ("印刷和记录媒介复制业", "印刷", 0.02),
    "food_processing": ("食品制造业", "食品", 0.02),
    "catering": ("餐饮业", "餐饮管理", 0.10),
    "retail": ("零售业", "商贸", 0.20),
    "wholesale": ("批发业", "供应链", 0.12),
    "logistics": ("仓储业", "物流", 0.05),
    "construction": ("房屋建筑业", "建筑工程", 0.04),
    "real_estate": ("房地产业", "置业", 0.02),
    "software": ("软件和信息技术服务业", "科技", 0.13),
    "medical": ("卫生", "医疗", 0.015),
    "hotel": ("住宿业", "酒店管理", 0.02),
    "education": ("教育", "教育咨询", 0.02),
}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程魏"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国文斌宇浩凯晨欣怡婷雪琳"
_JUSTIFICATIONS = ("重污染天气应急管控，按区应急指挥部部署开展", "投诉举报线索须现场核查",
                   "上级部署专项整治行动", "整改复查")
_RECTIFICATIONS = ("消防通道堆放杂物，须清理", "危化品储存台账不完整", "特种设备未按期检验",
                   "废气收集设施未正常运行", "从业人员健康证过期", "有限空间未设置警示标识")
_COMMENTS = ("检查规范，态度很好", "指导细致，帮助很大", "希望减少重复检查", "时间较长，影响生产",
             "出示了执法证件，流程清楚")


@dataclass(frozen=True)
class Shape:
    enterprises: int
    visits: int
    days: int
    seed: int
    #: The day after the last simulated day (China time); the district ends just before it.
    until: dt.date
    enforcement_share: float = ENFORCEMENT_SHARE


@dataclass
class Summary:
    enterprises: int = 0
    officers: int = 0
    devices: int = 0
    visits: int = 0
    enforcement: int = 0
    events: int = 0
    refused: int = 0
    warned: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


# -- enterprises --------------------------------------------------------------------------


@dataclass(frozen=True)
class Enterprise:
    uscc: str
    name: str
    address: str
    industry: str
    #: How often enforcement comes here, relative to others (key enterprises much more).
    weight: float

    def document(self) -> dict[str, Any]:
        return {"uscc": self.uscc, "name": self.name, "address": self.address,
                "industry": _INDUSTRY_WORDS[self.industry][0], "deleted": False}


def organisation_check(code8: str) -> str:
    """The GB 11714 check character of an eight-character organisation code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    value = 11 - sum(int(c, 36) * w for c, w in zip(code8, weights, strict=True)) % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def make_uscc(kind: str, number: int) -> str:
    """A valid USCC of Longhua: registration authority and type, division, organisation code."""
    code8 = f"{number:08d}"
    first17 = kind + DIVISION + code8 + organisation_check(code8)
    return first17 + check_character(first17)


def make_enterprises(count: int, rng: random.Random) -> list[Enterprise]:
    industries = list(_INDUSTRY_WORDS)
    cumulative = list(itertools.accumulate(_INDUSTRY_WORDS[i][2] for i in industries))
    numbers = rng.sample(range(10**8), count)
    made = []
    for number in numbers:
        industry = industries[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
        brand = rng.choice(_BRAND) + rng.choice(_BRAND)
        word = _INDUSTRY_WORDS[industry][1]
        individual = industry in ("catering", "retail") and rng.random() < 0.3
        if individual:
            name, kind = f"深圳市龙华区{brand}{word}店", "92"
        else:
            suffix = "股份有限公司" if rng.random() < 0.05 else "有限公司"
            name, kind = f"深圳市{brand}{word}{suffix}", "91"
        street = rng.choice(_STREETS)
        address = f"深圳市龙华区{street}街道{rng.choice(_ROADS)}{rng.randint(1, 999)}号"
        roll = rng.random()
        weight = 40.0 if roll < 0.01 else 5.0 if roll < 0.10 else 0.5
        made.append(Enterprise(make_uscc(kind, number), name, address, industry, weight))
    return made


# -- officers and devices ------------------------------------------------------------------


@dataclass
class Officer:
    credential: str
    name: str
    department: Department
    private: Ed25519PrivateKey
    code: str

    @property
    def public(self) -> bytes:
        return keys.raw_public_key(self.private)

    def signer(self) -> keys.Signer:
        return keys.Signer(self.credential, keys.key_id(self.public), self.private)


@dataclass
class Device:
    id: str
    name: str
    department: Department
    officers: list[Officer]
    private: Ed25519PrivateKey
    seq: int = 0
    prev: bytes | None = None
    events: list[SignedEvent] = field(default_factory=list)

    def signer(self) -> keys.Signer:
        return keys.Signer(None, keys.key_id(keys.raw_public_key(self.private)), self.private)


def _key(rng: random.Random) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))


def _activation_code(rng: random.Random) -> str:
    from inspector_protocol.activation import CODE_ALPHABET, CODE_CHARS

    chars = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_CHARS))
    return "-".join(chars[i:i + 4] for i in range(0, CODE_CHARS, 4))


def make_devices(shape: Shape, rng: random.Random) -> list[Device]:
    """Teams of two officers sharing a tablet; each department about one team per 300 visits
    a year (a small district still gets two teams per department)."""
    per_year = shape.visits * 365 / max(1, shape.days)
    devices = []
    serial = itertools.count(1)
    for d_index, dept in enumerate(DEPARTMENTS):
        share = shape.enforcement_share * dept.enforcement + (
            1 - shape.enforcement_share) * dept.non_enforcement
        teams = max(2, round(per_year * share / 600))
        for t in range(teams):
            officers = []
            for _ in range(2):
                number = next(serial)
                name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))
                officers.append(Officer(f"44030920{d_index + 1:02d}{number:05d}", name, dept,
                                        _key(rng), _activation_code(rng)))
            device_id = str(uuid.UUID(bytes=rng.randbytes(16), version=4))
            devices.append(Device(device_id, f"{dept.id}-tablet-{t + 1:03d}", dept, officers,
                                  _key(rng)))
    return devices


# -- visits ---------------------------------------------------------------------------------


@dataclass
class Visit:
    id: str
    enterprise: Enterprise
    device: Device
    kind: str
    category: str
    day: int
    start_ms: int = 0
    duration_s: int = 0
    #: "checked_out", "abandoned" or "open" (never checked out: the console's open visits).
    ending: str = "checked_out"
    burst: bool = False
    warned: bool = False
    count_in_window: int = 0

    @property
    def enforcement(self) -> bool:
        return self.category != "non_enforcement"


class _Weighted:
    """Draws from weighted items in O(log n)."""

    def __init__(self, items: list[Any], weights: list[float]) -> None:
        self.items = items
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def plan_visits(shape: Shape, enterprises: list[Enterprise], devices: list[Device],
                rng: random.Random) -> list[Visit]:
    by_dept = {d.id: [dev for dev in devices if dev.department.id == d.id] for d in DEPARTMENTS}
    targets = {}
    for dept in DEPARTMENTS:
        chosen = [e for e in enterprises if e.industry in dept.industries] or enterprises
        targets[dept.id] = _Weighted(chosen, [e.weight for e in chosen])
    anyone = _Weighted(enterprises, [e.weight for e in enterprises])
    enforcing = [d for d in DEPARTMENTS if d.enforcement > 0]
    enf_depts = _Weighted(enforcing, [d.enforcement for d in enforcing])
    non_depts = _Weighted(list(DEPARTMENTS), [d.non_enforcement for d in DEPARTMENTS])
    enf_kinds = _Weighted(list(ENFORCEMENT_KINDS), [k[2] for k in ENFORCEMENT_KINDS])
    non_kinds = _Weighted(list(NON_ENFORCEMENT_KINDS), [k[2] for k in NON_ENFORCEMENT_KINDS])
    # Weekdays carry the work; a weekend day gets a tenth of a weekday's visits.
    first = shape.until - dt.timedelta(days=shape.days)
    days = _Weighted(list(range(shape.days)), [
        0.1 if (first + dt.timedelta(days=i)).weekday() >= 5 else 1.0 for i in range(shape.days)])
    enforcement_total = round(shape.visits * shape.enforcement_share)
    visits: list[Visit] = []

    def add(dept: Department, enterprise: Enterprise, kind: tuple[str, str, float], day: int,
            burst: bool = False) -> None:
        device = rng.choice(by_dept[dept.id])
        visit_id = str(uuid.UUID(bytes=rng.randbytes(16), version=4))
        visits.append(Visit(visit_id, enterprise, device, kind[0], kind[1], day, burst=burst))

    # Bursts: one enterprise, four to six enforcement visits by two to four departments
    # within two weeks (about 3 % of enforcement visits).
    burst_visits = round(enforcement_total * 0.03)
    while burst_visits >= 4 and shape.days >= RULE_DAYS:
        enterprise = anyone.draw(rng)
        size = min(burst_visits, rng.randint(4, 6))
        start = rng.randrange(0, shape.days - 14)
        departments = [enf_depts.draw(rng) for _ in range(rng.randint(2, 4))]
        for _ in range(size):
            kind = rng.choice((ENFORCEMENT_KINDS[0], ENFORCEMENT_KINDS[1], ENFORCEMENT_KINDS[2]))
            add(rng.choice(departments), enterprise, kind, start + rng.randrange(0, 14), True)
        burst_visits -= size
    while len(visits) < enforcement_total:
        dept = enf_depts.draw(rng)
        add(dept, targets[dept.id].draw(rng), enf_kinds.draw(rng), days.draw(rng))
    while len(visits) < shape.visits:
        dept = non_depts.draw(rng)
        add(dept, anyone.draw(rng), non_kinds.draw(rng), days.draw(rng))
    _schedule(shape, visits, rng)
    _assess(visits)
    return visits


def _day_start_ms(shape: Shape, day: int) -> int:
    first = shape.until - dt.timedelta(days=shape.days - day)
    return int(dt.datetime(first.year, first.month, first.day, tzinfo=CHINA_TZ).timestamp() * 1000)


def _schedule(shape: Shape, visits: list[Visit], rng: random.Random) -> None:
    """Times of day and durations: each team's visits of a day one after another."""
    by_team_day: dict[tuple[str, int], list[Visit]] = {}
    for visit in visits:
        by_team_day.setdefault((visit.device.id, visit.day), []).append(visit)
    for (_device, day), group in sorted(by_team_day.items()):
        clock = _day_start_ms(shape, day) + rng.randint(8 * 60 + 30, 10 * 60) * MINUTE_MS
        for visit in group:
            visit.duration_s = _duration_s(visit, rng)
            visit.start_ms = clock + rng.randint(0, 59_999)
            clock = visit.start_ms + visit.duration_s * 1000 + rng.randint(15, 60) * MINUTE_MS
            roll = rng.random()
            visit.ending = "open" if roll < 0.005 else "abandoned" if roll < 0.015 else "checked_out"


def _duration_s(visit: Visit, rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.02:  # too short to be an inspection: the console's "too short"
        return rng.randint(60, 299)
    if roll < 0.03:  # far too long
        return rng.randint(4 * 3600, 7 * 3600)
    median_min = {"penalty": 90, "compulsory": 120, "non_enforcement": 30}.get(visit.category, 47)
    return max(300, int(rng.lognormvariate(0, 0.45) * median_min * 60))


def _assess(visits: list[Visit]) -> None:
    """What the frequency rule said at each check-in, over all departments' visits before it."""
    by_enterprise: dict[str, list[Visit]] = {}
    for visit in visits:
        if visit.enforcement:
            by_enterprise.setdefault(visit.enterprise.uscc, []).append(visit)
    for group in by_enterprise.values():
        group.sort(key=lambda v: v.start_ms)
        for i, visit in enumerate(group):
            since = visit.start_ms - RULE_DAYS * DAY_MS
            visit.count_in_window = 1 + sum(1 for other in group[:i] if other.start_ms >= since)
            visit.warned = visit.count_in_window >= RULE_VISITS


# -- events ---------------------------------------------------------------------------------


class _Timeline:
    """A device's clocks: a boot each working morning, an anchor from the morning's sync,
    and on a few days a wall clock set wrong (the console's clock discrepancies)."""

    def __init__(self, shape: Shape, device: Device) -> None:
        self.shape = shape
        self.device = device
        self.boots: dict[int, tuple[str, int, int]] = {}

    def evidence(self, true_ms: int, day: int) -> TimeEvidence:
        boot = self.boots.get(day)
        if boot is None:
            digest = hashlib.sha256(f"{self.shape.seed}/{self.device.id}/{day}".encode()).digest()
            boot_ms = _day_start_ms(self.shape, day) + 7 * 3600_000 + digest[0] * 1000
            skew = (digest[1] - 128) * 20 if digest[2] != 0 else 1800_000 + digest[3] * 10_000
            boot = (str(uuid.UUID(bytes=digest[4:20], version=4)), boot_ms, skew)
            self.boots[day] = boot
        boot_id, boot_ms, skew = boot
        anchor_ms = boot_ms + 600_000
        anchor = TimeAnchor(anchor_ms, 5_000_000_000 + 600_000 * 1_000_000, boot_id)
        boot_ns = 5_000_000_000 + (true_ms - boot_ms) * 1_000_000
        return TimeEvidence(true_ms + skew, boot_ns, boot_id, anchor)


def _append(device: Device, signer: keys.Signer, event_type: str, body: dict[str, Any],
            time: TimeEvidence, rng: random.Random) -> None:
    device.seq += 1
    raw = build_envelope(event_id=str(uuid.UUID(bytes=rng.randbytes(16), version=4)),
                         device=device.id, seq=device.seq, prev_hash=device.prev,
                         event_type=event_type, officer=signer.officer, key_id=signer.key_id,
                         time=time, body=body)
    event = SignedEvent(raw, signer.sign(signing_message(raw)))
    device.prev = event.hash
    device.events.append(event)


def _profile_ref() -> dict[str, Any]:
    return {"id": "longhua-demo", "version": 1,
            "hash": hashlib.sha256(b"longhua-demo profile 1").hexdigest()}


def write_device_setup(shape: Shape, device: Device, rng: random.Random) -> None:
    """The tablet's first events: genesis, profile, its officers' enrolments."""
    timeline = _Timeline(shape, device)
    time = timeline.evidence(_day_start_ms(shape, 0) + 7 * 3600_000 + 900_000, 0)
    time = TimeEvidence(time.wall_ms, time.boot_ns, time.boot_id, None)  # never synced yet
    public = keys.raw_public_key(device.private)
    _append(device, device.signer(), ev.LEDGER_CREATED, {
        "app_version": "demo", "profile": _profile_ref(),
        "device_public_key": keys.b64encode(public)}, time, rng)
    _append(device, device.signer(), ev.PROFILE_INSTALLED, {"profile": _profile_ref()}, time, rng)
    for officer in device.officers:
        officer_public = officer.public
        _append(device, officer.signer(), ev.OFFICER_ENROLLED, {
            "credential": officer.credential, "name": officer.name,
            "department": device.department.id, "in_profile": False,
            "public_key": keys.b64encode(officer_public),
            "device_attestation": keys.b64encode(device.signer().sign(
                attestation_message(officer.credential, officer_public))),
            "activation": keys.b64encode(activation_proof(code_key(officer.code),
                                                          officer.credential, officer_public)),
        }, time, rng)


def write_visit_events(visit: Visit, rng: random.Random, timeline: _Timeline
                       ) -> Iterator[tuple[int, Callable[[], None]]]:
    """The visit's events as (time, writer): the caller writes a device's in time order."""
    device = visit.device
    lead, co = device.officers if rng.random() < 0.5 else device.officers[::-1]
    dept = device.department
    enterprise = visit.enterprise
    code = rng.choices(("signed", "legacy", "typed"), (0.85, 0.05, 0.10))[0]
    reason = rng.choice(dept.reasons) if visit.enforcement else rng.choice(
        ("企业经营情况调研", "惠企政策宣讲", "走访帮扶"))
    street_lat = 22.65 + rng.random() * 0.10
    street_lon = 113.98 + rng.random() * 0.08
    check_in_body: dict[str, Any] = {
        "visit": visit.id,
        "enterprise": {"uscc": enterprise.uscc, "name": enterprise.name,
                       "registered": code != "typed" or rng.random() < 0.9, "code": code},
        "department": dept.id, "kind": visit.kind, "category": visit.category,
        "reason": reason, "legal_basis": dept.legal_basis if visit.enforcement else None,
        "justification": rng.choice(_JUSTIFICATIONS) if visit.warned else None,
        "frequency": {"enforcement_count": visit.count_in_window if visit.enforcement else 0,
                      "non_enforcement_count": 0, "threshold": RULE_VISITS,
                      "window_days": RULE_DAYS, "warned": visit.warned},
        "co_officers": [co.credential] if visit.enforcement else [],
        "location": {"lat_e7": round(street_lat * 1e7), "lon_e7": round(street_lon * 1e7),
                     "accuracy_m": rng.randint(5, 40), "source": "gnss",
                     "fix_wall_ms": visit.start_ms - 20_000},
        "templates": [], "profile": _profile_ref(),
    }
    start, end = visit.start_ms, visit.start_ms + visit.duration_s * 1000

    def at(ms: int, signer: keys.Signer, event_type: str, body: dict[str, Any]
           ) -> tuple[int, Callable[[], None]]:
        time = timeline.evidence(ms, visit.day)
        return ms, lambda: _append(device, signer, event_type, body, time, rng)

    yield at(start, lead.signer(), ev.CHECKED_IN, check_in_body)
    if visit.enforcement:
        yield at(start + 30_000, co.signer(), ev.CO_SIGNED, {"visit": visit.id})
    if visit.ending == "open":
        return
    if visit.ending == "abandoned":
        yield at(start + 600_000, lead.signer(), ev.ABANDONED,
                 {"visit": visit.id, "reason": "企业负责人不在，改日再来"})
        return
    if visit.enforcement and visit.duration_s >= 600 and rng.random() < 0.15:
        deadline = china_date(end) + dt.timedelta(days=15)
        yield at(end - 300_000, lead.signer(), ev.RECTIFICATION, {
            "visit": visit.id, "requirement": rng.choice(_RECTIFICATIONS),
            "deadline": deadline.isoformat(), "item": None})
    exit_scan = rng.choices(("signed", "typed", "not_scanned"), (0.88, 0.04, 0.08))[0]
    yield at(end, lead.signer(), ev.CHECKED_OUT, {
        "visit": visit.id, "exit_scan": exit_scan,
        "no_scan_reason": "企业二维码损坏" if exit_scan == "not_scanned" else None,
        "incomplete_reason": None})
    if rng.random() < 0.55:
        roll = rng.random()
        score = 100 if roll < 0.4 else rng.randint(90, 99) if roll < 0.8 else rng.randint(
            70, 89) if roll < 0.95 else rng.randint(30, 59)
        yield at(end + 60_000, lead.signer(), ev.RATED, {
            "visit": visit.id, "score": score,
            "comment": rng.choice(_COMMENTS) if rng.random() < 0.2 else None})


# -- writing it all -------------------------------------------------------------------------




def generate(database: Database, server_key: ServerKey, shape: Shape,
             progress: Callable[[str], None] = lambda line: None) -> Summary:
    """Write the district into ``database``; returns what was written and how long it took."""
    import time

    summary = Summary()
    rng = random.Random(shape.seed)

    def step(name: str, started: float) -> None:
        summary.seconds[name] = round(time.monotonic() - started, 2)
        progress(f"{name}: {summary.seconds[name]:.1f} s")

    started = time.monotonic()
    enterprises = make_enterprises(shape.enterprises, rng)
    summary.enterprises = put_documents(database, "registry",
                                        ((e.uscc, e.document()) for e in enterprises))
    step("enterprises", started)

    started = time.monotonic()
    devices = make_devices(shape, random.Random(rng.random()))
    for device in devices:
        for officer in device.officers:
            add_officer(database, officer.credential, officer.name, device.department.id,
                        code=officer.code)
        write_device_setup(shape, device, random.Random(rng.random()))
        genesis = device.events[0]
        enrol_device(database, server_key, code=create_code(database, device.name),
                     device_id=device.id, device_public_key=keys.raw_public_key(device.private),
                     genesis_raw=genesis.raw, genesis_sig=genesis.sig, nonce="demo-data-enrolment")
    summary.devices = len(devices)
    summary.officers = sum(len(d.officers) for d in devices)
    step("officers and devices", started)

    started = time.monotonic()
    visits = plan_visits(shape, enterprises, devices, random.Random(rng.random()))
    summary.visits = len(visits)
    summary.enforcement = sum(1 for v in visits if v.enforcement)
    summary.warned = sum(1 for v in visits if v.warned)
    by_device: dict[str, list[Visit]] = {}
    for visit in visits:
        by_device.setdefault(visit.device.id, []).append(visit)
    step("planning visits", started)

    started = time.monotonic()
    signing = ingesting = 0.0
    for device in devices:  # one device at a time: memory holds one tablet's events
        began = time.monotonic()
        device_rng = random.Random(f"{shape.seed}/{device.id}")
        timeline = _Timeline(shape, device)
        writers = [(ms, n, write) for n, (ms, write) in enumerate(itertools.chain.from_iterable(
            write_visit_events(visit, device_rng, timeline)
            for visit in sorted(by_device.get(device.id, []), key=lambda v: (v.start_ms, v.id))))]
        for _ms, _n, write in sorted(writers, key=lambda w: (w[0], w[1])):
            write()
        signed = time.monotonic()
        signing += signed - began
        for chunk_start in range(0, len(device.events), CHUNK_EVENTS):
            chunk = device.events[chunk_start:chunk_start + CHUNK_EVENTS]
            results = ingest_batch(database, server_key, device.id,
                                   f"demo-data-{device.seq}-{chunk_start}",
                                   [(e.raw, e.sig) for e in chunk])
            summary.events += len(chunk)
            summary.refused += sum(1 for r in results if r.status >= 400)
        device.events.clear()
        ingesting += time.monotonic() - signed
    summary.seconds["signing events"] = round(signing, 2)
    summary.seconds["ingest"] = round(ingesting, 2)
    progress(f"signing events: {signing:.1f} s, ingest: {ingesting:.1f} s")
    return summary
