"""The seatflow exception tree. Each exception's docstring is its default message.

SeatflowError
├── ConfigError                 a setting has a bad value (names the variable)
├── InvalidInput                bad input from a user: a file, a request, a CLI argument
│   └── InvalidScenario         a scenario / floor file that cannot be imported
│       └── InvalidDocument     … with every problem of the document, each with its path
├── NotFound                    a restaurant, booking or table that does not exist (for the caller)
├── LiveDataRefused             a simulation would touch a restaurant or bookings it did not create
├── FloorChangeRefused          a new floor cannot seat live bookings where they are (none moved)
├── SeatingRefused              guests at the door cannot sit now (why, and when a table frees)
└── StoreError                  the database said no, translated at the store boundary
    ├── DatabaseUnavailable     the server cannot be reached or timed out (infrastructure)
    ├── SchemaOutOfDate         the schema is behind (or ahead of) this seatflow: `db migrate`
    ├── TablesTaken             another booking holds or owns one of the tables for that window
    ├── VersionConflict         a stale writer lost the optimistic version check
    ├── HoldExpired             a hold's lease ran out before it was confirmed
    ├── BookingClosed           the booking was cancelled or has ended: it takes no tables
    └── InvalidTransition       an assignment-state change the transition table forbids
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the tree itself imports nothing of seatflow
    from seatflow.domain.floor_change import Stranded


class SeatflowError(Exception):
    """seatflow failed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())


class ConfigError(SeatflowError):
    """A setting has a bad value."""


class InvalidInput(SeatflowError):
    """The input is not valid."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class InvalidScenario(InvalidInput):
    """The scenario file is not valid."""


class InvalidDocument(InvalidScenario):
    """The document is not valid."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        """`problems`: (path, reason) pairs, at least one; `field` and `reason` are the first's,
        the message lists them all, one a line."""
        if not problems:
            raise ValueError("InvalidDocument needs at least one problem")
        self.problems = tuple(problems)
        super().__init__(*self.problems[0])
        self.args = ("\n".join(f"{path}: {reason}" for path, reason in self.problems),)


class NotFound(SeatflowError):
    """Not found."""


class LiveDataRefused(SeatflowError):
    """Refusing to touch a restaurant or bookings that no simulation created."""


class FloorChangeRefused(SeatflowError):
    """The new floor would strand live bookings; re-assign them or keep their tables."""

    def __init__(self, stranded: Sequence[Stranded]) -> None:
        self.stranded = tuple(stranded)
        count = len(self.stranded)
        super().__init__(
            f"the new floor would leave {count} live booking{'s' if count != 1 else ''} on tables "
            "that can no longer seat them; re-assign them (--reassign / ?reassign=true) or keep "
            "their tables"
        )


class StoreError(SeatflowError):
    """The database refused the operation."""


class DatabaseUnavailable(StoreError):
    """The database cannot be reached."""


class SchemaOutOfDate(StoreError):
    """The database schema does not match this seatflow; run `seatflow db migrate`."""


class TablesTaken(StoreError):
    """One of the tables is already taken for that window."""


class VersionConflict(StoreError):
    """The row changed under us: a stale version."""


class ReservationsChanged(VersionConflict):
    """Another write changed a restaurant's promises after an acceptance read them: its claim
    lost, and the acceptance reads and plans again."""


class HoldExpired(StoreError):
    """The hold expired before it was confirmed."""


class BookingClosed(StoreError):
    """The booking was cancelled or has ended; it cannot take tables."""


class InvalidTransition(StoreError):
    """That assignment-state change is not allowed."""


class SeatingRefused(SeatflowError):
    """Guests cannot be seated now: `reason` says why (`no_table_free`, `outside_service_hours`,
    `closed`, …) and `earliest` when a fitting table frees, if one does before service ends."""

    def __init__(self, reason: str, message: str, earliest: datetime | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.earliest = earliest
