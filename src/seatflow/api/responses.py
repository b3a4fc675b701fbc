"""The documented error answers of each route, so the OpenAPI schema says what a route really
returns: a 409 is listed only where it can happen, with the body it has there (`alternatives`
only on `no_availability`)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from seatflow.api.idempotency import REPLAYED_HEADER
from seatflow.api.schemas import (
    AssignConflictOut,
    BookingClosedOut,
    ErrorOut,
    NoAvailabilityOut,
)

__all__ = [
    "ASSIGN_RESPONSES",
    "CANCEL_RESPONSES",
    "CREATE_RESPONSES",
    "MODIFY_RESPONSES",
    "READ_RESPONSES",
    "REQUEUE_RESPONSES",
]

Responses = dict[int | str, dict[str, Any]]

#: Routes of one restaurant: no key or a bad one, no such restaurant or booking, bad input.
READ_RESPONSES: Responses = {
    401: {"model": ErrorOut, "description": "No API key, or an unknown or revoked one."},
    404: {"model": ErrorOut, "description": "No such restaurant or booking (for this key)."},
    422: {"model": ErrorOut, "description": "Bad input; `field` names what to fix."},
}

_NO_AVAILABILITY = {
    "model": NoAvailabilityOut,
    "description": "`no_availability`: no room then; nearby times that fit.",
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
    409: _NO_AVAILABILITY,
}
MODIFY_RESPONSES: Responses = {
    **READ_RESPONSES,
    409: {
        "model": Annotated[NoAvailabilityOut | BookingClosedOut, Field(discriminator="error")],
        "description": "`no_availability` (with `alternatives`): no room for the new time or "
        "party. `booking_closed` (no alternatives): the booking was cancelled or has ended.",
    },
}
CANCEL_RESPONSES: Responses = {**READ_RESPONSES, 409: _CLOSED}
REQUEUE_RESPONSES: Responses = {**READ_RESPONSES, 409: _CLOSED}
ASSIGN_RESPONSES: Responses = {
    **READ_RESPONSES,
    409: {
        "model": AssignConflictOut,
        "description": "The booking or the tables do not allow it now; nothing changed.",
    },
}
