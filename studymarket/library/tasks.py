"""Background tasks of the library (django_tasks). They take ids and are idempotent."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks.base import TaskResultStatus
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from studymarket.core.task_queues import (
    TASK_PRIORITY_SOON,
    TASK_PRIORITY_SWEEP,
    TASK_PRIORITY_WAITING,
    URGENT_QUEUE,
)
from studymarket.core.task_rows import task_results_abandoned
from studymarket.library.reader import reader_pages_predraw
from studymarket.library.services import stamped_copies_reconcile, stamped_copy_build


@task(queue_name=URGENT_QUEUE, priority=TASK_PRIORITY_WAITING)
def stamped_copy_build_task(stamped_copy_id: int) -> None:
    stamped_copy_build(stamped_copy_id=stamped_copy_id)


@task(priority=TASK_PRIORITY_SWEEP)
def stamped_copies_reconcile_task() -> None:
    """Periodic: queue again the copies whose task was lost, at once when its worker died."""
    stamped_copies_reconcile(abandoned=stamp_tasks_abandoned())


def stamp_tasks_abandoned() -> set[int]:
    """Copies whose build ended without building them in the last day, and that are not queued
    or being built again now (database queue only): its worker was lost (core.task_rows), or
    the task raised (the database restarting under it, say). A build that refuses a file marks
    the copy failed instead, so a copy still pending after a failed task is worth one more try."""
    if not isinstance(task_backends["default"], DatabaseBackend):
        return set()
    path = stamped_copy_build_task.module_path
    since = timezone.now() - timedelta(days=1)
    lost = {int(row.args[0]) for row in task_results_abandoned(task_path=path, since=since) if row.args}
    raised = DBTaskResult.objects.filter(
        task_path=path, status=TaskResultStatus.FAILED, finished_at__gte=since
    ).values_list("args_kwargs", flat=True)
    lost |= {int(a["args"][0]) for a in raised if a.get("args")}
    again = DBTaskResult.objects.filter(
        task_path=path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).values_list("args_kwargs", flat=True)
    return lost - {int(a["args"][0]) for a in again if a.get("args")}


@task(priority=TASK_PRIORITY_SOON)
def reader_pages_predraw_task(version_id: int, pages: int) -> None:
    """A bought version's first pages drawn for the reader before the buyer opens it."""
    reader_pages_predraw(version_id=version_id, pages=pages)
