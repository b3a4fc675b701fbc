"""Event contexts: JSON-safe conversion, the size cap and contact stripping, for any input."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from seatflow.store.event_json import CONTACT_KEYS, context_json, make_json_safe
from seatflow.store.events import Event, prepare_event

json_leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.uuids()
contexts = st.dictionaries(
    st.text(max_size=20),
    st.recursive(
        json_leaves | st.datetimes() | st.sets(st.integers(), max_size=5),
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
        max_leaves=40,
    ),
    max_size=30,
)


class Colour(Enum):
    RED = "red"


@dataclass(frozen=True)
class Guest:
    name: str
    guest_email: str
    party: int


def _contains_contact_key(value: object) -> bool:
    if isinstance(value, dict):
        return any(k.lower() in CONTACT_KEYS or _contains_contact_key(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_contact_key(v) for v in value)
    return False


@settings(max_examples=100, deadline=None)
@given(contexts, st.sampled_from([256, 1024, 8192]))
def test_any_context_becomes_valid_json_under_the_cap(context: dict[str, object], cap: int) -> None:
    """Whatever the context holds, the result parses, has no NaN and fits in the cap."""
    text = context_json(context, cap)
    assert len(text.encode("utf-8")) <= cap
    parsed = json.loads(text)
    assert isinstance(parsed, dict)
    assert not _contains_contact_key(parsed)
    json.dumps(parsed, allow_nan=False)


def test_scalars_of_every_kind_are_converted() -> None:
    """Dates, decimals, enums, tuples, dataclasses, infinities and exceptions are made safe."""
    assert make_json_safe(date(2026, 1, 2)) == "2026-01-02"
    assert make_json_safe(datetime(2026, 1, 2, 3, 4, tzinfo=UTC)) == "2026-01-02T03:04:00+00:00"
    assert make_json_safe(Decimal("1.5")) == 1.5
    assert make_json_safe(Decimal("NaN")) is None
    assert make_json_safe(float("-inf")) is None
    assert make_json_safe(Colour.RED) == "red"
    assert make_json_safe((1, UUID(int=1))) == [1, "00000000-0000-0000-0000-000000000001"]
    assert make_json_safe(frozenset({"b", "a"})) == ["a", "b"]
    assert make_json_safe(Guest(name="t1", guest_email="x@y", party=2)) == {
        "name": "t1",
        "party": 2,
    }
    assert make_json_safe(ValueError("bad")) == "ValueError: bad"
    assert make_json_safe({1: "a"}) == {"1": "a"}


def test_a_broken_repr_and_deep_nesting_do_not_raise() -> None:
    """Objects whose repr raises, and nesting deeper than the limit, still convert."""

    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError

    nested: object = "leaf"
    for _ in range(50):
        nested = [nested]
    assert make_json_safe(Broken()) == "<unreprable Broken>"
    assert "<max depth>" in json.dumps(make_json_safe(nested))


def test_characters_postgres_rejects_are_replaced() -> None:
    """NUL characters and lone surrogates, which jsonb refuses, are replaced."""
    text = context_json({"a\x00": "x\x00y", "s": "\ud800"})
    assert "\\u0000" not in text
    text.encode("utf-8")


def test_truncation_keeps_small_values_and_dashboard_keys() -> None:
    """Only the large values are replaced; trigger and mode survive."""
    context = {"trigger": "creation", "mode": "v3", "small": 1, "big": "x" * 10_000}
    parsed = json.loads(context_json(context, 1024))
    assert parsed["_truncated"] is True
    assert (parsed["trigger"], parsed["mode"], parsed["small"]) == ("creation", "v3", 1)
    assert parsed["big"].startswith("<truncated 10002 bytes")


def test_many_small_keys_are_dropped_and_counted() -> None:
    """When replacing values is not enough, keys are dropped and their number recorded."""
    context = {f"k{i}": i for i in range(2000)} | {"trigger": "creation"}
    parsed = json.loads(context_json(context, 512))
    assert parsed["_truncated"] is True
    assert parsed["_dropped_keys"] > 0
    assert parsed["trigger"] == "creation"


def test_prepare_event_fixes_severity_and_naive_timestamps() -> None:
    """An unknown severity is stored as warning; a naive created_at is taken as UTC."""
    event = prepare_event(
        Event(source="s", event_type="t", severity="loud", created_at=datetime(2026, 1, 1))
    )
    assert event.severity == "warning"
    assert event.context == {"severity_ref": "loud"}
    assert event.created_at.tzinfo is UTC
