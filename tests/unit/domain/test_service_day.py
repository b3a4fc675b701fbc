"""Service-day events: a modification must change something, a table's outage must end after it
starts; a booking's source defaults to online so v1 streams are unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from seatflow.domain.scenario import BookingRequest
from seatflow.domain.service_day import Modify, Source, TableOut

AT = datetime(2026, 12, 5, 18, tzinfo=UTC)


def test_a_modification_changes_something() -> None:
    """A modify with neither party_size nor start_at means nothing and is refused."""
    with pytest.raises(ValueError, match="party_size and/or start_at"):
        Modify(at=AT, ref="R1")
    assert Modify(at=AT, ref="R1", party_size=3).start_at is None


def test_a_table_out_window_ends_after_it_starts() -> None:
    """An empty or backward outage window is refused."""
    with pytest.raises(ValueError, match="until"):
        TableOut(at=AT, table="A", start=AT, until=AT)
    assert TableOut(at=AT, table="A", start=AT, until=AT + timedelta(hours=1)).kind == "table_out"


def test_source_defaults_to_online() -> None:
    """A v1 booking request is an online one; Source values are the file's strings."""
    request = BookingRequest(ref="R1", requested_at=AT, start_at=AT, party_size=2)
    assert request.source == Source.ONLINE == "online"
    assert [s.value for s in Source] == ["online", "phone", "walk_in"]
