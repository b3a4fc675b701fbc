"""An independent judge of `seatflow.result/v2` results: what a service-day result must satisfy,
read from `service-day-format.md` and `scenario-format.md` and checked on the raw JSON.

It imports nothing from seatflow on purpose: a bug in the planner's own notion of a valid
combination or of a service period must not be able to vouch for itself.

Readings of the format where it leaves room (stated so a disagreement is easy to spot):
- `covers_requested` sums every booking's party as first requested, walk-ins included (the
  shared ceilings' `covers_requested` are exactly that).
- `covers_served` sums the final party of every `served` entry, walk-ins included;
  `walk_in_covers_served` is the part of it from bookings whose `source` is `walk_in` (a late
  reservation seated as a walk-in stays a reservation). `displaced_covers` sums `displaced`.
- Pacing is judged on the end state: the reservations (not walk-ins) still standing at the end
  (served, no_show, displaced, manual_review), at their final start and party, per slot. A
  no-show freed its place only after its start had passed, so nobody could have taken it.
- `modifications_accepted` is at least the number of bookings whose final start or party differs
  from their request, and accepted + refused at most the file's modify events. Every final start
  and party is the request's or one a modify event of that booking asked for.
- A served guest sits at or after `start_at` (early guests wait), within a period's
  [first_seating, last_seating] local and not on a closure — except a reservation whose guests
  come within the grace period: its start was in hours, and "nobody is seated after
  last_seating" is read as applying to everyone else (late reservations, walk-ins); a
  served reservation and a displaced one had an `arrive` event, a cancelled one a `cancel`
  event. Nobody sits, at or after a `table_out` is announced, on that table so that
  [seated_at, seated_at + turn + buffer) overlaps its window (the turn of the final party in
  the period of `start_at`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["OUTCOMES", "REASONS", "RESULT_FORMAT", "problems"]

RESULT_FORMAT = "seatflow.result/v2"
OUTCOMES = frozenset({"served", "rejected", "cancelled", "no_show", "displaced", "manual_review"})
REASONS = frozenset({"no_availability", "outside_service_hours", "closed", "pacing"})
#: Reservations that still stand at the end of the day, for pacing.
PACED = frozenset({"served", "no_show", "displaced", "manual_review"})

Json = dict[str, Any]


def problems(scenario: Json, result: Json) -> list[str]:
    """Every way `result` breaks the rules of `scenario`, one sentence each; [] when valid."""
    found: list[str] = []
    if result.get("format") != RESULT_FORMAT:
        found.append(f"format is {result.get('format')!r}, want {RESULT_FORMAT!r}")
    bookings = {b["ref"]: b for b in scenario["bookings"]}
    entries = _entries(result.get("assignments"), bookings, found)
    day = _Day(scenario)
    for ref, entry in entries.items():
        found += [f"{ref}: {p}" for p in _entry_problems(day, bookings[ref], entry)]
    found += _overlaps(day, entries)
    found += _pacing(day, bookings, entries)
    found += _summary(day, bookings, entries, result.get("summary"))
    return found


class _Day:
    """The scenario's restaurant, rules and events, indexed for the checks."""

    def __init__(self, scenario: Json) -> None:
        restaurant = scenario["restaurant"]
        self.zone = ZoneInfo(restaurant.get("timezone", "UTC"))
        self.policy: Json = restaurant["policy"]
        self.buffer = timedelta(minutes=self.policy.get("buffer_minutes", 15))
        self.grace = timedelta(minutes=self.policy.get("no_show_grace_minutes", 15))
        self.tables: dict[str, Json] = {t["key"]: t for t in restaurant["tables"]}
        self.adjacency = {frozenset(pair) for pair in restaurant.get("adjacency", [])}
        self.periods: list[Json] = restaurant.get("service_periods", [])
        self.closures = {date.fromisoformat(c["date"]) for c in restaurant.get("closures", [])}
        self.events: list[Json] = scenario.get("events", [])
        self.by_ref: dict[str, list[Json]] = defaultdict(list)
        for event in self.events:
            if "ref" in event:
                self.by_ref[event["ref"]].append(event)

    def period(self, moment: datetime) -> Json | None:
        local = moment.astimezone(self.zone)
        clock = local.time().replace(tzinfo=None)
        for period in self.periods:
            first, last = _clock(period["first_seating"]), _clock(period["last_seating"])
            if local.isoweekday() in period["weekdays"] and first <= clock <= last:
                return period
        return None

    def seatable(self, moment: datetime) -> str | None:
        """Why nobody may sit at `moment`, or None."""
        if moment.astimezone(self.zone).date() in self.closures:
            return "on a closure"
        if self.periods and self.period(moment) is None:
            return "outside every service period"
        return None

    def slot(self, start: datetime) -> tuple[str, date, int] | None:
        period = self.period(start)
        pacing = period.get("pacing") if period else None
        if period is None or not pacing:
            return None
        local = start.astimezone(self.zone)
        since = _minutes(local.time()) - _minutes(_clock(period["first_seating"]))
        return period["key"], local.date(), since // pacing["slot_minutes"]

    def turn(self, start: datetime, party: int, duration: int | None) -> timedelta:
        if duration is not None:
            return timedelta(minutes=duration)
        period = self.period(start)
        rules = (period or {}).get("turn_minutes") or self.policy["turn_minutes"]
        fits = [r["minutes"] for r in rules if r["max_party"] >= party]
        return timedelta(minutes=fits[0] if fits else rules[-1]["minutes"])

    def combination_problem(self, keys: list[str], party: int) -> str | None:
        """Why `keys` cannot seat `party` (scenario-format.md's rules 3-5), or None."""
        if not keys or len(set(keys)) != len(keys):
            return f"tables {keys} are empty or repeat a table"
        unknown = [k for k in keys if k not in self.tables]
        if unknown:
            return f"unknown tables {unknown}"
        tables = [self.tables[k] for k in keys]
        if len(tables) == 1:
            low, high = tables[0].get("min_party", 1), tables[0]["capacity"]
            return None if low <= party <= high else f"table {keys[0]} seats {low}-{high}"
        limit = self.policy.get("max_tables_per_booking", 3)
        if len(tables) > limit:
            return f"{len(tables)} tables, at most {limit} may be joined"
        if not all(t.get("combinable", True) for t in tables):
            return f"tables {keys} are not all combinable"
        if len({t["zone"] for t in tables}) != 1:
            return f"tables {keys} span zones"
        if not self._connected(keys):
            return f"tables {keys} are not connected by adjacency"
        seats = sum(t["capacity"] for t in tables)
        return None if seats >= party else f"tables {keys} seat {seats} < party {party}"

    def _connected(self, keys: list[str]) -> bool:
        reached, frontier = {keys[0]}, [keys[0]]
        while frontier:
            current = frontier.pop()
            for other in keys:
                if other not in reached and frozenset((current, other)) in self.adjacency:
                    reached.add(other)
                    frontier.append(other)
        return len(reached) == len(keys)


