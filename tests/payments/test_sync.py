from datetime import UTC, datetime

import pytest
from django.db import transaction

from studymarket.core.models import AuditEvent
from studymarket.orders.models import OrderStatus
from studymarket.payments.models import Payment, PaymentStatus
from studymarket.payments.providers.base import ProviderPayment
from studymarket.payments.providers.simulated import simulated_payment_decide
from studymarket.payments.services import (
    PaymentProviderUnavailable,
    _payment_apply,
    payment_start,
    payment_sync,
)
from tests.payments.delivery import assert_delivered_once

pytestmark = pytest.mark.django_db


def _actions(payment: Payment) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="payments.payment", object_id=str(payment.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _remote(payment: Payment, status: str, **overrides) -> ProviderPayment:
    fields = {
        "id": payment.provider_id,
        "status": status,
        "amount_cents": payment.amount_cents,
        "currency": payment.currency,
        "paid_at": datetime(2026, 11, 29, 12, 0, tzinfo=UTC) if status == "paid" else None,
    } | overrides
    return ProviderPayment(**fields)


@pytest.fixture
def started(make_order):
    return payment_start(order=make_order(), method="ideal")


def test_paid_marks_the_order_paid_once(started):
    simulated_payment_decide(simulated_id=started.provider_id, status="paid")

    payment = payment_sync(payment_id=started.pk)
    again = payment_sync(payment_id=started.pk)

    order = payment.order
    order.refresh_from_db()
    assert (payment.status, again.status) == ("paid", "paid")
    assert payment.paid_at is not None
    assert order.status == OrderStatus.PAID
    assert order.paid_at == payment.paid_at
    assert _actions(payment) == ["payment.created", "payment.registered", "payment.paid"]
    assert_delivered_once(order, receipt=False)  # one transaction here: after-commit work waits


def test_the_provider_time_of_payment_is_kept(started):
    payment = _payment_apply(payment_id=started.pk, remote=_remote(started, "paid"))

    assert payment.paid_at == datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("status", ["failed", "canceled", "expired"])
def test_a_final_failure_leaves_the_order_pending(started, status):
    simulated_payment_decide(simulated_id=started.provider_id, status=status)

    payment = payment_sync(payment_id=started.pk)

    payment.order.refresh_from_db()
    assert payment.status == status
    assert payment.order.status == OrderStatus.PENDING
    assert _actions(payment)[-1] == f"payment.{status}"


def test_open_pending_paid(started):
    _payment_apply(payment_id=started.pk, remote=_remote(started, "pending"))
    payment = _payment_apply(payment_id=started.pk, remote=_remote(started, "paid"))

    assert payment.status == "paid"
    assert _actions(payment)[-2:] == ["payment.pending", "payment.paid"]


@pytest.mark.parametrize(
    ("first", "late"),
    [("paid", "open"), ("paid", "pending"), ("paid", "failed"), ("expired", "paid"), ("pending", "open")],
)
def test_an_older_or_contrary_answer_never_goes_back(started, first, late):
    _payment_apply(payment_id=started.pk, remote=_remote(started, first))
    before = _actions(started)

    payment = _payment_apply(payment_id=started.pk, remote=_remote(started, late))

    assert payment.status == first
    assert _actions(started) == before


@pytest.mark.parametrize("status", ["authorized", "", "PAID", "refunded"])
def test_a_status_we_do_not_model_is_ignored_quietly(started, status):
    payment = _payment_apply(payment_id=started.pk, remote=_remote(started, status))

    assert payment.status == "open"
    assert payment.last_synced_at is not None
    assert _actions(payment) == ["payment.created", "payment.registered"]


def test_paid_for_another_amount_is_not_delivered(started):
    payment = _payment_apply(payment_id=started.pk, remote=_remote(started, "paid", amount_cents=1))

    payment.order.refresh_from_db()
    assert payment.status == "open"
    assert payment.order.status == OrderStatus.PENDING
    assert _actions(payment)[-1] == "payment.amount_mismatch"


def test_an_answer_about_another_payment_is_ignored(started):
    payment = _payment_apply(payment_id=started.pk, remote=_remote(started, "paid", id="sim_other"))

    assert payment.status == "open"


def test_a_second_paid_attempt_is_recorded_for_a_refund_not_delivered_again(make_order):
    order = make_order()
    first = payment_start(order=order, method="ideal")
    second = payment_start(order=order, method="bancontact")  # the buyer went back and switched
    simulated_payment_decide(simulated_id=str(second.provider_id), status="paid")
    payment_sync(payment_id=second.pk)
    simulated_payment_decide(simulated_id=str(first.provider_id), status="paid")  # the old tab, paid too

    late = payment_sync(payment_id=first.pk)

    assert late.status == "paid"
    assert _actions(late)[-2:] == ["payment.paid", "payment.paid_unneeded"]
    assert AuditEvent.objects.filter(action="order.paid", object_id=str(order.pk)).count() == 1


def test_a_final_payment_is_not_asked_again(started, monkeypatch):
    # Not a paid one: payment_sync asks the provider about a paid payment's refunds and
    # chargebacks (issue 5, tests/payments/test_sync_refunds.py).
    Payment.objects.filter(pk=started.pk).update(status=PaymentStatus.CANCELED)
    monkeypatch.setattr(
        "studymarket.payments.providers.simulated.SimulatedProvider.get_payment",
        lambda self, provider_id: pytest.fail("asked the provider"),
    )

    assert payment_sync(payment_id=started.pk).status == "canceled"


def test_a_payment_never_registered_is_not_asked(make_order, mollie, settings):
    settings.MOLLIE_TIMEOUT_SECONDS = 0.5
    mollie.fail_next(1, "500")
    with pytest.raises(PaymentProviderUnavailable):
        payment_start(order=make_order(), method="ideal")
    requests_before = len(mollie.requests)

    assert payment_sync(payment_id=Payment.objects.get().pk).status == "open"
    assert len(mollie.requests) == requests_before


def test_provider_down_during_sync_changes_nothing(make_order, mollie):
    payment = payment_start(order=make_order(), method="ideal")
    mollie.set_status(payment.provider_id, "paid", webhook=False)
    mollie.fail_next(1, "500")

    with pytest.raises(PaymentProviderUnavailable):
        payment_sync(payment_id=payment.pk)
    assert Payment.objects.get(pk=payment.pk).status == "open"
    assert payment_sync(payment_id=payment.pk).status == "paid"


def test_sync_refuses_to_run_inside_a_transaction(started):
    simulated_payment_decide(simulated_id=started.provider_id, status="paid")

    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        payment_sync(payment_id=started.pk)
