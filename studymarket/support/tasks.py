"""Background tasks of the back office (django_tasks): ids in, idempotent."""

from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_SOON
from studymarket.documents.rights_mail import rights_holder_decision_notify


@task(priority=TASK_PRIORITY_SOON)
def rights_holder_decision_notify_task(version_id: int, listing_url: str) -> None:
    """E-mail staff's decision on a held upload to the rights holders whose work it repeats
    (each at most once: documents.rights_mail)."""
    rights_holder_decision_notify(version_id=version_id, listing_url=listing_url)
