"""Background tasks of the data rights (django_tasks). They take ids and are idempotent."""

from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_BULK, TASK_PRIORITY_SOON
from studymarket.privacy.erasure import trader_records_purge
from studymarket.privacy.export import data_export_build, data_exports_expire


@task(priority=TASK_PRIORITY_SOON)
def data_export_build_task(export_id: int) -> None:
    data_export_build(export_id=export_id)


@task(priority=TASK_PRIORITY_BULK)
def privacy_housekeeping_task() -> None:
    """Periodic: delete data exports past PRIVACY_EXPORT_DAYS and trader records past their
    retention (DSA art. 30(3))."""
    data_exports_expire()
    trader_records_purge()
