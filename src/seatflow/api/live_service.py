"""The live service behind the HTTP routes: guests arriving, leaving, never coming; walk-ins;
staff pinning a booking.

Each write is one transaction through the pipeline's own functions (`pipeline.seating`,
`pipeline.departures`) — the same ones a simulated day runs — on the booking's row lock. State
and floor events are emitted only after the commit. A door that cannot seat anyone answers 409
with the reason and, when a fitting table frees later, `earliest`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from uuid import UUID

from seatflow.api.auth import Scope, owned_booking
from seatflow.api.bookings import ensure_open, reloaded_view
from seatflow.api.errors import ApiError
from seatflow.api.schemas import BookingOut, WalkInIn
from seatflow.api.state import ApiState
from seatflow.api.validation import check_party, check_zone
from seatflow.api.views import booking_view
from seatflow.domain.states import BookingStatus
from seatflow.errors import SeatingRefused, TablesTaken, VersionConflict
from seatflow.pipeline.departures import (
    EXPECTED_GUESTS,
    depart,
    mark_no_show,
    requeue_waiting,
)
from seatflow.pipeline.event_types import FloorEventType
from seatflow.pipeline.flags import Route
from seatflow.pipeline.floor_events import floor_event
from seatflow.pipeline.handback import back_to_pending
from seatflow.pipeline.seating import NO_TABLE_FREE, Seated, seat_arrival, seat_walk_in
from seatflow.store.bookings import BookingRecord, require_booking
from seatflow.store.database import Connection
from seatflow.store.events import Severity
from seatflow.store.live_service import change_status
from seatflow.store.moves import last_tables, set_pinned
from seatflow.store.occupancy import load_occupants
from seatflow.store.service_rules import load_rules

__all__ = [
    "NO_SHOW_UNDONE",
    "arrive",
    "depart_booking",
    "door_refusal",
    "no_show",
    "pin_booking",
    "undo_no_show",
    "walk_in",
]

#: How often a seating that lost a race to another writer (a re-pack, an assignment) is planned
#: again on the new occupancy before the conflict is answered.
DOOR_ATTEMPTS = 3
#: Reason (history, outbox) and trigger of a no-show taken back.
NO_SHOW_UNDONE = "no_show_undone"
Fx = FloorEventType


async def arrive(state: ApiState, scope: Scope, booking_id: UUID) -> BookingOut:
    """Seat the booking's guests now: its tables if free (a late party: its whole turn by a
    re-pack, else its tables until its booked end), else others, re-packing bookings not yet
    seated; nobody booked is pushed out for them."""
    now = state.clock.now()

    async def seat(conn: Connection) -> Seated:
        await owned_booking(conn, scope, booking_id, for_update=True)
        rules = await load_rules(conn, scope.floor.restaurant_id)
        return await seat_arrival(
            conn,
            scope.floor,
            rules,
            booking_id,
            now=now,
            actor=scope.principal.actor,
            repack_budget_ms=_budget(state, scope),
        )

    try:
        seated, view = await _at_the_door(state, scope, seat)
    except SeatingRefused as refused:
        if refused.reason == NO_TABLE_FREE:  # guests who came, and nothing could take them
            _emit(state, Fx.DISPLACED, scope, now, booking_id, "warning", **_refusal(refused))
        raise door_refusal(refused) from None
    state.announce(seated.transitions)
    _emit_seated(state, Fx.SEATED, scope, now, seated)
    return view


async def walk_in(state: ApiState, scope: Scope, body: WalkInIn) -> BookingOut:
    """Seat a party at the door now (never pushing a booked guest out), or 409 with when."""
    check_party(scope.floor.plan, body.party_size)
    check_zone(scope.floor.plan, body.zone_preference)
    now = state.clock.now()

    async def seat(conn: Connection) -> Seated:
        rules = await load_rules(conn, scope.floor.restaurant_id)
        return await seat_walk_in(
            conn,
            scope.floor,
            rules,
            party_size=body.party_size,
            now=now,
            actor=scope.principal.actor,
            repack_budget_ms=_budget(state, scope),
            zone_preference=body.zone_preference,
        )

    try:
        seated, view = await _at_the_door(state, scope, seat)
    except SeatingRefused as refused:
        context = {"party_size": body.party_size, **_refusal(refused)}
        _emit(state, Fx.WALK_IN_REFUSED, scope, now, None, "warning", **context)
        raise door_refusal(refused) from None
    state.announce(seated.transitions)
    _emit_seated(state, Fx.WALK_IN_SEATED, scope, now, seated)
    return view


async def depart_booking(state: ApiState, scope: Scope, booking_id: UUID) -> BookingOut:
    """The seated guests left: `completed`, tables free from now plus the buffer; reservations
    still waiting for tables get another assignment run (trigger `departure`)."""
    now = state.clock.now()
    async with state.pool.connection() as conn, conn.transaction():
        await owned_booking(conn, scope, booking_id, for_update=True)
        record = await depart(conn, scope.floor, booking_id, now=now)
        queued = await requeue_waiting(
            conn,
            scope.floor.restaurant_id,
            now=now,
            queue=state.queue,
            actor=scope.principal.actor,
        )
        view = await booking_view(conn, record, scope.slug)
    _emit(state, Fx.DEPARTED, scope, now, booking_id, seated_at=record.seated_at, requeued=queued)
    return view


async def no_show(state: ApiState, scope: Scope, booking_id: UUID) -> BookingOut:
    """Staff say the guests will not come: `no_show`, tables released at once. Marking a no-show
    again is a no-op; a seated, completed or cancelled booking is closed (409)."""
    now = state.clock.now()
    async with state.pool.connection() as conn, conn.transaction():
        booking = await owned_booking(conn, scope, booking_id, for_update=True)
        if booking.status is BookingStatus.NO_SHOW:
            return await booking_view(conn, booking, scope.slug)
        if booking.status not in EXPECTED_GUESTS:
            ensure_open(booking)
        record = await mark_no_show(conn, booking_id, now=now, reason="marked_by_staff")
        assert record is not None  # row-locked above, and still expected
        view = await booking_view(conn, record, scope.slug)
    _emit(state, Fx.NO_SHOW, scope, now, booking_id, reason="marked_by_staff", by="staff")
    return view


async def undo_no_show(
    state: ApiState, scope: Scope, booking_id: UUID, wait_ms: int | None
) -> BookingOut:
    """Take a no-show back while the tables it last had are still free: the booking returns to
    pending and is assigned again by the pipeline (trigger `no_show_undone`)."""
    now = state.clock.now()
    async with state.pool.connection() as conn, conn.transaction():
        booking = await owned_booking(conn, scope, booking_id, for_update=True)
        await _check_undoable(conn, scope, booking, now)
        await change_status(
            conn,
            booking_id,
            BookingStatus.PENDING,
            expected=(BookingStatus.NO_SHOW,),
            at=now,
            reason=NO_SHOW_UNDONE,
        )
        booking = await require_booking(conn, booking_id)
        steps = await back_to_pending(
            conn, booking, now, actor=scope.principal.actor, why=NO_SHOW_UNDONE
        )
        await state.queue.enqueue(conn, booking_id, NO_SHOW_UNDONE)
        committed = await booking_view(conn, steps[-1].booking if steps else booking, scope.slug)
    state.announce(steps)
    return await reloaded_view(state, scope, committed, NO_SHOW_UNDONE, wait_ms)


async def pin_booking(state: ApiState, scope: Scope, booking_id: UUID, pinned: bool) -> BookingOut:
    """Staff placed it by hand (or let it go): re-packing never moves a pinned booking."""
    now = state.clock.now()
    async with state.pool.connection() as conn, conn.transaction():
        ensure_open(await owned_booking(conn, scope, booking_id, for_update=True))
        await set_pinned(conn, booking_id, pinned=pinned)
        view = await booking_view(conn, await require_booking(conn, booking_id), scope.slug)
    _emit(state, Fx.PINNED, scope, now, booking_id, pinned=pinned, tables=view.tables)
    return view


def door_refusal(refused: SeatingRefused) -> ApiError:
    """409 with the refusal's reason as the error code, and `earliest` (ISO, or null)."""
    earliest = refused.earliest.isoformat() if refused.earliest else None
    return ApiError(409, refused.reason, str(refused), earliest=earliest)


