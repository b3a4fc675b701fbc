"""The event sink: producers enqueue, a background task batches rows into observability_events.

Telemetry never blocks or breaks an assignment: `emit()` only prepares a row and appends it to a
bounded queue (or drops it and counts); the writer drops a batch it cannot write, counts it and
logs once per failure. Every sink stores the same normalised event (see `prepare_event`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Literal, NamedTuple, Protocol, get_args
from uuid import UUID

import psycopg
import structlog
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool

from seatflow.store.database import Connection, lone_statements, prepare_option
from seatflow.store.event_json import MAX_CONTEXT_BYTES, clean_text, context_json, make_json_safe
from seatflow.store.queries import query

__all__ = [
    "APPLICATION_NAME",
    "SEVERITIES",
    "BatchingEventSink",
    "Event",
    "EventSink",
    "MemoryEventSink",
    "NullEventSink",
    "Severity",
    "make_json_safe",
    "prepare_event",
]

log = structlog.get_logger(__name__)

Severity = Literal["info", "warning", "error", "critical"]
SEVERITIES: Final[frozenset[str]] = frozenset(get_args(Severity))
_NAME_LIMIT: Final = 200
#: How the sink's own connection shows in pg_stat_activity.
APPLICATION_NAME: Final = "seatflow-event-sink"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One observability event, as a producer hands it over (ids and context not yet checked).

    `severity` should be one of SEVERITIES; anything else is stored as "warning" with the
    original under `severity_ref`. `created_at` is when it was enqueued: pass the clock's now.
    """

    source: str
    event_type: str
    severity: str = "info"
    booking_id: UUID | str | None = None
    restaurant_id: UUID | str | None = None
    context: Mapping[str, object] = field(default_factory=dict)
    created_at: datetime = field(default_factory=_utcnow)


class EventSink(Protocol):
    """Where events go. `emit` is synchronous, never blocks on I/O and never raises."""

    @property
    def dropped(self) -> int: ...

    def emit(self, event: Event) -> None: ...


class _Row(NamedTuple):
    created_at: datetime
    source: str
    event_type: str
    severity: str
    booking_id: UUID | None
    restaurant_id: UUID | None
    context: str  # JSON text, capped
    simulated: bool = False  # written by a simulation or the demo: left out of the rollout gate


def _as_uuid(value: object) -> tuple[UUID | None, str | None]:
    """(uuid, None) for a valid id, (None, original) for a malformed one, (None, None) if absent."""
    if value is None or isinstance(value, UUID):
        return value, None
    text = clean_text(str(value))[:_NAME_LIMIT]
    try:
        return UUID(text), None
    except ValueError:
        return None, text


def _prepare_row(event: Event, max_context_bytes: int) -> _Row:
    context: dict[str, object] = dict(event.context or {})
    booking_id, booking_ref = _as_uuid(event.booking_id)
    restaurant_id, restaurant_ref = _as_uuid(event.restaurant_id)
    if booking_ref is not None:
        context["booking_ref"] = booking_ref
    if restaurant_ref is not None:
        context["restaurant_ref"] = restaurant_ref
    severity = str(event.severity)
    if severity not in SEVERITIES:
        context["severity_ref"] = severity
        severity = "warning"
    created_at = event.created_at if isinstance(event.created_at, datetime) else _utcnow()
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    return _Row(
        created_at=created_at,
        source=clean_text(str(event.source))[:_NAME_LIMIT],
        event_type=clean_text(str(event.event_type))[:_NAME_LIMIT],
        severity=severity,
        booking_id=booking_id,
        restaurant_id=restaurant_id,
        context=context_json(context, max_context_bytes),
    )


def prepare_event(event: Event, *, max_context_bytes: int = MAX_CONTEXT_BYTES) -> Event:
    """The event as it will be stored: UUID-or-None ids, a valid severity, a safe capped context."""
    row = _prepare_row(event, max_context_bytes)
    return Event(
        source=row.source,
        event_type=row.event_type,
        severity=row.severity,
        booking_id=row.booking_id,
        restaurant_id=row.restaurant_id,
        context=json.loads(row.context),
        created_at=row.created_at,
    )


class NullEventSink:
    """Discards everything: for callers that have nowhere to report (and for benchmarks)."""

    dropped: int = 0

    def emit(self, event: Event) -> None:
        return None


class MemoryEventSink:
    """Keeps the prepared events in a list, so tests of callers see what would be stored."""

    def __init__(self, *, max_context_bytes: int = MAX_CONTEXT_BYTES) -> None:
        self.events: list[Event] = []
        self.dropped = 0
        self._max_context_bytes = max_context_bytes

    def emit(self, event: Event) -> None:
        try:
            self.events.append(prepare_event(event, max_context_bytes=self._max_context_bytes))
        except Exception:  # same promise as the real sink: never raise, count instead
            self.dropped += 1

    def of_type(self, event_type: str) -> list[Event]:
        return [e for e in self.events if e.event_type == event_type]


