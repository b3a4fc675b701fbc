"""The documented error answers of each route, so the OpenAPI schema says what a route really
returns: a 409 is listed only where it can happen, with the body it has there (`alternatives`
only on the refusals of a request: `no_availability` and the service rules')."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from seatflow.api.idempotency import REPLAYED_HEADER
from seatflow.api.schemas import (
    AssignConflictOut,
    BookingClosedOut,
    ErrorOut,
    NoAvailabilityOut,
    NoTableFreeOut,
    ServiceRefusedOut,
    UndoRefusedOut,
)

__all__ = [
    "ASSIGN_RESPONSES",
    "CANCEL_RESPONSES",
    "CREATE_RESPONSES",
    "MODIFY_RESPONSES",
    "AVAILABILITY_RESPONSES",
    "READ_RESPONSES",
    "REQUEUE_RESPONSES",
    "ARRIVE_RESPONSES",
    "BLOCK_RESPONSES",
    "DEPART_RESPONSES",
    "UNDO_NO_SHOW_RESPONSES",
    "WALK_IN_RESPONSES",
]

Responses = dict[int | str, dict[str, Any]]

#: Routes of one restaurant: no key or a bad one, no such restaurant or booking, bad input.
READ_RESPONSES: Responses = {
    401: {"model": ErrorOut, "description": "No API key, or an unknown or revoked one."},
    404: {"model": ErrorOut, "description": "No such restaurant or booking (for this key)."},
    422: {"model": ErrorOut, "description": "Bad input; `field` names what to fix."},
}

#: The expensive calls (create, modify, availability): each key has SEATFLOW_KEY_CONCURRENCY.
_THROTTLED = {
    "model": ErrorOut,
    "description": "`too_many_requests`: too many creates, modifications or availability "
    "searches in flight for this API key; retry after `Retry-After` seconds.",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
}

_CLOSED = {
    "model": BookingClosedOut,
    "description": "`booking_closed`: the booking was cancelled or has ended.",
}

CREATE_RESPONSES: Responses = {
    201: {
        "description": "Created — or, with an `Idempotency-Key` seen before, the booking that "
        "key created, as it stands now.",
        "headers": {
            REPLAYED_HEADER: {
                "description": "With an `Idempotency-Key`: `true` when the booking was made by "
                "an earlier request with this key and body, `false` when by this one.",
                "schema": {"type": "string", "enum": ["true", "false"]},
            }
        },
    },
    **READ_RESPONSES,
    409: {
        "model": Annotated[NoAvailabilityOut | ServiceRefusedOut, Field(discriminator="error")],
        "description": "Refused, nothing written; `alternatives` are nearby times that fit. "
        "`outside_service_hours`: no service period seats then. `closed`: a closure's date. "
        "`pacing`: the kitchen's slot is full. `no_availability`: no room on the floor.",
    },
    429: _THROTTLED,
}
MODIFY_RESPONSES: Responses = {
    **READ_RESPONSES,
    409: {
        "model": Annotated[
            NoAvailabilityOut | ServiceRefusedOut | BookingClosedOut, Field(discriminator="error")
        ],
        "description": "`no_availability` (with `alternatives`): no room for the new time or "
        "party. `outside_service_hours`, `closed`, `pacing` (with `alternatives`): the service "
        "rules refuse the new time or party. `booking_closed` (no alternatives): the booking was "
        "cancelled or has ended.",
    },
    429: _THROTTLED,
}
AVAILABILITY_RESPONSES: Responses = {**READ_RESPONSES, 429: _THROTTLED}
CANCEL_RESPONSES: Responses = {**READ_RESPONSES, 409: _CLOSED}
REQUEUE_RESPONSES: Responses = {**READ_RESPONSES, 409: _CLOSED}
ASSIGN_RESPONSES: Responses = {
    **READ_RESPONSES,
    409: {
        "model": AssignConflictOut,
        "description": "The booking or the tables do not allow it now; nothing changed.",
    },
}

_DOOR = {
    "model": NoTableFreeOut,
    "description": "Nobody can be seated now: `no_table_free` with `earliest` (when a fitting "
    "table frees, null if not before service ends), `outside_service_hours` or `closed`.",
}
ARRIVE_RESPONSES: Responses = {
    **READ_RESPONSES,
    409: {
        "model": Annotated[NoTableFreeOut | BookingClosedOut, Field(discriminator="error")],
        "description": "`no_table_free` (with `earliest`; the guests are counted as displaced), "
        "`outside_service_hours`, `closed`; or `booking_closed`: already seated, completed or "
        "cancelled.",
    },
}
WALK_IN_RESPONSES: Responses = {
    201: {"description": "Seated now: the walk-in's booking, status `seated`."},
    **READ_RESPONSES,
    409: _DOOR,
}
DEPART_RESPONSES: Responses = {
    **READ_RESPONSES,
    409: {**_CLOSED, "description": "`booking_closed`: the guests are not seated."},
}
UNDO_NO_SHOW_RESPONSES: Responses = {
    **READ_RESPONSES,
    409: {"model": UndoRefusedOut, "description": "The no-show stands; nothing changed."},
}
BLOCK_RESPONSES: Responses = {
    **READ_RESPONSES,
    404: {"model": ErrorOut, "description": "No such restaurant, table or live block."},
}