def _entries(assignments: object, bookings: dict[str, Json], found: list[str]) -> dict[str, Json]:
    """The entries by ref, once each, with a known outcome; what is not is reported."""
    entries: dict[str, Json] = {}
    for entry in assignments if isinstance(assignments, list) else []:
        ref = entry.get("ref")
        if ref not in bookings:
            found.append(f"{ref}: not a booking of the scenario")
        elif ref in entries:
            found.append(f"{ref}: assigned more than once")
        elif entry.get("outcome") not in OUTCOMES:
            found.append(f"{ref}: unknown outcome {entry.get('outcome')!r}")
        else:
            entries[ref] = entry
    found += [f"{ref}: no assignment" for ref in bookings if ref not in entries]
    return entries


def _entry_problems(day: _Day, booking: Json, entry: Json) -> list[str]:
    outcome, ref = entry["outcome"], booking["ref"]
    found = _final_values(day, booking, entry)
    kinds = {e["type"] for e in day.by_ref.get(ref, [])}
    if outcome == "rejected" and entry.get("reason") not in REASONS:
        found.append(f"rejected with unknown reason {entry.get('reason')!r}")
    if outcome == "cancelled" and "cancel" not in kinds:
        found.append("cancelled without a cancel event")
    if outcome == "displaced" and "arrive" not in kinds:
        found.append("displaced without an arrive event")
    if outcome == "served":
        if booking.get("source") != "walk_in" and "arrive" not in kinds:
            found.append("served without an arrive event")
        found += _served_problems(day, booking, entry)
    return found