async def _at_the_door(
    state: ApiState, scope: Scope, seat: Callable[[Connection], Awaitable[Seated]]
) -> tuple[Seated, BookingOut]:
    """Run `seat` in a transaction of its own, and the booking as it then stands; planned again
    on the new occupancy when another writer changed the tables between plan and write."""
    for attempt in range(1, DOOR_ATTEMPTS + 1):
        try:
            async with state.pool.connection() as conn, conn.transaction():
                seated = await seat(conn)
                record = await require_booking(conn, seated.booking.id)
                return seated, await booking_view(conn, record, scope.slug)
        except (TablesTaken, VersionConflict):
            if attempt == DOOR_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


async def _check_undoable(
    conn: Connection, scope: Scope, booking: BookingRecord, now: datetime
) -> None:
    if booking.status is not BookingStatus.NO_SHOW:
        raise ApiError(
            409, "not_no_show", f"the booking is {booking.status.value}", field="booking_id"
        )
    rules = await load_rules(conn, booking.restaurant_id)
    grace_end = booking.start_at + timedelta(minutes=rules.no_show_grace_minutes)
    if rules.restricted and now >= grace_end:
        raise ApiError(
            409,
            "grace_over",
            "past the grace period the no-show sweep releases it again: seat late guests "
            "with …/arrive, which accepts a no-show",
            field="booking_id",
        )
    tables = await last_tables(conn, booking.id)
    taken = await _taken(conn, scope, booking, tables, now)
    if taken:
        raise ApiError(
            409,
            "tables_taken",
            f"its tables are no longer free: {', '.join(taken)}",
            field="booking_id",
        )


