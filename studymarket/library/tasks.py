"""Background tasks of the library (django_tasks). They take ids and are idempotent."""

from django_tasks import task

from studymarket.library.services import stamped_copies_reconcile, stamped_copy_build


@task()
def stamped_copy_build_task(stamped_copy_id: int) -> None:
    stamped_copy_build(stamped_copy_id=stamped_copy_id)


@task()
def stamped_copies_reconcile_task() -> None:
    """Periodic: queue again the copies whose task was lost."""
    stamped_copies_reconcile()
