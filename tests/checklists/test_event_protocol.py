"""The engine reads the ledger's own event objects, not only the tests' fakes."""

from __future__ import annotations

from inspector_app.checklists import LedgerEvent
from inspector_protocol.envelope import SignedEvent
from tests.checklists.helpers import FakeEvent


def as_checklist_event(event: SignedEvent | FakeEvent) -> LedgerEvent:
    """Type-checked by mypy: both shapes satisfy the protocol the engine declares."""
    return event


def test_fake_events_have_the_ledger_shape() -> None:
    fake = FakeEvent("e1", 1, "visit.checklist_answer", "37142320001", 0, {"visit": "v"})
    assert as_checklist_event(fake) is fake
    for name in ("id", "seq", "type", "officer", "wall_ms", "body"):
        assert hasattr(SignedEvent, name)