async def _taken(
    conn: Connection, scope: Scope, booking: BookingRecord, tables: list[str], now: datetime
) -> list[str]:
    """Which of `tables` something else (a booking, a hold, a block) uses in its window."""
    if not tables:
        return []
    occupants = await load_occupants(
        conn,
        scope.floor,
        start=booking.start_at,
        end=booking.end_at,
        now=now,
        exclude_booking=booking.id,
    )
    taken = {
        table
        for occupant in occupants
        if occupant.start < booking.end_at and booking.start_at < occupant.end
        for table in occupant.tables
    }
    return sorted(taken.intersection(tables))


def _budget(state: ApiState, scope: Scope) -> int:
    """V3 may re-pack bookings not yet seated at the door; legacy seats on free tables only."""
    if state.route_for(scope.floor) is Route.V3:
        return state.settings.repack_budget_ms
    return 0


def _refusal(refused: SeatingRefused) -> dict[str, object]:
    return {"reason": refused.reason, "earliest": refused.earliest}


def _emit(
    state: ApiState,
    event_type: FloorEventType,
    scope: Scope,
    at: datetime,
    booking_id: UUID | None,
    severity: Severity = "info",
    **context: object,
) -> None:
    state.services.sink.emit(
        floor_event(
            event_type,
            at=at,
            booking_id=booking_id,
            restaurant_id=scope.floor.restaurant_id,
            severity=severity,
            **context,
        )
    )


def _emit_seated(
    state: ApiState, event_type: FloorEventType, scope: Scope, at: datetime, seated: Seated
) -> None:
    _emit(
        state,
        event_type,
        scope,
        at,
        seated.booking.id,
        tables=list(seated.tables),
        until=seated.end,
        kept=seated.kept,
        moved=[m.booking_id for m in seated.moved],
        delayed={booking_id: start.isoformat() for booking_id, start in seated.delayed.items()},
        party_size=seated.booking.party_size,
    )
