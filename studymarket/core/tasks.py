"""Background tasks of core (django_tasks)."""

from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_SWEEP
from studymarket.core.task_rows import task_results_abandon_stale, task_results_prune


@task(priority=TASK_PRIORITY_SWEEP)
def task_results_abandon_task() -> None:
    """Queued periodically (config/periodic.py): task rows left running by a worker that is
    gone and that no `serve` or restarted `manage.py worker` on its host has marked."""
    task_results_abandon_stale()


@task(priority=TASK_PRIORITY_SWEEP)
def task_results_prune_task() -> None:
    """Queued periodically (config/periodic.py): old finished task rows deleted."""
    task_results_prune()
