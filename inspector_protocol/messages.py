"""Every request and reply of ``inspector-sync/1``, declared once.

The server validates requests with these models and publishes them as its
OpenAPI schema; the client validates every reply with the same models before
it looks inside.  Shape is all a model says: signatures — the reply's, a
receipt's, an acknowledgement's — are checked by code (``inspector_app.sync``),
and a reply that has the right shape but is not signed by the pinned server key
changes nothing.

Envelopes travel as JSON strings holding their exact UTF-8 bytes (smaller than
base64 and compressible); signatures as base64.  The normative description is
``docs/sync-protocol.md``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from inspector_protocol import keys
from inspector_protocol.text import Text
from inspector_protocol.wire import (
    MAX_BATCH_EVENTS,
    MAX_EVENT_BYTES,
    MAX_FEED_PAGE,
    MAX_PHOTO_BYTES,
    MAX_PHOTO_QUERY,
    NONCE_MAX_CHARS,
    NONCE_MIN_CHARS,
    PROTOCOL,
)

assert PROTOCOL == "inspector-sync/1", "the Literal types below name the protocol"

Protocol = Literal["inspector-sync/1"]
_SIG = Field(min_length=86, max_length=88, pattern=r"^[A-Za-z0-9+/]+={0,2}$")
_NONCE = Field(min_length=NONCE_MIN_CHARS, max_length=NONCE_MAX_CHARS, pattern=r"^[A-Za-z0-9_-]+$")
_ID = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
_KEY_ID = Field(pattern=r"^[0-9a-f]{16}$")
SafeInt = Annotated[int, Field(ge=0, lt=2**53)]


class WireModel(BaseModel):
    """Strict: no unknown field, no type coercion ("1" is not 1), immutable once read."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# -- errors ---------------------------------------------------------------------------


class ErrorDetail(WireModel):
    """Why: a stable code for programs, and the words for people (Chinese, English)."""

    code: str = Field(min_length=1, max_length=100)
    message: Text

    @classmethod
    def of(cls, code: str, text: Text) -> ErrorDetail:
        return cls(code=code, message=text)


class ErrorResponse(WireModel):
    """The one body of every refusal, whatever the status."""

    protocol: Protocol = "inspector-sync/1"
    error: ErrorDetail


# -- signed statements and events ----------------------------------------------------


class Signed(WireModel):
    """A server statement: canonical JSON text and the base64 Ed25519 signature over it."""

    raw: str = Field(min_length=2, max_length=4096)
    sig: str = _SIG


class WireEvent(WireModel):
    event: str = Field(min_length=2, max_length=MAX_EVENT_BYTES)
    sig: str = _SIG


# -- calls ------------------------------------------------------------------------------


class Limits(WireModel):
    max_batch_events: int
    max_event_bytes: int
    max_request_bytes: int
    max_feed_page: int


class InfoResponse(WireModel):
    protocol: Protocol = "inspector-sync/1"
    server_key_id: str = _KEY_ID
    server_public_key: str = Field(min_length=44, max_length=44)
    server_time_ms: SafeInt
    limits: Limits


class EnrolRequest(WireModel):
    code: str = Field(min_length=4, max_length=64)
    device: str = _ID
    device_public_key: str = Field(min_length=44, max_length=44)
    genesis: WireEvent
    nonce: str = _NONCE


class EnrolResponse(WireModel):
    protocol: Protocol = "inspector-sync/1"
    token: str = Field(min_length=20, max_length=200)
    enrolment: Signed


class UploadRequest(WireModel):
    device: str = _ID
    nonce: str = _NONCE
    events: list[WireEvent] = Field(max_length=MAX_BATCH_EVENTS)


Outcome = Literal["accepted", "duplicate", "conflict", "fork", "rollback", "invalid_signature",
                  "unknown_key", "malformed", "foreign_device", "foreign_visit", "revoked_officer",
                  "revoked_device"]
ACCEPTED_OUTCOMES: frozenset[str] = frozenset({"accepted", "duplicate"})


