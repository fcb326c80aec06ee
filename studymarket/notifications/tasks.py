"""Background tasks of notifications. Periodic (config/periodic.py): the cleanup."""

from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_BULK
from studymarket.notifications.services import notifications_cleanup


@task(priority=TASK_PRIORITY_BULK)
def notifications_cleanup_task() -> int:
    """Read notifications older than half a year deleted; how many. Safe to run any time."""
    return notifications_cleanup()
