"""Request and response bodies of the HTTP API.

These are the wire format only: handlers turn them into domain values and store records, so
neither a table row nor a domain object is ever also an API schema. Request models refuse
unknown fields, and strings that PostgreSQL could not store (NUL) fail here, as a 422.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
)

from seatflow.pipeline.rollout_gate import CheckStatus, Comparison, Verdict

__all__ = [
    "AssignIn",
    "AssignmentOut",
    "AssignConflictOut",
    "AvailabilityOut",
    "BookingClosedOut",
    "BookingIn",
    "BookingOut",
    "BookingPatch",
    "BlockIn",
    "BlockOut",
    "BlockedOut",
    "BlocksOut",
    "CheckOut",
    "ErrorOut",
    "EventOut",
    "FloorRefusedOut",
    "InvalidDocumentOut",
    "MoveOut",
    "NoTableFreeOut",
    "GateOut",
    "GuestIn",
    "HistoryOut",
    "NoAvailabilityOut",
    "ServiceRefusedOut",
    "PipelineOut",
    "ProblemOut",
    "ReviewItemOut",
    "RestaurantGateOut",
    "ReviewOut",
    "WalkInIn",
    "RolloutOut",
    "StrandedOut",
    "UndoRefusedOut",
]


def _iso_with_offset(value: object) -> datetime:
    """Only an ISO-8601 string with a UTC offset: no epoch numbers, no naive local times."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 timestamp string with a UTC offset")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("not an ISO-8601 timestamp") from None
    if parsed.tzinfo is None:
        raise ValueError("needs a UTC offset, e.g. 2026-12-05T19:00:00+01:00 or …Z")
    try:
        parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None
    return parsed


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_with_offset)]
Text = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
PartySize = Annotated[StrictInt, Field(ge=1, description="Guests; at most the floor's largest.")]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class GuestIn(_Request):
    """Contact details: stored with the booking, never written to events or logs."""

    name: Text | None = None
    phone: Annotated[str, Field(max_length=50), AfterValidator(_no_nul)] | None = None
    email: Annotated[str, Field(max_length=320), AfterValidator(_no_nul)] | None = None


class BookingIn(_Request):
    party_size: PartySize
    start_at: IsoDateTime
    zone_preference: Text | None = None
    guest: GuestIn | None = None


class BookingPatch(_Request):
    """A new time and/or party (re-checked and re-assigned), or — on its own — `pinned`."""

    party_size: PartySize | None = None
    start_at: IsoDateTime | None = None
    pinned: StrictBool | None = Field(
        default=None,
        description="Staff placed it by hand: re-packing never moves a pinned booking. "
        "Give it alone, without party_size or start_at.",
    )


class WalkInIn(_Request):
    """Guests at the door, to be seated now."""

    party_size: PartySize
    zone_preference: Text | None = None


class BlockIn(_Request):
    """The table is out of use over [from, until)."""

    start: IsoDateTime = Field(alias="from")
    until: IsoDateTime
    reason: Text | None = None


class AssignIn(_Request):
    tables: Annotated[list[Text], Field(min_length=1, max_length=8)]


class HistoryOut(BaseModel):
    from_state: str
    to_state: str
    version: int
    reason: str | None
    actor: str
    at: datetime


class AssignmentOut(BaseModel):
    """What an inline run (`?wait_ms=`) decided, when it decided within the wait."""

    pipeline: str
    outcome: str
    reason: str | None


class MoveOut(BaseModel):
    """One change of a placed booking's tables: who or what moved it, and why."""

    from_tables: list[str] = Field(serialization_alias="from")
    to_tables: list[str] = Field(serialization_alias="to")
    actor: str | None
    reason: str | None
    at: datetime


class BookingOut(BaseModel):
    id: UUID
    restaurant: str
    status: str
    party_size: int
    start_at: datetime
    end_at: datetime = Field(description="End of the occupancy window, buffer included.")
    zone_preference: str | None
    tables: list[str]
    assignment_state: str
    assignment_strategy: str | None
    review_reason: str | None
    created_at: datetime
    history: list[HistoryOut]
    assignment: AssignmentOut | None = None
    source: str = Field(default="online", description="online, phone or walk_in.")
    seated_at: datetime | None = None
    left_at: datetime | None = None
    pinned: bool = False
    moves: list[MoveOut] = Field(
        default_factory=list, description="Every change of its tables once placed, oldest first."
    )


class ErrorOut(BaseModel):
    error: str
    field: str | None
    detail: str


class ProblemOut(BaseModel):
    field: str
    detail: str


class InvalidDocumentOut(ErrorOut):
    """`field` and `detail` are the first problem; `errors` lists every one."""

    errors: list[ProblemOut] = Field(
        description="Every problem of the document, each with its path."
    )


