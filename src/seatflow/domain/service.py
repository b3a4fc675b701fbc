"""When a restaurant seats: service periods, closures, kitchen pacing (`seatflow.scenario/v2`).

Times in the rules are local to the restaurant's time zone; every instant going in or out is an
aware datetime (returned in UTC), so a DST day shifts the UTC instants, never the local grid.
A restaurant without periods (every v1 floor) seats at any time: these rules then refuse nothing
but closures, so v1 behaviour stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from seatflow.domain.floor import TurnRule, VenuePolicy

__all__ = [
    "CLOSED",
    "LEGACY_CLOSES",
    "LEGACY_OPENS",
    "NO_AVAILABILITY",
    "OUTSIDE_SERVICE_HOURS",
    "PACING",
    "Closure",
    "PacedBooking",
    "Pacing",
    "ServicePeriod",
    "ServiceRules",
    "nearby_starts",
    "pacing_allows",
]

#: Why a request is refused (the result's `reason` of a rejected booking).
OUTSIDE_SERVICE_HOURS = "outside_service_hours"
CLOSED = "closed"
PACING = "pacing"
NO_AVAILABILITY = "no_availability"

#: The day grid of a restaurant without periods (the availability API's since v1): starts from
#: 11:00 up to, not including, 23:00 local.
LEGACY_OPENS = time(11, 0)
LEGACY_CLOSES = time(23, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Pacing:
    """What the kitchen can take per slot of `slot_minutes`; a None limit does not apply."""

    slot_minutes: int
    max_covers: int | None = None
    max_parties: int | None = None

    def __post_init__(self) -> None:
        if self.slot_minutes < 1:
            raise ValueError(f"slot_minutes must be at least 1, got {self.slot_minutes}")
        for name in ("max_covers", "max_parties"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative, got {value}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServicePeriod:
    """A seating window on some weekdays (ISO, 1 = Monday), both ends inclusive, local time."""

    key: str
    weekdays: frozenset[int]
    first_seating: time
    last_seating: time
    turn_minutes: tuple[TurnRule, ...] | None = None
    pacing: Pacing | None = None

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= frozenset(range(1, 8)):
            raise ValueError(f"weekdays must be ISO weekdays 1..7, got {sorted(self.weekdays)}")
        if self.first_seating.tzinfo is not None or self.last_seating.tzinfo is not None:
            raise ValueError("first_seating and last_seating are local times, without a zone")
        if self.last_seating < self.first_seating:
            raise ValueError(
                f"last_seating {self.last_seating:%H:%M} is before "
                f"first_seating {self.first_seating:%H:%M}"
            )
        if self.turn_minutes is not None and not self.turn_minutes:
            raise ValueError("turn_minutes must be None (the policy's) or have a rule")

    def covers(self, local: datetime) -> bool:
        """Whether a local (wall-clock) moment is a seating time of this period."""
        return (
            local.isoweekday() in self.weekdays
            and self.first_seating <= local.time().replace(tzinfo=None) <= self.last_seating
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Closure:
    date: date
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceRules:
    """A restaurant's service rules; the defaults are a v1 restaurant's (open at any time)."""

    timezone: str = "UTC"
    periods: tuple[ServicePeriod, ...] = ()
    closures: tuple[Closure, ...] = ()
    no_show_grace_minutes: int = 15
    overstay_step_minutes: int = 15

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)  # an unknown zone is refused here, not at the first request
        except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"timezone {self.timezone!r} is not an IANA time zone") from None
        keys = [p.key for p in self.periods]
        if len(set(keys)) != len(keys):
            raise ValueError(f"periods must have distinct keys, got {keys}")
        grace, step = self.no_show_grace_minutes, self.overstay_step_minutes
        if grace < 0:
            raise ValueError(f"no_show_grace_minutes must be >= 0, got {grace}")
        if step < 1:
            raise ValueError(f"overstay_step_minutes must be >= 1, got {step}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches by key: no new object per call

    @property
    def restricted(self) -> bool:
        """Whether seating hours apply at all (False for a v1 restaurant: it seats any time)."""
        return bool(self.periods)

    def local(self, moment: datetime) -> datetime:
        """`moment` on the restaurant's wall clock; a naive moment is a caller's bug."""
        if moment.tzinfo is None:
            raise ValueError(f"needs an aware datetime, got naive {moment.isoformat()}")
        return moment.astimezone(self.zone)

    def period_at(self, start_at: datetime) -> ServicePeriod | None:
        """The first period (in order) whose weekday and [first, last] seating cover the start."""
        local = self.local(start_at)
        return next((p for p in self.periods if p.covers(local)), None)

    def closed_on(self, day: date) -> bool:
        return any(c.date == day for c in self.closures)

    def refusal(self, start_at: datetime) -> str | None:
        """CLOSED on a closure's local date (periods or not), OUTSIDE_SERVICE_HOURS when periods
        exist and none covers the start, else None."""
        if self.closed_on(self.local(start_at).date()):
            return CLOSED
        if self.restricted and self.period_at(start_at) is None:
            return OUTSIDE_SERVICE_HOURS
        return None

    def turn_minutes(
        self,
        policy: VenuePolicy,
        start_at: datetime,
        party_size: int,
        duration_minutes: int | None = None,
    ) -> int:
        """The policy's turn, with the start's period's turn table in place of the policy's."""
        period = self.period_at(start_at) if self.periods else None
        if period is not None and period.turn_minutes is not None:
            policy = replace(policy, turn_minutes=period.turn_minutes)
        return policy.turn_for(party_size, duration_minutes)

    def occupancy(
        self,
        policy: VenuePolicy,
        start_at: datetime,
        party_size: int,
        duration_minutes: int | None = None,
    ) -> tuple[datetime, datetime]:
        """The half-open window [start, start + turn + buffer) the tables are taken."""
        turn = self.turn_minutes(policy, start_at, party_size, duration_minutes)
        return start_at, start_at + timedelta(minutes=turn + policy.buffer_minutes)

    def slot_of(self, start_at: datetime) -> tuple[str, datetime] | None:
        """(period key, slot start in UTC) of a paced start: slots of `slot_minutes` wall-clock
        minutes counted from first_seating. None outside periods or without pacing."""
        period = self.period_at(start_at) if self.periods else None
        if period is None or period.pacing is None:
            return None
        local = self.local(start_at)
        since = _minutes(local.time()) - _minutes(period.first_seating)
        offset = since - since % period.pacing.slot_minutes
        wall = datetime.combine(local.date(), period.first_seating) + timedelta(minutes=offset)
        return period.key, wall.replace(tzinfo=self.zone, fold=local.fold).astimezone(UTC)

    def service_starts(self, day: date, step_minutes: int = 15) -> list[datetime]:
        """Every start (UTC) on local `day`: from each period's first seating in steps up to its
        last seating inclusive; the 11:00–23:00 grid without periods; none on a closure. A wall
        time that a DST change skips is left out, one it repeats is there twice."""
        if step_minutes < 1:
            raise ValueError(f"step_minutes must be at least 1, got {step_minutes}")
        if self.closed_on(day):
            return []
        if not self.restricted:
            last = _minutes(LEGACY_CLOSES) - 1
            walls = _walls(_minutes(LEGACY_OPENS), last, step_minutes)
        else:
            walls = set()
            for period in self.periods:
                if day.isoweekday() in period.weekdays:
                    first, last = _minutes(period.first_seating), _minutes(period.last_seating)
                    walls |= _walls(first, last, step_minutes)
        return sorted({s for m in walls for s in self._instants(day, m)})

    def _instants(self, day: date, minute: int) -> list[datetime]:
        """The UTC instants at which the local clock reads `minute` past midnight on `day`."""
        wall = datetime.combine(day, time()) + timedelta(minutes=minute)
        found = []
        for fold in (0, 1):
            instant = wall.replace(tzinfo=self.zone, fold=fold).astimezone(UTC)
            if instant.astimezone(self.zone).replace(tzinfo=None) == wall:
                found.append(instant)
        return found

    def last_seating_at(self, moment: datetime) -> datetime | None:
        """The last seating (UTC) of the period covering `moment`: nobody sits after it."""
        period = self.period_at(moment) if self.periods else None
        if period is None:
            return None
        local = self.local(moment)
        wall = datetime.combine(local.date(), period.last_seating)
        return wall.replace(tzinfo=self.zone, fold=local.fold).astimezone(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class PacedBooking:
    """A live reservation as pacing sees it: when it starts and how many it brings."""

    start_at: datetime
    party_size: int


def pacing_allows(
    rules: ServiceRules, start_at: datetime, party_size: int, others: Iterable[PacedBooking]
) -> bool:
    """Whether one more reservation fits its slot's covers and parties. `others` are the live
    reservations (no walk-ins, not the one being changed); only those in the same slot of the
    same period count. A start without pacing is always allowed."""
    slot = rules.slot_of(start_at)
    if slot is None:
        return True
    pacing = _pacing(rules, slot[0])
    same = [o for o in others if rules.slot_of(o.start_at) == slot]
    covers = party_size + sum(o.party_size for o in same)
    if pacing.max_covers is not None and covers > pacing.max_covers:
        return False
    return pacing.max_parties is None or len(same) + 1 <= pacing.max_parties


def nearby_starts(
    rules: ServiceRules,
    start_at: datetime,
    allowed: Callable[[datetime], bool],
    *,
    step_minutes: int = 15,
    limit: int = 3,
) -> list[datetime]:
    """Up to `limit` other starts `allowed` says yes to, nearest first (earlier on a tie): those
    of the request's own local day before those of the days either side, so a 04:00 request on
    a dinner-only day is offered that evening, not the night before."""
    day = rules.local(start_at).date()
    ranked: list[tuple[int, timedelta, datetime]] = []
    for rank, days in ((0, (day,)), (1, (day - timedelta(days=1), day + timedelta(days=1)))):
        for other in days:
            starts = rules.service_starts(other, step_minutes)
            ranked += [(rank, abs(s - start_at), s) for s in starts]
    found: list[datetime] = []
    for _, _, start in sorted(ranked):
        if len(found) >= limit:
            break
        if start != start_at and allowed(start):
            found.append(start)
    return found


def _pacing(rules: ServiceRules, key: str) -> Pacing:
    period = next(p for p in rules.periods if p.key == key)
    assert period.pacing is not None  # slot_of found a slot: the period paces
    return period.pacing


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def _walls(first: int, last: int, step: int) -> set[int]:
    """Minutes past local midnight from `first` in `step`s up to `last` inclusive."""
    return set(range(first, last + 1, step))
