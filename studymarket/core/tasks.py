"""Background tasks of core (django_tasks)."""

from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_SWEEP
from studymarket.core.task_rows import task_results_abandon_stale


@task(priority=TASK_PRIORITY_SWEEP)
def task_results_abandon_task() -> None:
    """Queued periodically by `serve` (config/periodic.py; cron at scale): task rows left
    running by a worker that is gone, for workers `serve` does not watch."""
    task_results_abandon_stale()
