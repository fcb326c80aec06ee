"""What the status page, /readyz and /metrics read about the running site. Operations sits on
top of every app (pyproject.toml's layers), so it may read their rows; each query here is one
indexed or grouped look, cheap enough for every scrape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from studymarket.core.task_queues import QUEUES
from studymarket.documents.models import DocumentVersion
from studymarket.ledger.models import LedgerCheckRun
from studymarket.ledger.selectors import ledger_check_latest
from studymarket.operations.models import WorkerHeartbeat
from studymarket.payments.models import Payment


@dataclass(frozen=True)
class QueueState:
    queue_name: str
    waiting: int  # ready to run now
    oldest_waiting_seconds: float  # 0 when none waits
    running: int


def task_queue_states() -> list[QueueState]:
    """Every queue of settings.TASKS (core.task_queues.QUEUES), also those with nothing in them."""
    now = timezone.now()
    ready = {
        row["queue_name"]: (row["n"], row["oldest"])
        for row in DBTaskResult.objects.ready()
        .order_by()
        .values("queue_name")
        .annotate(n=Count("id"), oldest=Min("enqueued_at"))
    }
    running = dict(
        DBTaskResult.objects.running()
        .order_by()
        .values("queue_name")
        .annotate(n=Count("id"))
        .values_list("queue_name", "n")
    )
    names = list(dict.fromkeys([*QUEUES, *ready, *running]))
    states = []
    for name in names:
        waiting, oldest = ready.get(name, (0, None))
        age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        states.append(QueueState(name, waiting, age, running.get(name, 0)))
    return states


def task_failure_counts() -> dict[str, int]:
    """Failed task rows by task path (raised, or abandoned by a worker that died), since the rows began."""
    return dict(
        DBTaskResult.objects.failed()
        .order_by()
        .values("task_path")
        .annotate(n=Count("id"))
        .values_list("task_path", "n")
    )


def payment_status_counts() -> dict[str, int]:
    return dict(
        Payment.objects.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    )


def upload_status_counts() -> dict[str, int]:
    """Document versions (uploads and new versions) by outcome: accepted, held, rejected, failed, …"""
    return dict(
        DocumentVersion.objects.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    )


def worker_heartbeat_list() -> list[WorkerHeartbeat]:
    return list(WorkerHeartbeat.objects.order_by("queue_name"))


def heartbeat_age_seconds(heartbeat: WorkerHeartbeat, *, now: datetime | None = None) -> float:
    return max(0.0, ((now or timezone.now()) - heartbeat.beat_at).total_seconds())


def ledger_check_last() -> LedgerCheckRun | None:
    return ledger_check_latest()
