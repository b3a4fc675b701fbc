"""Pure decisions of the jobs layer: when a booking runs again, and the demo's calendar shift."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources

import pytest

from seatflow.documents import parse_scenario_text
from seatflow.jobs.evening import shift_into_future
from seatflow.jobs.tasks import DEFAULT_RERUN_DELAY, rerun_delay
from seatflow.pipeline.outcome import Outcome, OutcomeKind

SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (Outcome.confirmed("optimal_fit", ("A",)), None),
        (Outcome.manual_review("no_capacity"), None),
        (Outcome.retry("no_capacity", 7 * SECOND), 7 * SECOND),
        (Outcome.error("OperationalError", 3 * SECOND), 3 * SECOND),
        (Outcome(kind=OutcomeKind.RETRY, reason="no_delay_given"), DEFAULT_RERUN_DELAY),
        (Outcome.noop("lock_contention", SECOND), SECOND),
        (Outcome.noop("terminal_state"), None),
    ],
)
def test_rerun_delay(outcome: Outcome, expected: timedelta | None) -> None:
    """Retry and error always run again; a no-op only when it names a delay; settled never."""
    assert rerun_delay(outcome) == expected


def _sample() -> str:
    return resources.files("seatflow.data").joinpath("sample-evening.json").read_text()


def test_stream_in_the_past_moves_to_tomorrow_by_whole_days() -> None:
    """A stream that already started moves by whole days, keeping times of day and gaps."""
    scenario = parse_scenario_text(_sample())
    first = min(b.start_at for b in scenario.bookings)
    now = first + timedelta(days=40, hours=3)
    moved = shift_into_future(scenario, now)
    new_first = min(b.start_at for b in moved.bookings)
    assert new_first > now and new_first - now < timedelta(days=1)
    shift = new_first - first
    assert shift % timedelta(days=1) == timedelta(0)
    for old, new in zip(scenario.bookings, moved.bookings, strict=True):
        assert new.start_at - old.start_at == shift == new.requested_at - old.requested_at


def test_stream_in_the_future_is_left_as_it_is() -> None:
    """A stream that starts later than an hour from now is not touched."""
    scenario = parse_scenario_text(_sample())
    now = min(b.start_at for b in scenario.bookings) - timedelta(days=2)
    assert shift_into_future(scenario, now) is scenario
