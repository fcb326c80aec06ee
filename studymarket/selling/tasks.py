"""Background tasks of the seller's journey (django_tasks): ids in, idempotent."""

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from studymarket.core.task_queues import TASK_PRIORITY_SOON, TASK_PRIORITY_SWEEP
from studymarket.core.task_rows import task_results_abandoned
from studymarket.selling.services import (
    drafts_finalize_again,
    listing_finalize,
    upload_process,
    uploads_reconcile,
)


@task(priority=TASK_PRIORITY_SOON)
def upload_process_task(version_id: int) -> None:
    """Process an uploaded version, then put its listing on sale if it is ready: the one chain
    from upload to "on sale" (services.upload_process)."""
    upload_process(version_id=version_id)


@task(priority=TASK_PRIORITY_SOON)
def listing_finalize_task(listing_id: int) -> None:
    """Draw the preview pages the seller chose and put the listing on sale when it is ready."""
    listing_finalize(listing_id=listing_id)


@task(priority=TASK_PRIORITY_SWEEP)
def uploads_reconcile_task() -> None:
    """Queued periodically by `serve` or `manage.py periodic` (config/periodic.py): uploads a killed
    worker or a lost task left unfinished, and described drafts whose finalize was lost."""
    uploads_reconcile()
    drafts_finalize_again(waiting=_tasks_waiting(listing_finalize_task.module_path))


def upload_tasks_waiting() -> set[int]:
    """Versions with a processing task in the queue, not started yet (database queue only:
    other backends cannot be asked, and the task is idempotent anyway)."""
    return _tasks_waiting(upload_process_task.module_path)


def _tasks_waiting(task_path: str) -> set[int]:
    """The first arguments (ids) of ``task_path`` tasks in the queue, not started yet."""
    if not isinstance(task_backends["default"], DatabaseBackend):
        return set()
    waiting = DBTaskResult.objects.ready().filter(task_path=task_path)
    return {
        int(args_kwargs["args"][0])
        for args_kwargs in waiting.values_list("args_kwargs", flat=True)
        if args_kwargs.get("args")
    }


def upload_tasks_abandoned() -> dict[int, datetime]:
    """Versions whose processing task lost its worker in the last day, with the moment the
    worker was found gone (database queue only; core.task_rows)."""
    if not isinstance(task_backends["default"], DatabaseBackend):
        return {}
    since = timezone.now() - timedelta(days=1)
    return {
        int(row.args[0]): row.abandoned_at
        for row in task_results_abandoned(task_path=upload_process_task.module_path, since=since)
        if row.args
    }
