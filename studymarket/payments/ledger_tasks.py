"""The ledger's periodic jobs that need facts from above the ledger (django_tasks; no arguments,
idempotent). They live in payments, which sits above orders and the ledger, because the ledger
may not read order lines, refunds or payments itself (pyproject.toml's layers).

Periodic (config/periodic.py), every LEDGER_INTERVAL_SECONDS:
- ``studymarket.payments.ledger_tasks.payout_routes_task``;
- ``studymarket.payments.ledger_tasks.ledger_check_task``.
"""

import dataclasses

from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_BULK, TASK_PRIORITY_SWEEP
from studymarket.payments.ledger_facts import ledger_check
from studymarket.payments.routing import mollie_routes_run


@task(priority=TASK_PRIORITY_SWEEP)
def payout_routes_task() -> dict[str, int]:
    """Route released sales to the sellers' Mollie organisations, and ask again for routes left
    unanswered (same idempotency key). Does nothing unless PAYOUT_PROVIDER=mollie_route."""
    return dataclasses.asdict(mollie_routes_run())


@task(priority=TASK_PRIORITY_BULK)
def ledger_check_task() -> int:
    """Check the ledger and record the run, whose outcome staff see on the back office's
    ledger page. Returns how many violations."""
    return len(ledger_check(record=True))
