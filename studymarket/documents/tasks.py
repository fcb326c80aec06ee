"""Background tasks of the documents app (django_tasks). They take ids and are idempotent."""

from django_tasks import task, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from studymarket.documents.processing import document_version_process, document_versions_reconcile


@task()
def document_version_process_task(version_id: int) -> None:
    document_version_process(version_id=version_id)


def process_tasks_waiting() -> set[int]:
    """Versions with a processing task in the queue, not started yet (database queue only:
    other backends cannot be asked, and the task is idempotent anyway)."""
    if not isinstance(task_backends["default"], DatabaseBackend):
        return set()
    waiting = DBTaskResult.objects.ready().filter(task_path=document_version_process_task.module_path)
    return {
        int(args_kwargs["args"][0])
        for args_kwargs in waiting.values_list("args_kwargs", flat=True)
        if args_kwargs.get("args")
    }


@task()
def document_versions_reconcile_task() -> None:
    """Queued periodically by `serve` (and by cron at scale): uploads a killed worker left."""
    document_versions_reconcile()
