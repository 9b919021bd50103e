"""The shape of the ledger events the checklist engine reads.

Declared here as a :class:`~typing.Protocol` so the engine depends on the
event's shape, not on the ledger package: the ledger's event objects, a test's
fake and an imported archive all satisfy it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from inspector_protocol.events import CHECKED_IN as VISIT_CHECKED_IN
from inspector_protocol.events import CHECKLIST_ANSWER
from inspector_protocol.events import DEPARTMENT_ADDED as VISIT_DEPARTMENT_ADDED

__all__ = ["CHECKLIST_ANSWER", "VISIT_CHECKED_IN", "VISIT_DEPARTMENT_ADDED", "LedgerEvent"]


class LedgerEvent(Protocol):
    """The part of :class:`inspector_protocol.events.LedgerEvent` the engine reads.

    Narrower than the domain's protocol (no time evidence), so that fakes and
    imported archives need only what the checklists use.
    """

    @property
    def id(self) -> str: ...

    @property
    def seq(self) -> int: ...

    @property
    def type(self) -> str: ...

    @property
    def officer(self) -> str | None:
        """Credential number (执法证号) of the signing officer (None: a device event)."""
        ...

    @property
    def wall_ms(self) -> int: ...

    @property
    def body(self) -> Mapping[str, Any]: ...
