"""The sweep: what finishes the job when no webhook comes and the buyer does not come back."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from studymarket.payments.models import Payment, SimulatedPayment
from studymarket.payments.services import (
    PaymentProviderUnavailable,
    ReconcileReport,
    payment_start,
    payments_reconcile,
)
from studymarket.payments.tasks import payments_reconcile_task
from tests.payments.delivery import assert_delivered_once

pytestmark = pytest.mark.django_db


def _age(payment: Payment, minutes: int) -> None:
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_a_paid_payment_whose_webhook_never_came_is_finished(
    make_order, mollie, django_capture_on_commit_callbacks
):
    order = make_order()
    payment = payment_start(order=order, method="ideal")
    mollie.set_status(payment.provider_id, "paid", webhook=False)

    with django_capture_on_commit_callbacks(execute=True):
        report = payments_reconcile()

    assert report == ReconcileReport(checked=1, changed=1)
    assert_delivered_once(order)
    assert payments_reconcile() == ReconcileReport()  # nothing open is left


def test_an_open_payment_is_only_looked_at(make_order, mollie):
    payment = payment_start(order=make_order(), method="ideal")

    assert payments_reconcile() == ReconcileReport(checked=1)
    payment.refresh_from_db()
    assert payment.status == "open"
    assert payment.last_synced_at is not None


def test_an_old_open_payment_is_not_expired_by_us_only_reported(make_order, mollie, settings):
    settings.PAYMENT_EXPIRE_AFTER_MINUTES = 60
    payment = payment_start(order=make_order(), method="ideal")
    _age(payment, 61)

    assert payments_reconcile() == ReconcileReport(checked=1, overdue=1)
    assert Payment.objects.get().status == "open"

    mollie.set_status(payment.provider_id, "expired", webhook=False)  # Mollie's word
    assert payments_reconcile() == ReconcileReport(checked=1, changed=1)
    assert Payment.objects.get().status == "expired"


def test_the_simulated_provider_expires_its_own_old_payments(make_order, settings):
    settings.PAYMENT_EXPIRE_AFTER_MINUTES = 60
    payment = payment_start(order=make_order(), method="ideal")
    SimulatedPayment.objects.update(created_at=timezone.now() - timedelta(minutes=61))

    assert payments_reconcile() == ReconcileReport(checked=1, changed=1)
    assert Payment.objects.get(pk=payment.pk).status == "expired"
    assert SimulatedPayment.objects.get().status == "expired"


def test_a_young_simulated_payment_stays_open(make_order, settings):
    settings.PAYMENT_EXPIRE_AFTER_MINUTES = 60
    payment_start(order=make_order(), method="ideal")
    SimulatedPayment.objects.update(created_at=timezone.now() - timedelta(minutes=59))

    assert payments_reconcile() == ReconcileReport(checked=1)


def test_a_start_cut_short_by_a_hang_is_registered_with_the_same_key(make_order, mollie, settings):
    settings.MOLLIE_TIMEOUT_SECONDS = 0.5
    mollie.hang_seconds = 1.5
    mollie.fail_next(1, "hang")
    order = make_order()
    with pytest.raises(PaymentProviderUnavailable):
        payment_start(order=order, method="ideal")
    waiting = Payment.objects.get()
    (made_at_mollie,) = mollie.payments

    assert payments_reconcile() == ReconcileReport(checked=1)  # too young: payment_start may still be at it
    _age(waiting, 2)
    assert payments_reconcile() == ReconcileReport(checked=1, registered=1)

    waiting.refresh_from_db()
    assert waiting.provider_id == made_at_mollie
    assert len(mollie.payments) == 1
    assert mollie.idempotency_keys() == [waiting.idempotency_key] * 2


def test_provider_down_is_counted_and_the_next_sweep_finishes(make_order, mollie):
    order = make_order()
    payment = payment_start(order=order, method="ideal")
    mollie.set_status(payment.provider_id, "paid", webhook=False)
    mollie.fail_next(1, "500")

    assert payments_reconcile() == ReconcileReport(checked=1, unavailable=1)
    assert payments_reconcile() == ReconcileReport(checked=1, changed=1)
    assert_delivered_once(order, receipt=False)  # one transaction here: after-commit work waits


def test_the_longest_unsynced_go_first(make_order, mollie):
    first = payment_start(order=make_order(), method="ideal")
    second = payment_start(order=make_order(), method="ideal")
    Payment.objects.filter(pk=first.pk).update(last_synced_at=timezone.now())

    payments_reconcile(limit=1)

    assert [r.path for r in mollie.requests if r.method == "GET"] == [f"/v2/payments/{second.provider_id}"]


def test_the_command(make_order, mollie, capsys):
    payment = payment_start(order=make_order(), method="ideal")
    mollie.set_status(payment.provider_id, "paid", webhook=False)

    call_command("reconcile_payments")

    assert capsys.readouterr().out == (
        "checked 1, changed 1, registered 0, provider unavailable 0, open past expiry 0\n"
    )


def test_the_periodic_task(make_order, mollie):
    payment = payment_start(order=make_order(), method="ideal")
    mollie.set_status(payment.provider_id, "paid", webhook=False)

    result = payments_reconcile_task.enqueue()

    assert result.return_value == {
        "checked": 1,
        "changed": 1,
        "registered": 0,
        "unavailable": 0,
        "overdue": 0,
    }
