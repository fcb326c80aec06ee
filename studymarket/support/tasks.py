"""Background tasks of the back office (django_tasks). They take ids (or nothing) and are
idempotent."""

from django_tasks import task

from studymarket.support.ledger_health import ledger_health_check


@task()
def ledger_check_task() -> int:
    """Periodic (`serve`, every LEDGER_INTERVAL_SECONDS): check the ledger and record the run,
    whose outcome staff see on the back office's ledger page. Returns how many violations."""
    return len(ledger_health_check(record=True))
