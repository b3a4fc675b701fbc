"""Random small floors and booking streams through both planners, judged independently.

The checker below is written from the seating rules in scenario-format.md alone and shares no
code with the planners: every accepted booking's final tables must be a valid set for its
party, no table may carry two overlapping bookings, and a V3 "no capacity" must mean that no
rearrangement of the movable bookings exists (checked by brute force).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import combinations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.planning.engine import plan_v3
from seatflow.planning.legacy import plan_legacy
from seatflow.planning.model import Occupant, Plan, PlanFailure, PlanRequest

T0 = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
BUFFER = 15


@dataclass(frozen=True)
class Wish:
    """One request of a random stream; `seated` ones may not be moved afterwards."""

    party: int
    start: datetime
    end: datetime
    zone: str | None
    seated: bool


@st.composite
def floors(draw: st.DrawFn) -> FloorPlan:
    """2–6 tables over one or two zones, random capacities, minimums, joins and limits."""
    zones = ["main", "terrace"][: draw(st.integers(1, 2))]
    tables = []
    for i in range(draw(st.integers(2, 6))):
        capacity = draw(st.sampled_from([1, 2, 2, 4, 4, 6]))
        tables.append(
            Table(
                key=f"T{i}",
                zone=draw(st.sampled_from(zones)),
                capacity=capacity,
                min_party=draw(st.sampled_from([1, 1, 1, capacity])),
                combinable=draw(st.booleans() | st.just(True)),
            )
        )
    keys = [t.key for t in tables]
    pairs = draw(st.sets(st.tuples(st.sampled_from(keys), st.sampled_from(keys)), max_size=8))
    return FloorPlan(
        slug="prop",
        name="Prop",
        policy=VenuePolicy(
            turn_minutes=(TurnRule(max_party=99, minutes=90),),
            buffer_minutes=BUFFER,
            max_tables_per_booking=draw(st.integers(1, 3)),
        ),
        zones=tuple(Zone(key=z, name=z) for z in zones),
        tables=tuple(tables),
        adjacency=frozenset(frozenset(p) for p in pairs if p[0] != p[1]),
    )


@st.composite
def streams(draw: st.DrawFn, floor: FloorPlan) -> list[Wish]:
    """2–8 requests on a half-hour grid with explicit durations, some later seated."""
    wishes = []
    for _ in range(draw(st.integers(2, 8))):
        start = T0 + timedelta(minutes=30 * draw(st.integers(0, 5)))
        duration = draw(st.sampled_from([45, 60, 90, 120]))
        wishes.append(
            Wish(
                party=draw(st.sampled_from([1, 2, 2, 2, 3, 4, 4, 5, 6, 8])),
                start=start,
                end=start + timedelta(minutes=duration + BUFFER),
                zone=draw(st.sampled_from([None, *(z.key for z in floor.zones)])),
                seated=draw(st.booleans()),
            )
        )
    return wishes


def valid_set(floor: FloorPlan, party: int, keys: tuple[str, ...]) -> bool:
    """Seating rules 3–5, from the rules text."""
    tables = {t.key: t for t in floor.tables}
    if not keys or len(set(keys)) != len(keys) or len(keys) > floor.policy.max_tables_per_booking:
        return False
    if any(k not in tables for k in keys):
        return False
    if len(keys) == 1:
        only = tables[keys[0]]
        return only.min_party <= party <= only.capacity
    if not all(tables[k].combinable for k in keys) or len({tables[k].zone for k in keys}) > 1:
        return False
    if sum(tables[k].capacity for k in keys) < party:
        return False
    reached, todo = {keys[0]}, [keys[0]]
    while todo:
        here = todo.pop()
        for pair in floor.adjacency:
            if here in pair:
                other = next(iter(pair - {here}))
                if other in keys and other not in reached:
                    reached.add(other)
                    todo.append(other)
    return len(reached) == len(keys)


def clash(a: Occupant, b: Occupant) -> bool:
    """Half-open windows that share an instant, on a shared table."""
    return a.start < b.end and b.start < a.end and bool(set(a.tables) & set(b.tables))


def problems(floor: FloorPlan, placed: list[Occupant]) -> list[str]:
    found = [o.booking_id for o in placed if not valid_set(floor, o.party_size, o.tables)]
    found += [f"{a.booking_id}/{b.booking_id}" for a, b in combinations(placed, 2) if clash(a, b)]
    return found


def rearrangement_exists(floor: FloorPlan, placed: list[Occupant], new: Occupant) -> bool:
    """Brute force: can every movable booking plus the new one get valid, clash-free tables?"""
    keys = [t.key for t in floor.tables]
    sets = [combo for size in range(1, len(keys) + 1) for combo in combinations(sorted(keys), size)]
    fixed = [o for o in placed if not o.movable]
    todo = [o for o in placed if o.movable] + [new]

    def place(i: int, done: list[Occupant]) -> bool:
        if i == len(todo):
            return True
        for tables in sets:
            candidate = replace(todo[i], tables=tables)
            fits = valid_set(floor, candidate.party_size, tables) and not any(
                clash(candidate, other) for other in fixed + done
            )
            if fits and place(i + 1, [*done, candidate]):
                return True
        return False

    return place(0, [])


def run(floor: FloorPlan, wishes: list[Wish], pipeline: str) -> list[Occupant]:
    """Feed the stream to one planner, applying re-pack moves; check exactness on the way."""
    placed: dict[str, Occupant] = {}
    for n, wish in enumerate(wishes):
        want = PlanRequest(
            booking_id=f"b{n}",
            party_size=wish.party,
            start=wish.start,
            end=wish.end,
            zone_preference=wish.zone,
        )
        occupants = list(placed.values())
        if pipeline == "v3":
            result = plan_v3(floor, want, occupants, repack_budget_ms=5000)
        else:
            result = plan_legacy(floor, want, occupants)
        new = Occupant(
            booking_id=want.booking_id,
            party_size=wish.party,
            start=wish.start,
            end=wish.end,
            tables=(),
            movable=not wish.seated,
        )
        event(
            f"{pipeline}: {result.reason if isinstance(result, PlanFailure) else result.strategy}"
        )
        if isinstance(result, PlanFailure):
            assert result.reason != "repack_timeout"
            if pipeline == "v3" and result.reason == "no_capacity":
                assert not rearrangement_exists(floor, occupants, new), "V3 missed a repack"
            continue
        assert isinstance(result, Plan)
        for move in result.moves:
            assert placed[move.booking_id].movable, "moved a booking that may not move"
            assert placed[move.booking_id].tables == move.from_tables
            placed[move.booking_id] = replace(placed[move.booking_id], tables=move.to_tables)
        placed[want.booking_id] = replace(new, tables=result.tables)
        assert problems(floor, list(placed.values())) == []
    return list(placed.values())


def replayed(
    floor: FloorPlan, wishes: list[Wish]
) -> Iterator[tuple[PlanRequest, Occupant, list[Occupant]]]:
    """Each wish as a request and as the occupant it would become, with the floor as V3 left it
    (moves applied) before that wish: what a property about one request at a time checks."""
    placed: list[Occupant] = []
    for n, wish in enumerate(wishes):
        wanted = PlanRequest(
            booking_id=f"b{n}", party_size=wish.party, start=wish.start, end=wish.end
        )
        new = Occupant(
            booking_id=wanted.booking_id,
            party_size=wish.party,
            start=wish.start,
            end=wish.end,
            tables=(),
            movable=not wish.seated,
        )
        yield wanted, new, list(placed)
        result = plan_v3(floor, wanted, placed, repack_budget_ms=5000)
        if isinstance(result, Plan):
            moved = {m.booking_id: m.to_tables for m in result.moves}
            placed = [replace(o, tables=moved.get(o.booking_id, o.tables)) for o in placed]
            placed.append(replace(new, tables=result.tables))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[FloorPlan, list[Wish]]:
    floor = draw(floors())
    return floor, draw(streams(floor))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_both_planners_only_ever_produce_valid_unclashing_assignments(
    scenario: tuple[FloorPlan, list[Wish]],
) -> None:
    """Every accepted booking sits on a valid set, and no table is double-booked."""
    floor, wishes = scenario
    for pipeline in ("v3", "legacy"):
        assert problems(floor, run(floor, wishes, pipeline)) == []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_v3_accepts_at_least_what_legacy_accepts_on_the_same_floor_state(
    scenario: tuple[FloorPlan, list[Wish]],
) -> None:
    """On any state V3 builds, a request legacy could place is never refused by V3."""
    floor, wishes = scenario
    placed = run(floor, wishes[:-1], "v3")
    last = wishes[-1]
    want = PlanRequest(
        booking_id="last",
        party_size=last.party,
        start=last.start,
        end=last.end,
        zone_preference=last.zone,
    )
    if isinstance(plan_legacy(floor, want, placed), Plan):
        assert isinstance(plan_v3(floor, want, placed), Plan)


def place_randomly(draw: st.DrawFn, floor: FloorPlan, wishes: list[Wish]) -> list[Occupant]:
    """Put each wish on a randomly drawn valid free set (often a wasteful one), if any."""
    keys = sorted(t.key for t in floor.tables)
    every = [c for size in range(1, len(keys) + 1) for c in combinations(keys, size)]
    placed: list[Occupant] = []
    for n, wish in enumerate(wishes):
        one = Occupant(
            booking_id=f"b{n}",
            party_size=wish.party,
            start=wish.start,
            end=wish.end,
            tables=(),
            movable=not wish.seated,
        )
        options = [
            replace(one, tables=tables)
            for tables in every
            if valid_set(floor, wish.party, tables)
            and not any(clash(replace(one, tables=tables), other) for other in placed)
        ]
        if options:
            placed.append(options[draw(st.integers(0, len(options) - 1))])
    return placed


@st.composite
def random_states(draw: st.DrawFn) -> tuple[FloorPlan, list[Occupant], PlanRequest]:
    """A random floor and stream, all but the last request placed at random."""
    floor, wishes = draw(scenarios())
    last = wishes[-1]
    want = PlanRequest(
        booking_id="new",
        party_size=last.party,
        start=last.start,
        end=last.end,
        zone_preference=last.zone,
    )
    return floor, place_randomly(draw, floor, wishes[:-1]), want


@st.composite
def crowded_states(draw: st.DrawFn) -> tuple[FloorPlan, list[Occupant], PlanRequest]:
    """One busy hour: small parties spread badly over 3–6 tables, then a bigger party."""
    count = draw(st.integers(3, 6))
    tables = [
        Table(key=f"T{i}", zone="main", capacity=draw(st.sampled_from([2, 2, 4, 4, 6])))
        for i in range(count)
    ]
    keys = [t.key for t in tables]
    pairs = draw(st.sets(st.tuples(st.sampled_from(keys), st.sampled_from(keys)), max_size=6))
    floor = FloorPlan(
        slug="crowded",
        name="Crowded",
        policy=VenuePolicy(
            turn_minutes=(TurnRule(max_party=99, minutes=90),), buffer_minutes=BUFFER
        ),
        zones=(Zone(key="main", name="main"),),
        tables=tuple(tables),
        adjacency=frozenset(frozenset(p) for p in pairs if p[0] != p[1]),
    )

    def wish(parties: list[int]) -> Wish:
        start = T0 + timedelta(minutes=draw(st.sampled_from([0, 30, 60])))
        return Wish(
            party=draw(st.sampled_from(parties)),
            start=start,
            end=start + timedelta(minutes=90 + BUFFER),
            zone=None,
            seated=draw(st.sampled_from([False, False, False, True])),
        )

    wishes = [wish([1, 2, 2, 3]) for _ in range(draw(st.integers(1, 5)))]
    last = wish([2, 3, 4, 5, 6])
    want = PlanRequest(booking_id="new", party_size=last.party, start=last.start, end=last.end)
    return floor, place_randomly(draw, floor, wishes), want


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(random_states(), crowded_states()))
def test_v3_places_exactly_when_some_rearrangement_exists(
    state: tuple[FloorPlan, list[Occupant], PlanRequest],
) -> None:
    """V3 succeeds iff brute force finds a rearrangement; its moves keep everything valid."""
    floor, placed, want = state
    result = plan_v3(floor, want, placed, repack_budget_ms=5000)
    new = Occupant(
        booking_id=want.booking_id,
        party_size=want.party_size,
        start=want.start,
        end=want.end,
        tables=(),
        movable=True,
    )
    event(f"v3: {result.reason if isinstance(result, PlanFailure) else result.strategy}")
    if isinstance(result, PlanFailure):
        if result.reason == "no_capacity":
            assert not rearrangement_exists(floor, placed, new)
        else:
            assert result.reason == "party_too_large"
        return
    after = {o.booking_id: o for o in placed}
    for move in result.moves:
        assert after[move.booking_id].movable
        after[move.booking_id] = replace(after[move.booking_id], tables=move.to_tables)
    assert problems(floor, [*after.values(), replace(new, tables=result.tables)]) == []
