"""`python manage.py worker`: a background-task worker for the scale-out profile, one process
that systemd (or Docker) starts again whenever it ends (Restart=always).

At start it marks abandoned the task rows left running by workers of this host whose process
is gone (core.workers: a worker killed mid-upload by SIGKILL or the OOM killer, whose unit
systemd restarts now), and if there were any, queues the periodic sweeps at once, so the upload
that worker was processing is taken up again within seconds (selling.uploads_reconcile reads the
marked rows) rather than after the sweeps' next round. Then it runs django-tasks-db's worker
in this process, under an id that names this host and this process, until:
- SIGTERM or SIGINT (systemctl stop): the task running is finished first, then exit 0;
- --max-tasks tasks are done: exit 0, and systemd starts a fresh process, which gives back
  what a big task made this one grow by (issue 14).

As `serve` runs them: `worker` (every queue, urgent first by priority, WORKER_MAX_TASKS) and
`worker --queue-name urgent` (polls every 0.5 s, never busy with bulk work; ADR 0021).
"""

from __future__ import annotations

from argparse import ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

from studymarket.core.task_queues import URGENT_QUEUE
from studymarket.core.workers import (
    URGENT_POLL_SECONDS,
    WORKER,
    Ticker,
    periodic_schedule,
    task_results_abandon_gone,
    worker_id_new,
)


def _max_tasks(raw: str) -> int:
    if not raw.isdigit():
        raise ArgumentTypeError(f"must be a whole number, 0 or more (0: never), not {raw!r}")
    return int(raw)


def _interval(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise ArgumentTypeError(f"must be a number of seconds, 0 or more, not {raw!r}")
    return value


class Command(BaseCommand):
    help = (
        "Run a background-task worker (scale-out; systemd restarts it): first mark the tasks of "
        "this host's dead workers abandoned and queue the sweeps that take their work up again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue-name",
            default="*",
            help="The queues to take tasks from, joined by commas, or '*' for all (default).",
        )
        parser.add_argument(
            "--max-tasks",
            type=_max_tasks,
            default=None,
            help="Leave (exit code 0) after this many tasks; 0: never. Default: WORKER_MAX_TASKS "
            "for '*', never for the other queues.",
        )
        parser.add_argument(
            "--interval",
            type=_interval,
            default=None,
            help=f"Seconds between looks for work when idle. Default: 1, {URGENT_POLL_SECONDS:g} "
            f"for --queue-name {URGENT_QUEUE}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if not isinstance(task_backends["default"], DatabaseBackend):
            raise CommandError(
                f"TASKS_BACKEND is {backend}: this worker runs the database queue only. "
                "Set TASKS_BACKEND=django_tasks_db.DatabaseBackend (ADR 0025)."
            )
        queues: str = options["queue_name"]
        max_tasks: int | None = options["max_tasks"]
        if max_tasks is None:
            max_tasks = settings.WORKER_MAX_TASKS if queues == "*" else 0
        interval: float | None = options["interval"]
        if interval is None:
            interval = URGENT_POLL_SECONDS if queues == URGENT_QUEUE else 1.0
        verbosity: int = options["verbosity"]

        self._take_up_what_dead_workers_left()
        worker_id = worker_id_new(WORKER)
        if verbosity:
            self.stdout.write(f"Worker {worker_id} takes tasks from the queues {queues}.")
        # db_worker's own loop and signal handling, in this process: its id is this process's.
        call_command(
            "db_worker",
            queue_name=queues,
            interval=interval,
            max_tasks=max_tasks or None,
            worker_id=worker_id,
            reload=False,
            verbosity=verbosity,
            stdout=self.stdout,
            stderr=self.stderr,
        )

    def _take_up_what_dead_workers_left(self) -> None:
        try:
            abandoned = task_results_abandon_gone(starting=True)  # this process has no worker yet
        except Exception as error:
            # Exit code 1: systemd starts the worker again (RestartSec), by then the database
            # may answer; a worker that ran on regardless would fail at its first query anyway.
            raise CommandError(f"Could not look for the tasks of stopped workers: {error}") from error
        if not abandoned:
            return
        self.stderr.write(f"Marked {len(abandoned)} task(s) of a stopped worker as abandoned.")
        # Every periodic task, as `serve` does when its worker dies: the reconcile sweeps read
        # the rows just marked; the others are idempotent and cheap.
        Ticker(periodic_schedule(), self.stderr.write)()
