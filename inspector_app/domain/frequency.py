"""The frequency rule: N or more visits to one enterprise within D days (BRIEF §3).

Both numbers come from the department profile.  Visits are counted from the
local ledger plus the history cached at the last sync, de-duplicated by visit
id.  Non-enforcement visits (surveys, courtesy calls) are counted separately
and never trip the warning: the platforms this follows found that mixing them
in is what made enterprises feel over-inspected.  The warning asks for a
justification; it never blocks a visit.

Times are read with :func:`trusted_ms`: where the tablet holds a server time
anchor taken on the current boot, "now" and each local check-in are placed on
the server's clock through the boot counter, which the user cannot set.  Moving
the wall clock forward then does not step over the window, nor does setting it
back bring old visits into it.  Without such an anchor (never synced, or
rebooted while offline) the wall clock is all there is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from inspector_app.profile.model import FrequencyRule
from inspector_protocol.events import TimeAnchor, TimeEvidence
from inspector_protocol.text import Text

DAY_MS = 86_400_000


def trusted_ms(time: TimeEvidence, latest: TimeAnchor | None = None) -> int:
    """The server's clock carried by the boot counter, from the event's own anchor or from
    ``latest`` (the tablet's newest), whichever was taken on the event's boot; else the wall
    clock.  The boot counter places an event made before an anchor on the same boot as well
    as one made after it."""
    for anchor in (time.anchor, latest):
        if anchor is not None and anchor.boot_id == time.boot_id:
            return anchor.server_ms + (time.boot_ns - anchor.boot_ns) // 1_000_000
    return time.wall_ms


@dataclass(frozen=True)
class PastVisit:
    visit_id: str
    uscc: str
    department: str
    kind: str
    enforcement: bool
    checked_in_ms: int
    source: Literal["local", "central"]


@dataclass(frozen=True)
class FrequencyAssessment:
    """What the rule found for a visit about to start."""

    uscc: str
    rule: FrequencyRule
    #: Enforcement visits in the window, counting the one about to start if it is one.
    enforcement_count: int
    non_enforcement_count: int
    visits: tuple[PastVisit, ...]
    warned: bool

    @property
    def requires_justification(self) -> bool:
        return self.warned

    def text(self) -> Text:
        return Text(
            "频次预警：该企业近 {days} 天内已有 {n} 次执法检查（含本次），达到 {limit} 次的预警线"
            "（另有非执法类走访 {m} 次）。可以继续，但须填写理由。",
            "Frequency warning: {n} enforcement visits to this enterprise within {days} days "
            "(this one included) reach the limit of {limit} ({m} non-enforcement visits counted "
            "apart). You may continue, with a justification.",
        ).format(days=self.rule.window_days, n=self.enforcement_count, limit=self.rule.visits,
                 m=self.non_enforcement_count)

    def to_json(self) -> dict[str, object]:
        return {
            "enforcement_count": self.enforcement_count,
            "non_enforcement_count": self.non_enforcement_count,
            "threshold": self.rule.visits,
            "window_days": self.rule.window_days,
            "warned": self.warned,
        }


def assess(
    rule: FrequencyRule,
    uscc: str,
    past: Iterable[PastVisit],
    now_ms: int,
    this_visit_is_enforcement: bool,
) -> FrequencyAssessment:
    since = now_ms - rule.window_days * DAY_MS
    unique: dict[str, PastVisit] = {}
    for visit in past:
        in_window = visit.uscc == uscc and since <= visit.checked_in_ms <= now_ms
        # A local record wins over the cached copy of the same visit.
        if in_window and (visit.visit_id not in unique or visit.source == "local"):
            unique[visit.visit_id] = visit
    visits = tuple(sorted(unique.values(), key=lambda v: v.checked_in_ms, reverse=True))
    enforcement = sum(1 for v in visits if v.enforcement) + int(this_visit_is_enforcement)
    non_enforcement = sum(1 for v in visits if not v.enforcement)
    return FrequencyAssessment(
        uscc=uscc,
        rule=rule,
        enforcement_count=enforcement,
        non_enforcement_count=non_enforcement,
        visits=visits,
        warned=this_visit_is_enforcement and enforcement >= rule.visits,
    )
