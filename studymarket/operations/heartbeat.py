"""Worker heartbeats. django-tasks-db 0.13 keeps none (core.workers), and `serve` runs its
`db_worker` as it is, so instead of a hook in the worker's loop the heartbeat is a task: the
periodic scheduler queues one on each queue every WORKER_HEARTBEAT_INTERVAL_SECONDS
(config/periodic.py), and the worker that takes it writes the time and its id. A queue whose
heartbeat is old has no worker taking its tasks (down, or stuck behind one long task), which
is what a buyer waiting for a PDF would notice. The scheduler queues no second copy while one
waits, so a dead worker does not pile them up.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskContext

from studymarket.core.task_queues import TASK_PRIORITY_HEARTBEAT
from studymarket.operations.models import WorkerHeartbeat


def heartbeat_record(*, queue_name: str, worker_id: str, at: datetime | None = None) -> None:
    WorkerHeartbeat.objects.update_or_create(
        queue_name=queue_name, defaults={"worker_id": worker_id[:64], "beat_at": at or timezone.now()}
    )


@task(priority=TASK_PRIORITY_HEARTBEAT, takes_context=True)
def worker_heartbeat_task(context: TaskContext) -> None:
    """Queued on every queue (``.using(queue_name=...)``); one small UPDATE."""
    result: Any = context.task_result
    worker_ids = list(getattr(result, "worker_ids", None) or [])
    heartbeat_record(queue_name=result.task.queue_name, worker_id=worker_ids[-1] if worker_ids else "")
