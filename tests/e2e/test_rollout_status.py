"""`seatflow rollout status` as a subprocess on a database seeded with events: GO, NO-GO and
INSUFFICIENT EVIDENCE with their exit codes (0, 1, 4), the figures behind each, per restaurant."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support.cli import run_cli
from support.events import add_events, add_restaurant, shadow_compares

GO, NO_GO, INSUFFICIENT = 0, 1, 4


def status(db_url: str, tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return run_cli(tmp_path, "rollout", "status", "--since", "1h", *options, database_url=db_url)


def table_row(stdout: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is `first`."""
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{stdout}")


def test_almost_nothing_is_insufficient_evidence(db_url: str, tmp_path: Path) -> None:
    """One V3 outcome and two comparisons where legacy was better: INSUFFICIENT (4), not GO."""
    add_events(db_url, "coordinator.confirmed", 1)
    shadow_compares(db_url, "legacy_better", 2)
    done = status(db_url, tmp_path)
    assert done.returncode == INSUFFICIENT, done.stdout + done.stderr
    assert "gate: INSUFFICIENT EVIDENCE" in done.stdout and "gate: GO" not in done.stdout
    assert "V3 success rate 100.0% (needs >= 97.0%) over 1 outcomes (min 200)" in done.stdout
    assert "shadow: V3 worse or failing 100.0% (needs < 1.0%) over 2 comparisons" in done.stdout


def test_an_empty_window_is_insufficient_evidence(db_url: str, tmp_path: Path) -> None:
    """No events at all: INSUFFICIENT EVIDENCE, saying there is nothing to judge."""
    done = status(db_url, tmp_path)
    assert done.returncode == INSUFFICIENT, done.stdout + done.stderr
    assert "no V3 outcomes or shadow comparisons in the window" in done.stdout


def test_enough_good_evidence_is_go(db_url: str, tmp_path: Path) -> None:
    """250 confirmed V3 outcomes, one error, 150 agreeing comparisons: GO (0), every check shown."""
    north = add_restaurant(db_url, "north")
    add_events(db_url, "coordinator.confirmed", 250, restaurant_id=north)
    add_events(db_url, "coordinator.error", 1, restaurant_id=north, context={"reason": "E"})
    add_events(db_url, "coordinator.retry", 30, restaurant_id=north, context={"reason": "x"})
    shadow_compares(db_url, "same", 150, restaurant_id=north)
    done = status(db_url, tmp_path)
    assert done.returncode == GO, done.stdout + done.stderr
    assert "gate: GO" in done.stdout
    assert "V3 success rate 99.6% (needs >= 97.0%) over 251 outcomes (min 200)" in done.stdout
    assert "V3 minutes with errors 1 (needs < 3) over 251 outcomes" in done.stdout
    assert "shadow: V3 worse or failing 0.0% (needs < 1.0%) over 150 comparisons" in done.stdout


def test_enough_comparisons_where_legacy_was_better_is_no_go(db_url: str, tmp_path: Path) -> None:
    """Shadow comparisons with 4 % legacy_better: NO-GO (1) — also beside good V3 outcomes."""
    shadow_compares(db_url, "same", 120)
    shadow_compares(db_url, "legacy_better", 5)
    done = status(db_url, tmp_path)
    assert done.returncode == NO_GO, done.stdout + done.stderr
    assert "gate: NO-GO" in done.stdout
    assert "shadow: V3 worse or failing 4.0% (needs < 1.0%) over 125 comparisons" in done.stdout
    add_events(db_url, "coordinator.confirmed", 300)  # the mixed phase: V3 for some venues
    mixed = status(db_url, tmp_path)
    assert mixed.returncode == NO_GO, mixed.stdout + mixed.stderr


def test_sustained_errors_are_no_go_at_any_sample(db_url: str, tmp_path: Path) -> None:
    """Errors in three distinct minutes fail the gate even over a handful of outcomes."""
    add_events(db_url, "coordinator.error", 3, context={"reason": "E"}, one_minute_each=True)
    done = status(db_url, tmp_path)
    assert done.returncode == NO_GO, done.stdout + done.stderr
    assert "V3 minutes with errors 3 (needs < 3) over 3 outcomes" in done.stdout


def test_one_bad_restaurant_is_not_averaged_away(db_url: str, tmp_path: Path) -> None:
    """A venue at 95 % success makes the gate NO-GO though the total passes; --by-restaurant
    prints each venue's figures and verdict."""
    north, south = add_restaurant(db_url, "north"), add_restaurant(db_url, "south")
    add_events(db_url, "coordinator.confirmed", 1000, restaurant_id=north)
    add_events(db_url, "coordinator.confirmed", 190, restaurant_id=south)
    add_events(db_url, "coordinator.manual_review", 10, restaurant_id=south)
    done = status(db_url, tmp_path, "--by-restaurant")
    assert done.returncode == NO_GO, done.stdout + done.stderr
    assert "restaurant south: V3 success rate 95.0% (needs >= 97.0%) over 200" in done.stdout
    assert "V3 success rate 99.2% (needs >= 97.0%)" not in done.stdout  # the total passed
    assert table_row(done.stdout, "north") == [
        "north",
        "1000",
        "100.0%",
        "0.0%",
        "0",
        "0",
        "—",
        "GO",
    ]
    assert table_row(done.stdout, "south")[1:3] == ["200", "95.0%"]
    assert table_row(done.stdout, "south")[-1] == "NO-GO"
    north_only = status(db_url, tmp_path, "--restaurant", "north")
    assert north_only.returncode == GO, north_only.stdout


def test_minimum_samples_are_options(db_url: str, tmp_path: Path) -> None:
    """--min-outcomes lowers the bar for a small venue; a minimum below 1 is bad input (2)."""
    add_events(db_url, "coordinator.confirmed", 20)
    assert status(db_url, tmp_path).returncode == INSUFFICIENT
    assert status(db_url, tmp_path, "--min-outcomes", "20").returncode == GO
    bad = status(db_url, tmp_path, "--min-comparisons", "0")
    assert bad.returncode == 2 and "--min-comparisons" in bad.stderr


def test_simulated_events_count_only_when_asked(db_url: str, tmp_path: Path) -> None:
    """Events marked simulated are left out of the gate unless --include-simulated."""
    add_events(db_url, "coordinator.confirmed", 250, simulated=True)
    shadow_compares(db_url, "legacy_better", 150, simulated=True)
    real = status(db_url, tmp_path)
    assert real.returncode == INSUFFICIENT, real.stdout
    assert "simulated events left out" in real.stdout
    included = status(db_url, tmp_path, "--include-simulated")
    assert included.returncode == NO_GO, included.stdout
    assert table_row(included.stdout, "V3 success rate")[3] == "250"
    assert "NO-GO at restaurant (unknown)" in included.stdout


def test_bad_input_and_unknown_restaurant(db_url: str, tmp_path: Path) -> None:
    """A malformed --since is bad input (2), an unknown restaurant not found (3); no traceback."""
    bad = run_cli(tmp_path, "rollout", "status", "--since", "soon", database_url=db_url)
    assert bad.returncode == 2 and "--since" in bad.stderr
    missing = status(db_url, tmp_path, "--restaurant", "nowhere")
    assert missing.returncode == 3 and "Traceback" not in missing.stderr


def test_help_documents_the_exit_codes(tmp_path: Path) -> None:
    """`rollout status --help` names each verdict's exit code."""
    done = run_cli(tmp_path, "rollout", "status", "--help", database_url=None)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "0 GO, 1 NO-GO, 4 INSUFFICIENT EVIDENCE" in text