class BatchingEventSink:
    """Bounded in-memory queue → one multi-row INSERT per batch, on its own connection or pool.

    `start()` launches the background writer on the running loop; `flush()` writes what is
    queued now; `aclose()` stops the writer and flushes the rest. Call `emit` from the loop's
    thread (from another thread it still works, but waits for the next interval).
    """

    def __init__(
        self,
        target: str | AsyncConnectionPool[Connection],
        *,
        max_queue: int = 10_000,
        batch_size: int = 500,
        flush_interval: float = 0.5,
        write_timeout: float = 5.0,
        max_context_bytes: int = MAX_CONTEXT_BYTES,
        simulated: bool = False,
    ) -> None:
        self._url = target if isinstance(target, str) else None
        self._pool = None if isinstance(target, str) else target
        self._conn: psycopg.AsyncConnection[TupleRow] | None = None
        self._queue: deque[_Row] = deque()
        self._max_queue = max_queue
        self._batch_size = max(1, batch_size)
        self._interval = flush_interval
        self._write_timeout = write_timeout
        self._max_context_bytes = max_context_bytes
        self._simulated = simulated
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._loop_thread: int | None = None
        self._closed = False  # emits are refused
        self._stopping = False  # the writer loop ends
        self._overflowing = False
        self._bad_event_logged = False
        self._dropped = 0
        self.written = 0
        self.failed_writes = 0

    @property
    def dropped(self) -> int:
        """Events lost: queue full, sink closed, unpreparable, or in a batch that failed."""
        return self._dropped

    @property
    def pending(self) -> int:
        return len(self._queue)

    def emit(self, event: Event) -> None:
        try:
            if self._closed or len(self._queue) >= self._max_queue:
                self._drop_on_overflow()
                return
            row = _prepare_row(event, self._max_context_bytes)
            self._queue.append(row._replace(simulated=True) if self._simulated else row)
            if len(self._queue) >= self._batch_size:
                self._wake_writer()
        except (
            Exception
        ) as exc:  # the hot path never raises; a malformed event is a bug, say so once
            self._dropped += 1
            if not self._bad_event_logged:
                self._bad_event_logged = True
                log.warning("event_sink_bad_event", error=f"{type(exc).__name__}: {exc}"[:300])

    def _drop_on_overflow(self) -> None:
        self._dropped += 1
        if not self._overflowing:  # one log line per overflow episode, not one per event
            self._overflowing = True
            if self._closed:
                log.warning("event_sink_closed")
            else:
                log.warning("event_sink_queue_full", max_queue=self._max_queue)

    def _wake_writer(self) -> None:
        if self._loop_thread == threading.get_ident() and not self._wake.is_set():
            self._wake.set()

    def start(self) -> None:
        """Launch the background writer on the running event loop (idempotent)."""
        if self._task is None and not self._closed:
            self._loop_thread = threading.get_ident()
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="seatflow-event-sink"
            )

    async def flush(self) -> None:
        """Write everything queued right now, batch by batch; never raises.

        After a failed write the rest of this flush is dropped too, so a dead database costs
        one write timeout per flush (and per shutdown), not one per batch.
        """
        async with self._lock:
            remaining = len(self._queue)
            while remaining > 0 and self._queue:
                size = min(self._batch_size, len(self._queue), remaining)
                batch = [self._queue.popleft() for _ in range(size)]
                remaining -= size
                error = await self._write(batch)
                if error is not None:
                    skipped = [self._queue.popleft() for _ in range(min(remaining, self.pending))]
                    await self._record_failure(len(batch) + len(skipped), error)
                    break
            if not self._closed and len(self._queue) < self._max_queue:
                self._overflowing = False

    async def aclose(self) -> None:
        """Stop the writer, flush what remains, close our own connection (never a shared pool)."""
        self._closed = self._stopping = True
        if self._task is not None:
            self._wake.set()
            with contextlib.suppress(Exception):
                await self._task
            self._task = None
        await self.flush()
        await self._discard_connection()

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # pragma: no cover - flush already swallows write errors
                log.exception("event_sink_writer_error")

    async def _write(self, batch: list[_Row]) -> Exception | None:
        try:
            await asyncio.wait_for(self._insert(batch), self._write_timeout)
        except Exception as exc:  # a dead database drops the batch; assignment goes on
            return exc
        self.written += len(batch)
        return None

    async def _record_failure(self, dropped: int, error: Exception) -> None:
        self._dropped += dropped
        self.failed_writes += 1
        log.warning(
            "event_sink_write_failed",
            dropped=dropped,
            dropped_total=self._dropped,
            error=f"{type(error).__name__}: {error}"[:300],
        )
        await self._discard_connection()

    async def _insert(self, batch: list[_Row]) -> None:
        params = {name: [getattr(row, name) for row in batch] for name in _Row._fields}
        if self._pool is not None:
            async with (
                self._pool.connection(timeout=self._write_timeout) as conn,
                lone_statements(conn),  # one INSERT: one round trip, no BEGIN / COMMIT
            ):
                await conn.execute(query("insert_events"), params)
            return
        if self._conn is None or self._conn.closed:
            assert self._url is not None
            self._conn = await psycopg.AsyncConnection.connect(
                self._url,
                autocommit=True,
                connect_timeout=max(2, int(self._write_timeout)),
                application_name=APPLICATION_NAME,
                **prepare_option(),
            )
        await self._conn.execute(query("insert_events"), params)

    async def _discard_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
