"""structlog set-up: events are data with stable snake_case names, written to stderr.

`SEATFLOW_LOG_FORMAT=json` writes one JSON object per line (for a log shipper), `console` (the
default) one readable line. Libraries that log through the standard library (procrastinate,
uvicorn, alembic) go through the same renderer, so a JSON stream never carries a plain-text line.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from structlog.typing import Processor

from seatflow import __version__
from seatflow.settings import Settings
from seatflow.variables import redact

__all__ = ["configure_logging", "log_startup", "replay"]

log = structlog.get_logger(__name__)


def configure_logging(level: str = "info", fmt: str = "console") -> None:
    """Route structlog and the standard library's loggers to stderr at `level`, as `fmt`."""
    numeric = logging.getLevelNamesMapping()[level.upper()]
    shared: list[Processor] = [
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor
    if fmt == "json":
        shared.append(structlog.processors.format_exc_info)  # a traceback as one string field
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    _route_standard_logging(numeric, shared, renderer)


def _route_standard_logging(numeric: int, shared: list[Processor], renderer: Processor) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    # Libraries speak at warning and above: pgserver, alembic and procrastinate tell of every
    # start, migration step and job at info (seatflow's own `assignment_job_done` says more).
    # uvicorn sets its own loggers to SEATFLOW_LOG_LEVEL, so its access lines still come.
    root.setLevel(max(numeric, logging.WARNING))


def replay(entries: list[MutableMapping[str, Any]]) -> None:
    """Log again what was captured before logging was configured (the settings' own warnings,
    logged while they load), now in the configured format."""
    for entry in entries:
        level = logging.getLevelNamesMapping()[str(entry.pop("log_level")).upper()]
        log.log(level, str(entry.pop("event")), **entry)


def log_startup(settings: Settings, role: str, **details: object) -> None:
    """One line as a long-running process starts: what it is and the flags it runs with, so a
    log search answers "which workers had V3 on at 14:02"."""
    log.info(
        "seatflow_starting",
        role=role,
        version=__version__,
        pid=os.getpid(),
        v3=settings.pipeline_v3,
        v3_shadow=settings.pipeline_v3_shadow,
        v3_max_parallel=settings.pipeline_v3_max_parallel,
        v3_restaurants=sorted(settings.v3_restaurant_slugs) or "all",
        v3_percent=settings.pipeline_v3_percent,
        database=redact(settings.database_url) if settings.database_url else "embedded",
        **details,
    )