def _final_values(day: _Day, booking: Json, entry: Json) -> list[str]:
    """The final start and party are the request's or ones its modify events asked for."""
    modifies = [e for e in day.by_ref.get(booking["ref"], []) if e["type"] == "modify"]
    parties = {booking["party_size"]} | {e["party_size"] for e in modifies if "party_size" in e}
    starts = {_at(booking["start_at"])} | {_at(e["start_at"]) for e in modifies if "start_at" in e}
    found = []
    if entry.get("outcome") != "rejected" and entry.get("party_size") not in parties:
        found.append(f"party_size {entry.get('party_size')!r} was never asked for")
    start = _maybe_at(entry.get("start_at"))
    if entry.get("outcome") != "rejected" and start not in starts:
        found.append(f"start_at {entry.get('start_at')!r} was never asked for")
    return found


def _served_problems(day: _Day, booking: Json, entry: Json) -> list[str]:
    seated, left = _maybe_at(entry.get("seated_at")), _maybe_at(entry.get("left_at"))
    if seated is None or left is None:
        return ["served without seated_at and left_at"]
    found = []
    if left < seated:
        found.append(f"left_at {entry['left_at']} before seated_at {entry['seated_at']}")
    start = _maybe_at(entry.get("start_at"))
    if start is not None and seated < start:
        found.append(f"seated_at {entry['seated_at']} before start_at {entry['start_at']}")
    # A reservation whose guests come within the grace period is seated even after the last
    # seating (its start was in hours: the restaurant promised it); anyone else sits in hours.
    on_time = (
        start is not None and seated <= start + day.grace and booking.get("source") != "walk_in"
    )
    why = day.seatable(start if on_time else seated)
    if why is not None:
        found.append(f"seated at {entry['seated_at']} {why}")
    tables = entry.get("tables") or []
    party = entry.get("party_size")
    problem = day.combination_problem(list(tables), party) if isinstance(party, int) else None
    if problem is not None:
        found.append(problem)
    if start is not None and isinstance(party, int):
        turn = day.turn(start, party, booking.get("duration_minutes"))
        found += _table_out_problems(day, tables, seated, seated + turn + day.buffer)
    return found


def _table_out_problems(
    day: _Day, tables: Iterable[str], seated: datetime, until: datetime
) -> list[str]:
    found = []
    for event in day.events:
        if event["type"] != "table_out" or event["table"] not in tables:
            continue
        out_from, out_until = _at(event["from"]), _at(event["until"])
        if seated >= _at(event["at"]) and seated < out_until and out_from < until:
            found.append(f"seated on {event['table']} into its table_out window after it was told")
    return found


def _overlaps(day: _Day, entries: dict[str, Json]) -> list[str]:
    """No table carries two served bookings whose [seated_at, left_at + buffer) overlap."""
    by_table: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for ref, entry in entries.items():
        seated, left = _maybe_at(entry.get("seated_at")), _maybe_at(entry.get("left_at"))
        if entry["outcome"] != "served" or seated is None or left is None:
            continue
        for table in entry.get("tables") or []:
            by_table[table].append((seated, left + day.buffer, ref))
    found = []
    for table, spans in by_table.items():
        spans.sort()
        latest, holder = spans[0][1], spans[0][2]
        for begin, end, ref in spans[1:]:
            if begin < latest:
                found.append(f"{holder} and {ref} overlap on table {table}")
            if end > latest:
                latest, holder = end, ref
    return found


