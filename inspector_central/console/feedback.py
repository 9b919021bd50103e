"""What the enterprises said: each anonymous rating and each complaint, for the oversight
office alone.

A department account is answered "not found" for every page here, including complaints
about its own department: the enterprise complains to the oversight office, not to the
department complained about (:attr:`Scope.can_see_ratings`).  Moving a complaint on is
recorded twice: in the complaint's own history, which the complainant follows by its
tracking number, and in the console's audit log.
"""

from __future__ import annotations

from pydantic import BaseModel

from inspector_central.console.audit import audit
from inspector_central.console.scope import Scope
from inspector_central.console.views import NotFound, Period, period_bounds
from inspector_central.enterprise import complaints as c
from inspector_central.enterprise.ratings import ratings_for_oversight
from inspector_central.storage import Database
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

MAX_NOTE = 2000


class RatingRow(BaseModel):
    visit_id: str
    enterprise: str | None
    department: str | None
    officer: str | None
    checked_in_ms: int | None
    #: The enterprise's anonymous rating from its phone (None: not rated there).
    anonymous_score: int | None
    anonymous_comment: str | None
    anonymous_rated_ms: int | None
    anonymous_changes: int
    #: The rating given on the tablet in front of the officer: a different number.
    tablet_score: int | None
    tablet_comment: str | None


class RatingsPage(BaseModel):
    period: Period
    start_ms: int
    end_ms: int
    department: str | None
    items: list[RatingRow]


class ComplaintRow(BaseModel):
    number: str
    visit_id: str
    enterprise: str
    department: str | None
    category: str
    state: str
    created_ms: int
    updated_ms: int


class ComplaintsPage(BaseModel):
    state: str | None
    #: How many complaints are in each state (all of them, whatever the filter).
    counts: dict[str, int]
    items: list[ComplaintRow]


class ComplaintStep(BaseModel):
    at_ms: int
    actor: str
    from_state: str | None
    to_state: str
    note: str | None


class ComplaintDetail(ComplaintRow):
    body: str
    contact: str | None
    has_photo: bool
    history: list[ComplaintStep]
    #: The states it may move to next.
    next_states: list[str]


def _oversight_only(scope: Scope, what: str) -> None:
    if not scope.can_see_ratings:
        raise NotFound(what)


def ratings_page(database: Database, scope: Scope, period: Period, now_ms: int,
                 department: str | None = None) -> RatingsPage:
    """Every rating of visits in the period, newest visit first."""
    _oversight_only(scope, "ratings")
    start, end = period_bounds(period, now_ms)
    with database.transaction(write=False) as tx:
        found = ratings_for_oversight(tx, department, start, end)
    return RatingsPage(period=period, start_ms=start, end_ms=end, department=department, items=[RatingRow(
        visit_id=r.visit_id, enterprise=r.enterprise, department=r.department, officer=r.officer,
        checked_in_ms=r.checked_in_ms, anonymous_score=r.score, anonymous_comment=r.comment,
        anonymous_rated_ms=r.rated_ms, anonymous_changes=r.changes, tablet_score=r.tablet_score,
        tablet_comment=r.tablet_comment) for r in reversed(found)])


def _row(found: c.Complaint) -> ComplaintRow:
    return ComplaintRow(number=found.number, visit_id=found.visit_id, enterprise=found.enterprise,
                        department=found.department, category=found.category, state=found.state,
                        created_ms=found.created_ms, updated_ms=found.updated_ms)


def complaints_page(database: Database, scope: Scope, state: str | None = None) -> ComplaintsPage:
    _oversight_only(scope, "complaints")
    if state is not None and state not in c.STATES:
        state = None
    with database.transaction(write=False) as tx:
        every = c.complaints_for_oversight(tx)
    counts = {name: sum(1 for x in every if x.state == name) for name in c.STATES}
    return ComplaintsPage(state=state, counts=counts, items=[
        _row(x) for x in every if state is None or x.state == state])


def complaint_detail(database: Database, scope: Scope, number: str) -> ComplaintDetail:
    _oversight_only(scope, "complaint")
    with database.transaction(write=False) as tx:
        found = c.complaint(tx, number)
        if found is None:
            raise NotFound(number)
        history = c.complaint_history(tx, number)
    return ComplaintDetail(
        **_row(found).model_dump(), body=found.body, contact=found.contact,
        has_photo=found.has_photo, next_states=list(c.TRANSITIONS.get(found.state, ())),
        history=[ComplaintStep(at_ms=e.at_ms, actor=e.actor, from_state=e.from_state,
                               to_state=e.to_state, note=e.note) for e in history])


def complaint_photo(database: Database, scope: Scope, number: str) -> bytes:
    _oversight_only(scope, "complaint")
    with database.transaction(write=False) as tx:
        photo = c.complaint_photo(tx, number)
    if photo is None:
        raise NotFound(number)
    return photo


def handle(database: Database, scope: Scope, number: str, new_state: str, note: str,
           address: str, *, now_ms: int) -> ComplaintDetail:
    """The oversight office moves a complaint on, with a note saying why (audited)."""
    _oversight_only(scope, "complaint")
    text = note.strip()
    if not text or len(text) > MAX_NOTE:
        raise UserError(Text("请填写处理说明（最多 {n} 字）。",
                             "Write a note on the decision (at most {n} characters).")
                        .format(n=MAX_NOTE), code="complaint.note")
    with database.transaction() as tx:
        before = c.complaint(tx, number)
        if before is None:
            raise NotFound(number)
        c.handle_complaint(tx, number, scope.name, new_state, text, now_ms=now_ms)
        audit(tx, now_ms, scope.name, "complaint_handled", number, address,
              from_state=before.state, to_state=new_state, note=text)
    return complaint_detail(database, scope, number)
