"""Many deliveries of one payment at the same moment, on PostgreSQL, each with a control.

Every test here runs twice: as the code is, and as a control with the row lock taken away
(`_payment_apply` swapped for the same transition without select_for_update). The control must
show the race (two or more transitions); otherwise the test would prove nothing about the lock.
Both variants widen the window between reading the status and writing it by the same amount, so
the race does not depend on luck.
"""

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection, connections, transaction
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from studymarket.core.models import AuditEvent
from studymarket.payments import services
from studymarket.payments.models import Payment
from studymarket.payments.providers.base import ProviderPayment
from studymarket.payments.providers.simulated import simulated_payment_decide
from studymarket.payments.states import transition_allowed
from tests.payments.delivery import assert_delivered_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite runs one writer at a time (BEGIN IMMEDIATE): the race cannot happen there. "
        "Run with DATABASE_URL=postgres://… to test the row lock.",
    ),
    pytest.mark.django_db(transaction=True),
]

WINDOW_SECONDS = 0.2


def _unlocked_apply(*, payment_id: int, remote: ProviderPayment) -> Payment:
    """The control: _payment_apply without its row lock."""
    with transaction.atomic():
        payment = Payment.objects.get(pk=payment_id)
        services._transition(payment, remote)
        return payment


@pytest.fixture(params=["locked", "control"])
def variant(request, monkeypatch):
    def widened(current: str, new: str) -> bool:
        if current == "open":
            time.sleep(WINDOW_SECONDS)  # between reading "open" and writing "paid"
        return transition_allowed(current, new)

    monkeypatch.setattr(services, "transition_allowed", widened)
    if request.param == "control":
        monkeypatch.setattr(services, "_payment_apply", _unlocked_apply)
    return request.param


class _BusyServer(ThreadedWSGIServer):
    """Takes a hundred connections at once (Django's live server keeps 10 waiting and resets
    the rest) and answers them with a bounded pool of request threads, as a production app
    server does. The pool also keeps the test within PostgreSQL's default of 100 connections,
    with room for a second test process (xdist)."""

    request_queue_size = 256
    workers = 32

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pool = ThreadPoolExecutor(max_workers=self.workers)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._pool.submit(self.process_request_thread, request, client_address)

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=True)


class _BusyLiveServerThread(LiveServerThread):
    server_class = _BusyServer


@pytest.fixture
def busy_live_server(transactional_db: None) -> Iterator[str]:
    """Like pytest-django's live_server, with _BusyServer."""
    thread = _BusyLiveServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


def _paid_transitions(payment: Payment) -> int:
    return AuditEvent.objects.filter(action="payment.paid", object_id=str(payment.pk)).count()


def _all_at_once(count: int, work: Callable[[], object]) -> list[object]:
    start = threading.Barrier(count)

    def run() -> object:
        try:
            start.wait(timeout=30)
            return work()
        finally:
            connections.close_all()  # this thread's connection, or the test database stays in use

    with ThreadPoolExecutor(max_workers=count) as pool:
        return [future.result() for future in [pool.submit(run) for _ in range(count)]]


def test_100_webhooks_at_once_make_one_paid_transition_postgres(
    make_order, mollie, busy_live_server, settings, variant
):
    settings.SITE_URL = busy_live_server
    settings.MOLLIE_TIMEOUT_SECONDS = 30.0
    order = make_order(lines=2)
    payment = services.payment_start(order=order, method="ideal")
    mollie.set_status(payment.provider_id, "paid", webhook=False)

    answers = _all_at_once(
        100,
        lambda: (
            requests.post(
                f"{busy_live_server}/webhooks/mollie/", data={"id": payment.provider_id}, timeout=60
            ).status_code
        ),
    )

    assert answers == [200] * 100
    if variant == "locked":
        assert _paid_transitions(payment) == 1
        assert_delivered_once(order)
    else:
        assert _paid_transitions(payment) > 1


def test_two_syncs_at_once_apply_once_postgres(make_order, variant):
    payment = services.payment_start(order=make_order(), method="ideal")
    simulated_payment_decide(simulated_id=str(payment.provider_id), status="paid")

    statuses = _all_at_once(2, lambda: services.payment_sync(payment_id=payment.pk).status)

    assert statuses == ["paid", "paid"]
    assert _paid_transitions(payment) == (1 if variant == "locked" else 2)
