"""The progress bar of a simulated run: what it runs, a bar, done of total, time so far."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def run_progress(console: Console, title: str) -> Progress:
    """A transient bar (gone when the run ends, leaving the summary)."""
    return Progress(
        TextColumn(title),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