class StrandedOut(BaseModel):
    id: UUID
    ref: str | None
    start_at: datetime
    party_size: int
    tables: list[str]
    reason: str = Field(description="Why the new floor cannot seat it on these tables.")


class FloorRefusedOut(ErrorOut):
    """409 `floor_change_strands_bookings`: nothing was changed."""

    error: Literal["floor_change_strands_bookings"]
    bookings: list[StrandedOut] = Field(
        description="Live bookings the new floor would leave on tables that cannot seat them."
    )


class NoAvailabilityOut(ErrorOut):
    """409 `no_availability`: the floor cannot seat the party then; nothing was written."""

    error: Literal["no_availability"]
    alternatives: list[datetime] = Field(description="Up to three nearby start times that fit.")


class ServiceRefusedOut(ErrorOut):
    """409 of the restaurant's service rules, nothing written: `outside_service_hours` (no
    service period seats then), `closed` (a closure's date), `pacing` (the kitchen's slot is
    full of covers or parties)."""

    error: Literal["outside_service_hours", "closed", "pacing"]
    alternatives: list[datetime] = Field(
        description="Up to three nearby start times the rules, pacing and the floor accept."
    )


class BookingClosedOut(ErrorOut):
    """409 `booking_closed`: the booking was cancelled or has ended (seated, completed, no-show);
    it can no longer change. No alternatives."""

    error: Literal["booking_closed"]


class AssignConflictOut(ErrorOut):
    """409 of a manual assignment, nothing changed: `booking_closed` (cancelled or ended),
    `assignment_in_progress` (a dead worker's leftover: requeue it first), `tables_taken`
    (another booking holds or owns one of the tables then), `conflict` (the hold expired before
    it was confirmed: try again), `outside_service_hours` / `closed` (the service rules do not
    seat anyone at the booking's start). No alternatives."""

    error: Literal[
        "booking_closed",
        "assignment_in_progress",
        "tables_taken",
        "conflict",
        "outside_service_hours",
        "closed",
    ]


class NoTableFreeOut(ErrorOut):
    """409 of the door (arrive, walk-in): nobody could be seated now. `no_table_free` with
    `earliest` (when a fitting table frees, null if not before service ends), or
    `outside_service_hours` / `closed` (earliest null)."""

    error: Literal["no_table_free", "outside_service_hours", "closed"]
    earliest: datetime | None


class UndoRefusedOut(ErrorOut):
    """409 of taking a no-show back, nothing changed: `not_no_show` (the booking is not a
    no-show), `tables_taken` (its tables were given to someone else meanwhile), `grace_over`
    (past the grace period the sweep would release it again: use arrive)."""

    error: Literal["not_no_show", "tables_taken", "grace_over"]


class BlockOut(BaseModel):
    id: UUID
    table: str
    start: datetime = Field(serialization_alias="from")
    until: datetime
    reason: str | None
    created_at: datetime


class BlockedOut(BaseModel):
    block: BlockOut
    displaced: list[UUID] = Field(
        description="Bookings not yet seated that were on the table then: handed back to be "
        "assigned elsewhere (or sent to review)."
    )


class BlocksOut(BaseModel):
    restaurant: str
    blocks: list[BlockOut]


class AvailabilityOut(BaseModel):
    restaurant: str
    date: date
    timezone: str
    party_size: int
    times: list[datetime]


class ReviewItemOut(BaseModel):
    id: UUID
    party_size: int
    start_at: datetime
    end_at: datetime
    zone_preference: str | None
    review_reason: str | None
    since: datetime


class ReviewOut(BaseModel):
    restaurant: str
    bookings: list[ReviewItemOut]


class EventOut(BaseModel):
    id: int
    created_at: datetime
    source: str
    event_type: str
    severity: str
    booking_id: UUID | None
    restaurant_id: UUID | None
    context: dict[str, Any]


class PipelineOut(BaseModel):
    confirmed: int
    manual_review: int
    errors: int
    success_rate: float | None
    review_rate: float | None
    retries: dict[str, int]
    noops: dict[str, int]


class CheckOut(BaseModel):
    """One gate check: passes when `figure <comparison> threshold`; judged from `min_sample`."""

    name: str
    label: str
    figure: float | None
    comparison: Comparison
    threshold: float
    is_rate: bool
    sample: int
    sample_unit: str
    min_sample: int
    status: CheckStatus


class GateOut(BaseModel):
    verdict: Verdict
    go: bool
    reasons: list[str]
    checks: list[CheckOut]


class RestaurantGateOut(GateOut):
    restaurant: str
    shadow: dict[str, int]


class RolloutOut(BaseModel):
    since: datetime
    restaurant: str | None
    include_simulated: bool
    pipelines: dict[str, PipelineOut]
    shadow: dict[str, int]
    lock_contention: int
    gate: GateOut
    restaurants: list[RestaurantGateOut]
