"""The periodic upkeep registered with procrastinate, the live service's sweeps among it."""

from __future__ import annotations

from seatflow.jobs import tasks
from seatflow.jobs.app import PERIODIC, build_app


def test_the_live_service_sweeps_run_every_minute() -> None:
    """No-shows, whole turns and overstays are swept by periodic tasks on a one-minute cron."""
    assert PERIODIC["seatflow.release_no_shows"] == ("* * * * *", tasks.release_no_shows)
    assert PERIODIC["seatflow.give_whole_turns"] == ("* * * * *", tasks.give_whole_turns)
    assert PERIODIC["seatflow.extend_overstays"] == ("* * * * *", tasks.extend_overstays)


def test_every_periodic_task_is_registered_on_the_app() -> None:
    """build_app registers each periodic body as a task under its stored name."""
    app = build_app()
    assert set(PERIODIC) <= set(app.tasks)
