"""The metrics the database knows, read at each scrape (operations.metrics): the same answer
from every web process, whichever process or machine did the work. A few grouped counts; a
database that does not answer gives ``studymarket_metrics_database_up 0`` and the request
metrics still go out."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.db import close_old_connections
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from studymarket.operations.selectors import (
    heartbeat_age_seconds,
    ledger_check_last,
    payment_status_counts,
    task_failure_counts,
    task_queue_states,
    upload_status_counts,
    worker_heartbeat_list,
)

logger = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        up = GaugeMetricFamily("studymarket_metrics_database_up", "1 when the database answered this scrape.")
        try:
            families = list(self._families())
        except Exception:
            logger.warning("The database metrics could not be read.", exc_info=True)
            close_old_connections()
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        waiting = GaugeMetricFamily(
            "studymarket_task_queue_length", "Tasks ready to run and waiting for a worker.", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "studymarket_task_queue_oldest_age_seconds",
            "How long the oldest task waiting on the queue has waited (0: none waits).",
            labels=["queue"],
        )
        running = GaugeMetricFamily("studymarket_tasks_running", "Tasks being run now.", labels=["queue"])
        for state in task_queue_states():
            waiting.add_metric([state.queue_name], state.waiting)
            age.add_metric([state.queue_name], state.oldest_waiting_seconds)
            running.add_metric([state.queue_name], state.running)
        yield from (waiting, age, running)

        failures = CounterMetricFamily(
            "studymarket_task_failures",
            "Tasks that failed (raised, or their worker died), by task, as recorded in the task rows.",
            labels=["task"],
        )
        for task_path, count in sorted(task_failure_counts().items()):
            failures.add_metric([task_path], count)
        yield failures

        heartbeat = GaugeMetricFamily(
            "studymarket_worker_heartbeat_age_seconds",
            "Seconds since a worker last ran the queue's heartbeat task.",
            labels=["queue"],
        )
        for beat in worker_heartbeat_list():
            heartbeat.add_metric([beat.queue_name], heartbeat_age_seconds(beat))
        yield heartbeat

        payments = GaugeMetricFamily("studymarket_payments", "Payments by status.", labels=["status"])
        for status, count in sorted(payment_status_counts().items()):
            payments.add_metric([status], count)
        yield payments

        uploads = GaugeMetricFamily(
            "studymarket_uploads",
            "Uploaded document versions by outcome (accepted, held_for_review, rejected, failed, ...).",
            labels=["outcome"],
        )
        for status, count in sorted(upload_status_counts().items()):
            uploads.add_metric([status], count)
        yield uploads

        run = ledger_check_last()
        if run is not None:
            yield GaugeMetricFamily(
                "studymarket_ledger_check_ok",
                "1 when the last ledger check found the ledger balanced.",
                value=int(run.ok),
            )
            yield GaugeMetricFamily(
                "studymarket_ledger_check_violations",
                "Violations the last ledger check found.",
                value=len(run.violations),
            )
            yield GaugeMetricFamily(
                "studymarket_ledger_check_timestamp_seconds",
                "When the last ledger check ran (Unix time).",
                value=run.created_at.timestamp(),
            )
