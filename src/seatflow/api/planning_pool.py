"""The API's planning processes: started from a fork server, and gone when the API is.

Planning is pure Python: in a thread it would hold the API process's interpreter lock and slow
every other request; in its own process it competes for a core like any other program, and the
event loop stays free. Those processes must not outlive the API. A pool worker holds its own
call queue's write end and the fork server's liveness pipe, so neither ever sees the API go:
measured before this module, every stop of `seatflow serve` — SIGTERM as much as SIGKILL — left
the fork server, a planning process and the resource tracker behind (~300 MB each time). So a
stop waits for the processes to exit, and each process also ends itself when the API process
ends (a crash, the OOM killer, `kill -9`), after which the fork server and the tracker see their
last client go and exit too.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import select
import threading
import time
from concurrent.futures import ProcessPoolExecutor

__all__ = ["PLANNING_PROCESSES", "planning_pool", "stop_planning"]

#: Processes that plan (availability, create, modify).
PLANNING_PROCESSES = 2
#: Planning yields the CPU to the API's event loop (and the database beside it) when both want it.
PLANNING_NICENESS = 10
#: Without a pidfd (Linux < 5.3), how often a planning process looks for the API.
_POLL_SECONDS = 1.0


def planning_pool() -> ProcessPoolExecutor:
    """Worker processes forked from a fork server that has the planner imported already, so a
    worker starts in milliseconds and the API's own threads and sockets are never forked."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["seatflow.api.availability"])
    return ProcessPoolExecutor(
        PLANNING_PROCESSES,
        mp_context=context,
        initializer=_start_planning_process,
        initargs=(os.getpid(),),
    )


async def stop_planning(pool: ProcessPoolExecutor) -> None:
    """Cancel the plans still queued, let the running ones end (each is bounded by its budget)
    and wait for the processes to exit — off the event loop."""
    await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


def _start_planning_process(api_pid: int) -> None:
    _yield_cpu()
    threading.Thread(target=_exit_with, args=(api_pid,), name="exit-with-api", daemon=True).start()


def _yield_cpu() -> None:
    """Run only on CPU time the event loop and PostgreSQL leave over (Linux SCHED_IDLE), else at
    a low priority. A request that plans waits a little longer under load; one that only reads
    is not slowed by another tenant's planning."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(PLANNING_NICENESS)


def _exit_with(pid: int) -> None:
    """End this process as soon as process `pid` has ended (a pidfd turns readable then)."""
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        while _alive(pid):
            time.sleep(_POLL_SECONDS)
    else:
        select.select([pidfd], [], [])
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
