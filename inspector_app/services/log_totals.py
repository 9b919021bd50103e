"""Totals of a visit log by department, officer and kind: what a team lead reports upwards.

One home for the numbers: the logs screen's totals page, ``inspector visits
--totals`` and the printable log report all call :func:`log_totals` on the
same rows (the visits a query passes), so they agree.  A joint visit counts for
each department taking part; a visit counts for its lead officer and for every
co-officer (the work was theirs too), so the officers' lines add up to more than
the visits.  Keys are ids; names are resolved where the totals are shown.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from inspector_app.services.names import department_name, kind_name, officer_name
from inspector_app.services.visit_log import Status
from inspector_protocol.text import Lang, Text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from inspector_app.profile import Profile
    from inspector_app.services.visit_log import LogRow


@dataclass
class Tally:
    """The visits counted under one key (a department, an officer, a kind, or all)."""

    key: str
    visits: int = 0
    enforcement: int = 0
    complete: int = 0
    incomplete: int = 0
    abandoned: int = 0
    open: int = 0
    warned: int = 0
    #: Minutes of the visits that ended (open and abandoned visits add none).
    minutes: int = 0
    #: For an officer: visits in which they were a co-officer, not the lead.
    as_co_officer: int = 0

    @property
    def non_enforcement(self) -> int:
        return self.visits - self.enforcement

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "visits": self.visits, "enforcement": self.enforcement,
                "non_enforcement": self.non_enforcement, "complete": self.complete,
                "incomplete": self.incomplete, "abandoned": self.abandoned, "open": self.open,
                "warned": self.warned, "minutes": self.minutes,
                "as_co_officer": self.as_co_officer}


@dataclass
class LogTotals:
    overall: Tally = field(default_factory=lambda: Tally(""))
    by_department: dict[str, Tally] = field(default_factory=dict)
    by_officer: dict[str, Tally] = field(default_factory=dict)
    by_kind: dict[str, Tally] = field(default_factory=dict)

    def groups(self) -> tuple[tuple[str, dict[str, Tally]], ...]:
        """("department" | "officer" | "kind", its tallies), most visits first in each."""
        return tuple((name, dict(sorted(tallies.items(), key=lambda kv: (-kv[1].visits, kv[0]))))
                     for name, tallies in (("department", self.by_department),
                                           ("officer", self.by_officer), ("kind", self.by_kind)))

    def to_json(self, profile: Profile | None, lang: Lang,
                officer_names: Mapping[str, str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"overall": self.overall.to_json()}
        for group, tallies in self.groups():
            out[f"by_{group}"] = [{**t.to_json(), "name": tally_name(
                group, t.key, profile, lang, officer_names)} for t in tallies.values()]
        return out


@dataclass(frozen=True)
class TallyFacts:
    """What one visit adds to the tallies it counts in, worked out once per row."""

    #: Status, enforcement and warning in one small number (see :func:`_combo`).
    combo: int
    #: Minutes, when the visit ended with a duration (0 otherwise).
    minutes: int
    departments: tuple[str, ...]
    officer: str
    #: The co-officers other than the lead, each once.
    co_officers: tuple[str, ...]
    kind: str

    @functools.cached_property
    def keyed(self) -> tuple[tuple[int, str], ...]:
        """Every (group, key) the visit counts under: 0 its departments, 1 its lead officer,
        2 its co-officers, 3 its kind (one flat tuple: counting allocates nothing)."""
        return (*((0, d) for d in self.departments), (1, self.officer),
                *((2, c) for c in self.co_officers), (3, self.kind))


_STATUSES = tuple(Status)


def _combo(status: Status, enforcement: bool, warned: bool) -> int:
    return _STATUSES.index(status) * 4 + 2 * int(enforcement) + int(warned)


def tally_facts(row: LogRow) -> TallyFacts:
    visit = row.visit
    minutes = (row.duration.minutes()
               if row.duration is not None and visit.checked_out is not None else 0)
    return TallyFacts(_combo(row.status, visit.enforcement, visit.frequency_warned), minutes,
                      tuple(dict.fromkeys(visit.departments)), visit.officer,
                      tuple(c for c in dict.fromkeys(visit.co_officers) if c != visit.officer),
                      visit.kind)


def log_totals(rows: Iterable[LogRow]) -> LogTotals:
    return totals_of_facts([tally_facts(row) for row in rows])


def totals_of_facts(facts: Sequence[TallyFacts]) -> LogTotals:
    """The totals of visits given by their facts.

    Each key's visits are counted per combo in a list of small integers, one update per
    (visit, key): a year of visits costs a few passes and allocates almost nothing, so it
    neither takes long nor wakes the garbage collector over a large log."""
    overall: list[int] = [0] * _SLOTS
    departments: dict[str, list[int]] = {}
    officers: dict[str, list[int]] = {}
    co_officers: dict[str, list[int]] = {}
    kinds: dict[str, list[int]] = {}
    groups = (departments, officers, co_officers, kinds)  # in the order of TallyFacts.keyed
    for f in facts:
        combo, minutes = f.combo, f.minutes
        overall[combo] += 1
        overall[_MINUTES] += minutes
        for group, key in f.keyed:
            counted = groups[group]
            slots = counted.get(key)
            if slots is None:
                slots = counted[key] = [0] * _SLOTS
            slots[combo] += 1
            slots[_MINUTES] += minutes
    totals = LogTotals()
    _count(totals.overall, overall)
    for tallies, counted in ((totals.by_department, departments),
                             (totals.by_officer, officers), (totals.by_officer, co_officers),
                             (totals.by_kind, kinds)):
        for key, slots in counted.items():
            _count(_tally(tallies, key), slots)
    for officer, slots in co_officers.items():
        totals.by_officer[officer].as_co_officer += sum(slots[:_MINUTES])
    return totals


#: A key's counts: one slot per combo (status × enforcement × warned), then the minutes.
_MINUTES = 4 * len(_STATUSES)
_SLOTS = _MINUTES + 1


def _count(tally: Tally, slots: list[int]) -> None:
    for combo in range(_MINUTES):
        n = slots[combo]
        if not n:
            continue
        status = _STATUSES[combo // 4]
        tally.visits += n
        tally.enforcement += n * (combo >> 1 & 1)
        tally.warned += n * (combo & 1)
        tally.complete += n * (status is Status.COMPLETE)
        tally.incomplete += n * (status is Status.INCOMPLETE)
        tally.abandoned += n * (status is Status.ABANDONED)
        tally.open += n * (status is Status.OPEN)
    tally.minutes += slots[_MINUTES]


def _tally(tallies: dict[str, Tally], key: str) -> Tally:
    found = tallies.get(key)
    if found is None:
        found = tallies[key] = Tally(key)
    return found


GROUP_TITLES = {
    "department": Text("按部门", "By department"),
    "officer": Text("按执法人员（含共同执法）", "By officer (co-officer visits included)"),
    "kind": Text("按检查类型", "By kind"),
}

#: The columns of a totals table: title and the cell of a tally.
TALLY_COLUMNS: tuple[tuple[Text, Callable[[Tally], int]], ...] = (
    (Text("检查", "Visits"), lambda t: t.visits),
    (Text("执法类", "Enforcement"), lambda t: t.enforcement),
    (Text("非执法类", "Non-enforcement"), lambda t: t.non_enforcement),
    (Text("已完成", "Complete"), lambda t: t.complete),
    (Text("未完成", "Incomplete"), lambda t: t.incomplete),
    (Text("已放弃", "Abandoned"), lambda t: t.abandoned),
    (Text("进行中", "Open"), lambda t: t.open),
    (Text("预警", "Warnings"), lambda t: t.warned),
    (Text("共同执法", "As co-officer"), lambda t: t.as_co_officer),
    (Text("时长（分钟）", "Minutes"), lambda t: t.minutes),
)


def tally_name(group: str, key: str, profile: Profile | None, lang: Lang,
               officer_names: Mapping[str, str] | None = None) -> str:
    """The name of a tally's key in ``lang``; the id itself when the profile does not know it."""
    if group == "department":
        return department_name(profile, key, lang) or key
    if group == "kind":
        return kind_name(profile, key, lang) or key
    name = officer_name(profile, key, officer_names)
    return f"{name}（{key}）" if name else key


def totals_table(totals: LogTotals, profile: Profile | None, lang: Lang,
                 officer_names: Mapping[str, str] | None = None) -> list[tuple[str, list[str]]]:
    """The totals as lines of text cells for a table: (group title, cells) per line, a
    group's heading line first; the first line is the whole log."""
    lines: list[tuple[str, list[str]]] = [
        ("", [Text("合计", "All visits").render(lang),
              *(str(cell(totals.overall)) for _, cell in TALLY_COLUMNS)])]
    for group, tallies in totals.groups():
        title = GROUP_TITLES[group].render(lang)
        for tally in tallies.values():
            lines.append((title, [tally_name(group, tally.key, profile, lang, officer_names),
                                  *(str(cell(tally)) for _, cell in TALLY_COLUMNS)]))
    return lines
