"""django-tasks-db's task rows whose worker died.

django-tasks-db 0.13 keeps no heartbeat of its workers: a row whose worker is killed (SIGKILL,
out of memory, a power cut) stays RUNNING for ever, and nothing runs it again. Here such rows
are marked abandoned: FAILED, with WORKER_LOST as the exception, so the admin and the apps can
tell them from tasks that raised. Who knows that a worker is gone marks its rows: `serve`, which
started it (at once, when it dies); at scale `manage.py worker` as it starts, for the workers of
its host whose process is gone (core.workers); and a periodic sweep for rows running longer than
any task may (TASK_RUNNING_ABANDON_SECONDS). Running a task again is its app's reconcile (ids in,
idempotent): an upload's is selling.uploads_reconcile, which reads ``task_results_abandoned``.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

# Recorded as the row's exception: not an exception anyone raised, the worker was gone.
WORKER_LOST = "studymarket.core.task_rows.WorkerLost"


@dataclass(frozen=True)
class AbandonedTask:
    task_path: str
    args: list[Any]
    started_at: datetime | None
    abandoned_at: datetime  # when its worker was found gone


def task_workers_running() -> set[str]:
    """The ids of the workers that hold a running row (each row's last claim)."""
    return {ids[-1] for ids in DBTaskResult.objects.running().values_list("worker_ids", flat=True) if ids}


def task_results_abandon(
    *, worker_ids: Collection[str] = (), started_before: datetime | None = None
) -> list[AbandonedTask]:
    """Mark abandoned the running rows whose worker is one of ``worker_ids`` (known to be gone),
    or that started before ``started_before``. One conditional UPDATE per row: a row its worker
    finishes meanwhile is left as the worker wrote it."""
    gone = set(worker_ids)
    if not gone and started_before is None:
        return []
    now = timezone.now()
    abandoned = []
    for row in DBTaskResult.objects.running().only(
        "id", "task_path", "args_kwargs", "started_at", "worker_ids"
    ):
        by_gone_worker = bool(row.worker_ids) and row.worker_ids[-1] in gone
        too_long = (
            started_before is not None and row.started_at is not None and row.started_at < started_before
        )
        if not (by_gone_worker or too_long):
            continue
        reason = (
            f"The worker {row.worker_ids[-1] if row.worker_ids else '?'} stopped while running this task."
            if by_gone_worker
            else f"Running for longer than {settings.TASK_RUNNING_ABANDON_SECONDS} s: its worker is gone."
        )
        marked = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=WORKER_LOST,
            traceback=reason,
            return_value=None,
        )
        if marked:
            abandoned.append(
                AbandonedTask(row.task_path, row.args_kwargs.get("args", []), row.started_at, now)
            )
    return abandoned


def task_results_abandon_stale() -> list[AbandonedTask]:
    """The periodic sweep: rows running longer than TASK_RUNNING_ABANDON_SECONDS."""
    return task_results_abandon(
        started_before=timezone.now() - timedelta(seconds=settings.TASK_RUNNING_ABANDON_SECONDS)
    )


def task_results_abandoned(*, task_path: str, since: datetime) -> list[AbandonedTask]:
    """The rows of ``task_path`` marked abandoned since ``since``, oldest first."""
    rows = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED,
        exception_class_path=WORKER_LOST,
        task_path=task_path,
        finished_at__gte=since,
    ).order_by("finished_at")
    return [
        AbandonedTask(row.task_path, row.args_kwargs.get("args", []), row.started_at, row.finished_at)
        for row in rows.only("task_path", "args_kwargs", "started_at", "finished_at")
        if row.finished_at is not None
    ]


def task_results_prune(*, now: datetime | None = None) -> int:
    """Delete finished task rows past their keeping time; returns how many. Successful ones after
    TASK_RESULTS_KEEP_DAYS; failed ones after TASK_RESULTS_FAILED_KEEP_DAYS, longer, since staff
    and /metrics read them. Without this the table grows forever (the workers' heartbeats alone
    add two rows a minute). What django-tasks-db's prune_db_task_results command does, as a
    periodic task, so that no operator has to remember a cron line."""
    now = now or timezone.now()
    kept = {
        TaskResultStatus.SUCCESSFUL: timedelta(days=settings.TASK_RESULTS_KEEP_DAYS),
        TaskResultStatus.FAILED: timedelta(days=settings.TASK_RESULTS_FAILED_KEEP_DAYS),
    }
    deleted = 0
    for status, keep in kept.items():
        count, _ = DBTaskResult.objects.filter(status=status, finished_at__lt=now - keep).delete()
        deleted += count
    return deleted
