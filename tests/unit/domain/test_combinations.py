"""valid_combinations / combinations_for against a brute-force reading of seating rules 3–5."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from seatflow.domain.combinations import combinations_for, valid_combinations
from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone

KeySet = set[tuple[str, ...]]
POLICY_TURNS = (TurnRule(max_party=99, minutes=90),)


def make_floor(
    tables: Iterable[Table],
    pairs: Iterable[tuple[str, str]] = (),
    *,
    max_tables: int = 3,
    zones: Iterable[str] = ("main",),
) -> FloorPlan:
    return FloorPlan(
        slug="prop",
        name="Prop",
        policy=VenuePolicy(turn_minutes=POLICY_TURNS, max_tables_per_booking=max_tables),
        zones=tuple(Zone(key=z, name=z.title()) for z in zones),
        tables=tuple(tables),
        adjacency=frozenset(frozenset(p) for p in pairs),
    )


@st.composite
def floors(draw: st.DrawFn) -> FloorPlan:
    """Small random floors: 2–7 tables over 1–2 zones, random adjacency and limits."""
    zone_keys = ["main", "terrace"][: draw(st.integers(1, 2))]
    tables = []
    for i in range(draw(st.integers(2, 7))):
        capacity = draw(st.integers(1, 8))
        tables.append(
            Table(
                key=f"T{i}",
                zone=draw(st.sampled_from(zone_keys)),
                capacity=capacity,
                min_party=draw(st.integers(1, capacity)),
                combinable=draw(st.booleans()),
            )
        )
    all_pairs = list(combinations([t.key for t in tables], 2))
    chosen = [p for p in all_pairs if draw(st.booleans())]
    return make_floor(tables, chosen, max_tables=draw(st.integers(1, 4)), zones=zone_keys)


def connected(keys: tuple[str, ...], adjacency: frozenset[frozenset[str]]) -> bool:
    """BFS over the adjacency pairs restricted to `keys`."""
    members = set(keys)
    seen = {keys[0]}
    queue = deque([keys[0]])
    while queue:
        current = queue.popleft()
        for pair in adjacency:
            if current in pair:
                (other,) = pair - {current}
                if other in members and other not in seen:
                    seen.add(other)
                    queue.append(other)
    return seen == members


def brute_force(floor: FloorPlan, party: int) -> KeySet:
    """Every subset of 1..max tables that the scenario-format rules say can seat `party`."""
    found: KeySet = set()
    for size in range(1, floor.policy.max_tables_per_booking + 1):
        for subset in combinations(floor.tables, size):
            keys = tuple(sorted(t.key for t in subset))
            if size == 1:
                ok = subset[0].min_party <= party <= subset[0].capacity
            else:
                ok = (
                    all(t.combinable for t in subset)
                    and len({t.zone for t in subset}) == 1
                    and connected(keys, floor.adjacency)
                    and sum(t.capacity for t in subset) >= party
                )
            if ok:
                found.add(keys)
    return found


def keys_for(floor: FloorPlan, party: int) -> KeySet:
    return {c.tables for c in combinations_for(floor, party)}


@settings(max_examples=300, deadline=None)
@given(floors())
def test_combinations_match_brute_force(floor: FloorPlan) -> None:
    """For every party size, combinations_for equals the brute-force set of valid table sets."""
    total = sum(t.capacity for t in floor.tables)
    union: KeySet = set()
    for party in range(1, total + 2):
        expected = brute_force(floor, party)
        assert keys_for(floor, party) == expected, f"party {party}"
        union |= expected
    assert {c.tables for c in valid_combinations(floor)} == union | {(t.key,) for t in floor.tables}


@settings(max_examples=150, deadline=None)
@given(floors())
def test_combination_fields_are_consistent(floor: FloorPlan) -> None:
    """Each combination is listed once, with sorted keys, its zone and its summed capacity."""
    combos = valid_combinations(floor)
    assert len({c.tables for c in combos}) == len(combos)
    for combo in combos:
        members = [floor.table(k) for k in combo.tables]
        assert list(combo.tables) == sorted(combo.tables)
        assert combo.size == len(members) <= max(1, floor.policy.max_tables_per_booking)
        assert {t.zone for t in members} == {combo.zone}
        assert combo.capacity == sum(t.capacity for t in members)


def test_non_combinable_table_is_only_used_alone() -> None:
    """A non-combinable table seats parties on its own but never joins a neighbour."""
    floor = make_floor(
        [
            Table(key="A", zone="main", capacity=4, combinable=False),
            Table(key="B", zone="main", capacity=4),
            Table(key="C", zone="main", capacity=4),
        ],
        [("A", "B"), ("B", "C")],
    )
    assert keys_for(floor, 4) == {("A",), ("B",), ("C",), ("B", "C")}
    assert keys_for(floor, 6) == {("B", "C")}
    assert all("A" not in c.tables for c in valid_combinations(floor) if c.size > 1)


def test_adjacent_tables_in_different_zones_are_not_joined() -> None:
    """Adjacency across a zone boundary does not make a valid combination."""
    floor = make_floor(
        [Table(key="A", zone="main", capacity=4), Table(key="B", zone="terrace", capacity=4)],
        [("A", "B")],
        zones=("main", "terrace"),
    )
    assert keys_for(floor, 6) == set()
    assert {c.tables for c in valid_combinations(floor)} == {("A",), ("B",)}


def test_tables_must_be_connected_through_adjacency() -> None:
    """Two same-zone tables with no adjacency path between them are not a combination."""
    floor = make_floor(
        [Table(key=k, zone="main", capacity=2) for k in "ABC"],
        [("A", "B")],
    )
    assert keys_for(floor, 4) == {("A", "B")}


def test_max_tables_per_booking_is_respected() -> None:
    """A chain of four two-tops seats six only when three tables may be joined."""
    tables = [Table(key=k, zone="main", capacity=2) for k in "ABCD"]
    chain = [("A", "B"), ("B", "C"), ("C", "D")]
    assert keys_for(make_floor(tables, chain, max_tables=2), 6) == set()
    assert keys_for(make_floor(tables, chain, max_tables=3), 6) == {
        ("A", "B", "C"),
        ("B", "C", "D"),
    }
    assert keys_for(make_floor(tables, chain, max_tables=1), 3) == set()


def test_single_table_respects_min_party_but_joined_set_has_none() -> None:
    """A lone table needs min_party; a joined set (rule 5) sets no minimum."""
    floor = make_floor(
        [
            Table(key="A", zone="main", capacity=6, min_party=3),
            Table(key="B", zone="main", capacity=2),
        ],
        [("A", "B")],
    )
    assert keys_for(floor, 2) == {("B",), ("A", "B")}
    assert keys_for(floor, 3) == {("A",), ("A", "B")}
