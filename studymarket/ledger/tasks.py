"""Background tasks of the ledger (django_tasks). They take ids (or nothing) and are idempotent."""

from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_SWEEP
from studymarket.ledger.postings import earnings_release_due


@task(priority=TASK_PRIORITY_SWEEP)
def earnings_release_task() -> int:
    """Periodic (`serve`, every LEDGER_INTERVAL_SECONDS): release the held earnings whose
    guarantee window is over. Returns how many sales were released."""
    return earnings_release_due()
