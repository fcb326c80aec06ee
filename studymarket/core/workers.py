"""What the task workers and the periodic scheduler share, wherever they run: `serve` in the
embedded profile (one supervisor starts them all), and at scale `manage.py worker` and
`manage.py periodic`, each a process of its own that systemd restarts.

Worker ids name who answers for the worker, the host and that process's id:
``serve:<host>:<pid of serve>:<random>`` for `serve`'s children (they die with it),
``worker:<host>:<pid of the worker>:<random>`` for `manage.py worker`. django-tasks-db 0.13
keeps no worker heartbeat; from the id, any of these processes on the same host can tell that
the worker behind a row left running is gone and mark the row abandoned (core.task_rows).
Each host (each container) needs a host name of its own: on another host the process id means
nothing, and those rows are left to the periodic sweep (TASK_RUNNING_ABANDON_SECONDS).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from typing import Any, Final

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from studymarket.core.processes import pid_running
from studymarket.core.task_rows import AbandonedTask, task_results_abandon, task_workers_running

SERVE: Final = "serve"  # a worker `serve` started
WORKER: Final = "worker"  # `manage.py worker`, the scale-out worker
KINDS: Final = (SERVE, WORKER)
# The urgent worker looks for work this often when idle (the others every second, db_worker's
# default): the wait before a buyer's PDF is started, at the cost of one small query each time.
URGENT_POLL_SECONDS: Final = 0.5


def host_name() -> str:
    return "".join(c for c in socket.gethostname() if c.isalnum() or c in ".-")[:30]


def worker_id_prefix(kind: str, pid: int) -> str:
    return f"{kind}:{host_name()}:{pid}:"


def worker_id_new(kind: str) -> str:
    """An id for a worker answered for by this process (at most 54 characters; db_worker takes 64)."""
    return f"{worker_id_prefix(kind, os.getpid())}{os.urandom(4).hex()}"


def worker_gone(worker_id: str, *, starting: bool = False) -> bool:
    """A worker of this host whose process (its `serve`, or the `manage.py worker` itself) is
    gone. Other hosts' workers, and workers with ids of another form, are not ours to judge.
    A process id used again by an unrelated process reads as alive: the row then waits for the
    periodic sweep, which is slow but never marks a live worker's row.

    An id with this process's own id is one of ours, alive, unless ``starting``: a process that
    has no worker yet is then the next one with the same process id (a container's first
    process, started again, is PID 1 again), and the id is its dead predecessor's."""
    parts = worker_id.split(":")
    if len(parts) != 4 or parts[0] not in KINDS or parts[1] != host_name() or not parts[2].isdigit():
        return False
    pid = int(parts[2])
    if pid == os.getpid():
        return starting
    return not pid_running(pid)


def task_results_abandon_gone(*, starting: bool = False) -> list[AbandonedTask]:
    """Mark abandoned the rows left running by workers of this host whose process is gone (a
    `serve` stopped by a power cut, a `manage.py worker` killed by the OOM killer); ``starting``
    as for worker_gone."""
    gone = [worker_id for worker_id in task_workers_running() if worker_gone(worker_id, starting=starting)]
    return task_results_abandon(worker_ids=gone)


def periodic_schedule() -> list[tuple[Task[[], Any], float]]:
    """settings.PERIODIC_TASKS (config/periodic.py): (task, interval in seconds) pairs."""
    schedule: list[tuple[Task[[], Any], float]] = import_string(settings.PERIODIC_TASKS)()
    return schedule


class Ticker:
    """Queues each periodic task when it is due; called in a loop by its owner (`serve`'s
    supervisor, `manage.py periodic`), so it stops with it; the workers do the work.

    A task that still has a copy waiting in the database queue is not queued again: a second
    scheduler, or workers that are behind or down, then do not pile up copies of the sweeps
    (they are idempotent, so a copy too many is only wasted work)."""

    def __init__(self, schedule: list[tuple[Task[[], Any], float]], err: Callable[[str], None]) -> None:
        self.schedule = schedule
        self.err = err
        self.next_at = [0.0] * len(schedule)  # all due at once

    def due_now(self) -> None:
        self.next_at = [0.0] * len(self.schedule)

    def __call__(self) -> list[str]:
        """Queue the tasks that are due; returns the names of those queued."""
        # Outside a request nothing else drops a connection that broke (PostgreSQL restarted):
        # without this the scheduler would say "the connection is closed" for ever.
        close_old_connections()
        now = time.monotonic()
        queued = []
        for i, (task, interval) in enumerate(self.schedule):
            if now < self.next_at[i]:
                continue
            self.next_at[i] = now + interval
            try:
                if not _waiting(task):
                    task.enqueue()
                    queued.append(task.name)
            except Exception as error:  # a busy database must not stop the site
                self.err(f"Could not queue {task.name}: {error}; trying again in {interval:g} s.")
        return queued


def _waiting(task: Task[[], Any]) -> bool:
    """A copy of ``task`` is in the database queue, not started yet (other backends cannot be asked)."""
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    return bool(
        DBTaskResult.objects.ready()
        .filter(backend_name=backend.alias, task_path=task.module_path, queue_name=task.queue_name)
        .exists()
    )