class EventResult(WireModel):
    index: int = Field(ge=0, lt=MAX_BATCH_EVENTS)
    id: str | None = Field(max_length=64)
    status: int = Field(ge=100, le=599)
    outcome: Outcome
    receipt: Signed | None = None
    error: ErrorDetail | None = None

    @model_validator(mode="after")
    def _receipt_or_reason(self) -> EventResult:
        if self.outcome in ACCEPTED_OUTCOMES:
            if self.status != 200 or self.receipt is None:
                raise ValueError("an accepted event comes with status 200 and its receipt")
        elif not 400 <= self.status < 500 or self.error is None:
            raise ValueError("a refused event comes with a 4xx status and its reason")
        return self


class UploadResponse(WireModel):
    protocol: Protocol = "inspector-sync/1"
    ack: Signed
    results: list[EventResult] = Field(max_length=MAX_BATCH_EVENTS)


class SingleEventResponse(WireModel):
    protocol: Protocol = "inspector-sync/1"
    ack: Signed
    result: EventResult


class CheckpointRequest(WireModel):
    device: str = _ID
    nonce: str = _NONCE
    checkpoint: Signed


CheckpointOutcome = Literal["accepted", "ahead", "rollback", "fork", "invalid_signature",
                            "malformed"]


class CheckpointResponse(WireModel):
    protocol: Protocol = "inspector-sync/1"
    ack: Signed
    outcome: CheckpointOutcome
    accepted_seq: SafeInt
    error: ErrorDetail | None = None


FeedName = Literal["registry", "visits", "templates", "issuer_keys", "roster"]


class FeedResponse(WireModel):
    """One page of a feed; each item is then read by its feed's model below."""

    protocol: Protocol = "inspector-sync/1"
    feed: FeedName
    items: list[dict[str, Any]] = Field(max_length=MAX_FEED_PAGE)
    next_cursor: str = Field(min_length=1, max_length=512)
    more: bool


# -- feed items -------------------------------------------------------------------------


def _uscc(value: str) -> str:
    from inspector_protocol.uscc import InvalidUSCC, parse_uscc

    try:
        return parse_uscc(value).value
    except InvalidUSCC as exc:
        raise ValueError(exc.text.render("en")) from None


USCCField = Annotated[str, Field(max_length=40), AfterValidator(_uscc)]


class RegistryEntry(WireModel):
    """An enterprise of the registry feed; ``deleted`` withdraws it from the tablets."""

    uscc: USCCField
    name: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    industry: str | None = Field(default=None, max_length=500)
    deleted: bool = False


class VisitSummary(WireModel):
    """A visit recorded by any tablet, for the offline frequency warning."""

    visit_id: str = Field(min_length=1, max_length=64)
    enterprise: USCCField
    department: str = Field(min_length=1, max_length=64)
    kind: str = Field(min_length=1, max_length=64)
    enforcement: bool
    checked_in_ms: SafeInt
    duration_s: SafeInt | None
    state: str = Field(min_length=1, max_length=32)


class IssuerKeyEntry(WireModel):
    """A key that signs enterprise QR posters; revoked keys stay in the feed, marked."""

    key_id: str = _KEY_ID
    public_key: str = Field(min_length=44, max_length=44)
    revoked: bool = False

    @model_validator(mode="after")
    def _id_names_the_key(self) -> IssuerKeyEntry:
        if keys.key_id(self.raw_public_key()) != self.key_id:
            raise ValueError("key_id does not match the public key")
        return self

    def raw_public_key(self) -> bytes:
        try:
            raw = keys.b64decode(self.public_key)
        except ValueError:
            raise ValueError("public_key is not base64") from None
        if len(raw) != 32:
            raise ValueError("an Ed25519 public key has 32 bytes")
        return raw


class RosterEntry(WireModel):
    """An officer as the department's roster has them; a withdrawn one is not signed in."""

    credential: str = Field(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=64)
    department: str | None = Field(default=None, max_length=64)
    state: Literal["active", "withdrawn"]
    withdrawn_ms: SafeInt | None = None


