"""Background tasks of the library (django_tasks). They take ids and are idempotent."""

from django_tasks import task

from studymarket.core.task_queues import (
    TASK_PRIORITY_SOON,
    TASK_PRIORITY_SWEEP,
    TASK_PRIORITY_WAITING,
    URGENT_QUEUE,
)
from studymarket.library.reader import reader_pages_predraw
from studymarket.library.services import stamped_copies_reconcile, stamped_copy_build


@task(queue_name=URGENT_QUEUE, priority=TASK_PRIORITY_WAITING)
def stamped_copy_build_task(stamped_copy_id: int) -> None:
    stamped_copy_build(stamped_copy_id=stamped_copy_id)


@task(priority=TASK_PRIORITY_SWEEP)
def stamped_copies_reconcile_task() -> None:
    """Periodic: queue again the copies whose task was lost."""
    stamped_copies_reconcile()


@task(priority=TASK_PRIORITY_SOON)
def reader_pages_predraw_task(version_id: int, pages: int) -> None:
    """A bought version's first pages drawn for the reader before the buyer opens it."""
    reader_pages_predraw(version_id=version_id, pages=pages)
