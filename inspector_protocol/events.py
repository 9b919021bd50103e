"""The vocabulary of the ledger: event types and the shape every event has.

A visit is nothing but a sequence of these events (BRIEF §5); its state is
derived, never stored.  The domain reads events through :class:`LedgerEvent`
so it does not depend on how the ledger stores or signs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

LEDGER_CREATED = "ledger.created"
PROFILE_INSTALLED = "profile.installed"
OFFICER_ENROLLED = "officer.enrolled"
CHECKED_IN = "visit.checked_in"
CO_SIGNED = "visit.co_signed"
DEPARTMENT_ADDED = "visit.department_added"
CHECKLIST_ANSWER = "visit.checklist_answer"
NOTE = "visit.note"
PHOTO = "visit.photo"
RECTIFICATION = "visit.rectification"
CHECKED_OUT = "visit.checked_out"
ABANDONED = "visit.abandoned"
RATED = "visit.rated"
CORRECTED = "visit.corrected"

VISIT_EVENT_TYPES = frozenset(
    {CHECKED_IN, CO_SIGNED, DEPARTMENT_ADDED, CHECKLIST_ANSWER, NOTE, PHOTO, RECTIFICATION,
     CHECKED_OUT, ABANDONED, RATED, CORRECTED}
)
ALL_EVENT_TYPES = VISIT_EVENT_TYPES | {LEDGER_CREATED, PROFILE_INSTALLED, OFFICER_ENROLLED}


class ClockReading(Protocol):
    """The three clocks read together (the tablet's ``clock.TimeReading``)."""

    @property
    def wall_ms(self) -> int: ...
    @property
    def boot_ns(self) -> int: ...
    @property
    def boot_id(self) -> str: ...


@dataclass(frozen=True)
class TimeEvidence:
    """The clocks at the moment of an event, plus the last server time anchor.

    ``anchor`` is the server's signed time and the boot-counter reading when it
    was received; with it, a time on this boot can be placed on the server's
    clock however wrong the tablet's wall clock is.
    """

    wall_ms: int
    boot_ns: int
    boot_id: str
    anchor: TimeAnchor | None = None

    @classmethod
    def from_reading(cls, reading: ClockReading, anchor: TimeAnchor | None) -> TimeEvidence:
        return cls(reading.wall_ms, reading.boot_ns, reading.boot_id, anchor)

    def to_json(self) -> dict[str, Any]:
        return {
            "wall_ms": self.wall_ms,
            "boot_ns": self.boot_ns,
            "boot_id": self.boot_id,
            "anchor": None if self.anchor is None else self.anchor.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TimeEvidence:
        anchor = data.get("anchor")
        return cls(
            int(data["wall_ms"]), int(data["boot_ns"]), str(data["boot_id"]),
            None if anchor is None else TimeAnchor.from_json(anchor),
        )


@dataclass(frozen=True)
class TimeAnchor:
    server_ms: int
    boot_ns: int
    boot_id: str

    def to_json(self) -> dict[str, Any]:
        return {"server_ms": self.server_ms, "boot_ns": self.boot_ns, "boot_id": self.boot_id}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TimeAnchor:
        return cls(int(data["server_ms"]), int(data["boot_ns"]), str(data["boot_id"]))


class LedgerEvent(Protocol):
    """What the domain needs of a stored event."""

    @property
    def id(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def officer(self) -> str | None: ...
    @property
    def wall_ms(self) -> int: ...
    @property
    def time(self) -> TimeEvidence: ...
    @property
    def body(self) -> dict[str, Any]: ...