#: The model of each feed's items (``templates`` are checklist template documents,
#: read by the checklist template schema instead).
FEED_ITEMS: dict[str, type[WireModel]] = {
    "registry": RegistryEntry, "visits": VisitSummary, "issuer_keys": IssuerKeyEntry,
    "roster": RosterEntry,
}

# -- photos -----------------------------------------------------------------------------

PhotoSha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
#: ``complete``: held whole and verified against the signed hash (never sent again, by
#: any device); ``partial``: ``held_bytes`` are held, continue from there; ``absent``:
#: nothing held yet; ``unannounced``: no accepted event of this device names the hash.
PhotoStateName = Literal["complete", "partial", "absent", "unannounced"]


class PhotoQueryRequest(WireModel):
    """Which of these photos does the centre hold, and how much of each?"""

    device: str = _ID
    nonce: str = _NONCE
    photos: list[PhotoSha256] = Field(min_length=1, max_length=MAX_PHOTO_QUERY)


class PhotoState(WireModel):
    """What the centre holds of one photo.  ``size`` is the size the upload is held to
    (declared by the announcing event, or by the first chunk), None when nothing is held
    and no event declared one."""

    sha256: PhotoSha256
    state: PhotoStateName
    held_bytes: int = Field(ge=0, le=MAX_PHOTO_BYTES)
    size: int | None = Field(default=None, ge=1, le=MAX_PHOTO_BYTES)

    @model_validator(mode="after")
    def _consistent(self) -> PhotoState:
        if self.size is not None and self.held_bytes > self.size:
            raise ValueError("held_bytes beyond the photo's size")
        if self.state == "complete" and (self.size is None or self.held_bytes != self.size):
            raise ValueError("a complete photo holds exactly its size")
        if self.state in ("absent", "unannounced") and self.held_bytes != 0:
            raise ValueError("nothing is held of an absent photo")
        return self


class PhotoQueryResponse(WireModel):
    protocol: Protocol = "inspector-sync/1"
    ack: Signed
    photos: list[PhotoState] = Field(max_length=MAX_PHOTO_QUERY)


class PhotoChunkResponse(WireModel):
    """The answer to a chunk: what is held now.  ``error`` says why the chunk was not
    taken (``photo.offset``: continue from ``photo.held_bytes``; others: a refusal)."""

    protocol: Protocol = "inspector-sync/1"
    ack: Signed
    photo: PhotoState
    error: ErrorDetail | None = None


#: Every model of the protocol, for the published schema and the tests.
ALL_MODELS: tuple[type[WireModel], ...] = (
    ErrorDetail, ErrorResponse, Signed, WireEvent, Limits, InfoResponse, EnrolRequest,
    EnrolResponse, UploadRequest, EventResult, UploadResponse, SingleEventResponse,
    CheckpointRequest, CheckpointResponse, FeedResponse, RegistryEntry, VisitSummary,
    IssuerKeyEntry, RosterEntry, PhotoQueryRequest, PhotoState, PhotoQueryResponse,
    PhotoChunkResponse,
)


# -- the gate look-up -------------------------------------------------------------------

#: At most this many visits in a gate look-up's answer, newest first (the frequency rule
#: needs the last few; an enterprise under a campaign must not make the answer unbounded).
MAX_RECENT_VISITS = 100


class RecentVisitsResponse(WireModel):
    """An enterprise's recent visits from every tablet and department, asked at the gate
    (``GET /v1/enterprises/{uscc}/recent-visits``), newest first."""

    protocol: Protocol = "inspector-sync/1"
    enterprise: USCCField
    days: int = Field(ge=1, le=366)
    server_time_ms: SafeInt
    visits: list[VisitSummary] = Field(max_length=MAX_RECENT_VISITS)
    #: More visits were in the window than the answer holds (the oldest were left out).
    more: bool


ALL_MODELS = (*ALL_MODELS, RecentVisitsResponse)
