"""/metrics (operations.metrics): the request counters and timings move with requests, the
database's figures (task queue, failures, payments, uploads, ledger check, heartbeats) with what
happens; only this machine or the bearer of METRICS_TOKEN may read them."""

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from studymarket.core.task_queues import DEFAULT_QUEUE
from studymarket.documents.models import VersionStatus
from studymarket.operations.heartbeat import heartbeat_record
from studymarket.payments.ledger_facts import ledger_check
from studymarket.payments.models import PaymentStatus
from tests.factories import DocumentVersionFactory, PaymentFactory
from tests.operations.observe_tasks import failing_task, logging_task
from tests.operations.worker import worker_run

FAILING = "tests.operations.observe_tasks.failing_task"


def _scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(samples: dict, name: str, **labels: str) -> float:
    return float(samples.get((name, tuple(sorted(labels.items()))), 0.0))


@pytest.mark.django_db
def test_requests_are_counted_by_view_and_status_and_timed(client: Client):
    before = _scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/bestaat-niet/")
    after = _scrape(client)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert moved("studymarket_http_requests_total", view="healthz", method="GET", status="200") == 2
    assert moved("studymarket_http_requests_total", view="<unmatched>", method="GET", status="404") == 1
    assert moved("studymarket_http_request_duration_seconds_count", view="healthz") == 2
    assert moved("studymarket_http_request_duration_seconds_bucket", view="healthz", le="10.0") == 2
    assert moved("studymarket_http_request_duration_seconds_sum", view="healthz") > 0
    # The scrape before is counted too, under the view's own name.
    assert moved("studymarket_http_requests_total", view="metrics", method="GET", status="200") == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend")
def test_the_queue_and_failed_tasks_move(client: Client, monkeypatch: pytest.MonkeyPatch):
    before = _scrape(client)
    assert _value(before, "studymarket_task_queue_length", queue=DEFAULT_QUEUE) == 0
    assert _value(before, "studymarket_task_failures_total", task=FAILING) == 0
    assert _value(before, "studymarket_metrics_database_up") == 1

    failing_task.enqueue()
    logging_task.enqueue()
    waiting = _scrape(client)
    assert _value(waiting, "studymarket_task_queue_length", queue=DEFAULT_QUEUE) == 2
    assert _value(waiting, "studymarket_task_queue_length", queue="urgent") == 0
    assert _value(waiting, "studymarket_task_queue_oldest_age_seconds", queue=DEFAULT_QUEUE) >= 0

    worker_run(monkeypatch, tasks=2)
    after = _scrape(client)
    assert _value(after, "studymarket_task_queue_length", queue=DEFAULT_QUEUE) == 0
    assert _value(after, "studymarket_task_failures_total", task=FAILING) == 1
    assert (
        "studymarket_task_failures_total",
        (("task", "tests.operations.observe_tasks.logging_task"),),
    ) not in after


@pytest.mark.django_db
def test_payments_uploads_heartbeats_and_the_ledger_check_move(client: Client):
    before = _scrape(client)
    assert not any(name.startswith("studymarket_ledger_check") for name, _ in before)

    PaymentFactory(paid=True)
    PaymentFactory()
    DocumentVersionFactory(status=VersionStatus.HELD_FOR_REVIEW)
    heartbeat_record(queue_name=DEFAULT_QUEUE, worker_id="serve:h:1:ab")
    ledger_check(record=True)
    after = _scrape(client)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert moved("studymarket_payments", status=PaymentStatus.PAID) == 1
    assert moved("studymarket_payments", status=PaymentStatus.OPEN) == 1
    assert moved("studymarket_uploads", outcome=VersionStatus.HELD_FOR_REVIEW) == 1
    assert 0 <= _value(after, "studymarket_worker_heartbeat_age_seconds", queue=DEFAULT_QUEUE) < 30
    assert _value(after, "studymarket_ledger_check_ok") == 1
    assert _value(after, "studymarket_ledger_check_violations") == 0
    assert _value(after, "studymarket_ledger_check_timestamp_seconds") > 1.7e9


@pytest.mark.django_db
def test_without_a_token_only_this_machine_may_read(client: Client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    # Through a proxy on this machine: the request came from elsewhere.
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", headers={"Forwarded": "for=203.0.113.9"}).status_code == 404


@pytest.mark.django_db
def test_with_a_token_only_its_bearer_may_read(client: Client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    assert client.get("/metrics").status_code == 403  # not even from this machine
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Basic s3cret-metrics-token"}).status_code == 403
    ok = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer s3cret-metrics-token"}
    )
    assert ok.status_code == 200
    assert b"studymarket_http_requests_total" in ok.content
