"""Who may see what: the one authorisation decision every console page and JSON endpoint asks.

The oversight office sees everything.  A department account sees only its own
department's visits, officers and warnings, and never an individual rating or a
complaint (:attr:`Scope.can_see_ratings`): the enterprise rates anonymously and
complains to the oversight office, not to the department complained about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["oversight", "department"]
ROLES: tuple[Role, ...] = ("oversight", "department")


@dataclass(frozen=True)
class Scope:
    user_id: int
    name: str
    role: Role
    department: str | None
    #: The session's anti-forgery token, for forms and the htmx header.
    csrf: str = ""

    @property
    def is_oversight(self) -> bool:
        return self.role == "oversight"

    def can_see_department(self, department: str) -> bool:
        return self.is_oversight or department == self.department

    @property
    def can_see_ratings(self) -> bool:
        """Individual ratings and complaints: the oversight office only."""
        return self.is_oversight

    @property
    def can_close_warnings(self) -> bool:
        return self.is_oversight

    def can_justify(self, warning_department: str) -> bool:
        return self.role == "department" and warning_department == self.department

    def department_condition(self, column: str) -> tuple[str, list[Any]]:
        """A SQL condition limiting ``column`` to what this account may see."""
        if self.is_oversight:
            return "1 = 1", []
        return f"{column} = ?", [self.department]