def _pacing(day: _Day, bookings: dict[str, Json], entries: dict[str, Json]) -> list[str]:
    covers: Counter[tuple[str, date, int]] = Counter()
    parties: Counter[tuple[str, date, int]] = Counter()
    for ref, entry in entries.items():
        start = _maybe_at(entry.get("start_at"))
        if entry["outcome"] not in PACED or bookings[ref].get("source") == "walk_in" or not start:
            continue
        slot = day.slot(start)
        if slot is not None and isinstance(entry.get("party_size"), int):
            covers[slot] += entry["party_size"]
            parties[slot] += 1
    found = []
    limits = {p["key"]: p.get("pacing") or {} for p in day.periods}
    for slot in covers:
        pacing = limits[slot[0]]
        max_covers, max_parties = pacing.get("max_covers"), pacing.get("max_parties")
        if max_covers is not None and covers[slot] > max_covers:
            found.append(f"pacing: slot {slot} has {covers[slot]} covers > {max_covers}")
        if max_parties is not None and parties[slot] > max_parties:
            found.append(f"pacing: slot {slot} has {parties[slot]} parties > {max_parties}")
    return found


def _summary(
    day: _Day, bookings: dict[str, Json], entries: dict[str, Json], summary: object
) -> list[str]:
    if not isinstance(summary, dict):
        return ["summary is missing"]

    def covers(outcome: str, walk_in: bool | None = None) -> int:
        return sum(
            e.get("party_size") or 0
            for ref, e in entries.items()
            if e["outcome"] == outcome
            and (walk_in is None or (bookings[ref].get("source") == "walk_in") == walk_in)
        )

    expected = {
        "covers_requested": sum(b["party_size"] for b in bookings.values()),
        "covers_served": covers("served"),
        "walk_in_covers_served": covers("served", walk_in=True),
        "displaced_covers": covers("displaced"),
        "moves": sum(e.get("moves") or 0 for e in entries.values()),
    }
    found = [
        f"summary.{name} is {summary.get(name)!r}, the assignments say {value}"
        for name, value in expected.items()
        if summary.get(name) != value
    ]
    rejected = Counter(e.get("reason") for e in entries.values() if e["outcome"] == "rejected")
    stated = summary.get("rejected")
    if not isinstance(stated, dict) or {k: v for k, v in stated.items() if v} != dict(rejected):
        found.append(f"summary.rejected is {stated!r}, the assignments say {dict(rejected)}")
    return found + _modifications(day, bookings, entries, summary)


def _modifications(
    day: _Day, bookings: dict[str, Json], entries: dict[str, Json], summary: Json
) -> list[str]:
    accepted, refused = summary.get("modifications_accepted"), summary.get("modifications_refused")
    if not isinstance(accepted, int) or not isinstance(refused, int):
        return ["summary.modifications_accepted and _refused must be integers"]
    events = sum(1 for e in day.events if e["type"] == "modify")
    changed = sum(
        1
        for ref, e in entries.items()
        if e["outcome"] != "rejected"
        and (
            e.get("party_size") != bookings[ref]["party_size"]
            or _maybe_at(e.get("start_at")) != _at(bookings[ref]["start_at"])
        )
    )
    found = []
    if accepted + refused > events:
        found.append(f"{accepted} + {refused} modifications, the file has {events}")
    if accepted < changed:
        found.append(f"modifications_accepted {accepted} < {changed} bookings changed")
    return found


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _maybe_at(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _clock(text: str) -> time:
    return time.fromisoformat(text)


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute
