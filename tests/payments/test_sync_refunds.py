"""Refunds and chargebacks made outside the platform, picked up by payment_sync (the webhook,
the return page, the sweep) and booked the way a platform refund is, once; what does not fit
whole order lines goes to staff instead of being guessed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studymarket.core.models import AuditEvent
from studymarket.ledger.models import JournalSource
from studymarket.payments.models import (
    Payment,
    Refund,
    RefundOrigin,
    RefundStatus,
    UnmatchedReversal,
    UnmatchedReversalKind,
    UnmatchedReversalStatus,
)
from studymarket.payments.providers.simulated import simulated_chargeback, simulated_dashboard_refund
from studymarket.payments.refunds import provider, refund_request_create
from studymarket.payments.reversals import unmatched_reversal_resolve
from studymarket.payments.selectors import unmatched_reversal_list
from studymarket.payments.services import payment_sync, refunds_and_reversals_reconcile
from tests.factories import UserFactory
from tests.payments.refunding import (
    assert_not_refunded,
    assert_refunded_once,
    first_line,
    paid_order,
    the_payment,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_balanced")]


def _lines(order):
    return list(order.lines.select_related("order").order_by("pk"))


def test_a_dashboard_refund_of_the_whole_order_is_booked_once():
    order = paid_order()
    line = first_line(order)
    payment = the_payment(order)
    simulated_dashboard_refund(simulated_id=str(payment.provider_id), amount_cents=949)

    payment_sync(payment_id=payment.pk)
    payment_sync(payment_id=payment.pk)

    refund = assert_refunded_once(line)
    assert (refund.origin, refund.request, refund.idempotency_key) == (RefundOrigin.EXTERNAL, None, None)
    assert str(refund.provider_id).startswith("sre_")


def test_a_chargeback_is_booked_as_a_chargeback():
    order = paid_order()
    line = first_line(order)
    payment = the_payment(order)
    simulated_chargeback(simulated_id=str(payment.provider_id), amount_cents=949, reason="fraude")

    payment_sync(payment_id=payment.pk)

    refund = assert_refunded_once(line, source=JournalSource.CHARGEBACK)
    assert refund.origin == RefundOrigin.CHARGEBACK
    assert str(refund.provider_id).startswith("chb_")
    line.listing.refresh_from_db()
    assert line.listing.sold_count == 0


def test_one_refund_of_several_lines_books_each_line():
    order = paid_order(prices=(949, 500, 1200))
    payment = the_payment(order)
    simulated_dashboard_refund(simulated_id=str(payment.provider_id), amount_cents=949 + 1200)

    payment_sync(payment_id=payment.pk)

    first, second, third = _lines(order)
    assert assert_refunded_once(first).provider_id == assert_refunded_once(third).provider_id
    assert_not_refunded(second)


def test_a_partial_refund_goes_to_staff_not_guessed():
    order = paid_order(prices=(949, 500))
    payment = the_payment(order)
    remote = simulated_dashboard_refund(simulated_id=str(payment.provider_id), amount_cents=300)

    payment_sync(payment_id=payment.pk)
    payment_sync(payment_id=payment.pk)

    for line in _lines(order):
        assert_not_refunded(line)
    (unmatched,) = unmatched_reversal_list()
    assert (
        unmatched.kind,
        unmatched.provider_id,
        unmatched.amount_cents,
        unmatched.problem,
        unmatched.status,
    ) == (
        UnmatchedReversalKind.REFUND,
        remote.id,
        300,
        "partial",
        UnmatchedReversalStatus.OPEN,
    )
    event = AuditEvent.objects.get(action="refund.unmatched")
    assert (event.object_type, event.object_id) == ("payments.payment", str(payment.pk))


def test_an_amount_that_fits_two_lines_alike_goes_to_staff():
    order = paid_order(prices=(949, 949))
    payment = the_payment(order)
    simulated_chargeback(simulated_id=str(payment.provider_id), amount_cents=949)

    payment_sync(payment_id=payment.pk)

    for line in _lines(order):
        assert_not_refunded(line)
    (unmatched,) = UnmatchedReversal.objects.all()
    assert (unmatched.kind, unmatched.problem) == (UnmatchedReversalKind.CHARGEBACK, "ambiguous")


def test_staff_resolve_an_unmatched_refund_with_a_note():
    order = paid_order()
    payment = the_payment(order)
    simulated_dashboard_refund(simulated_id=str(payment.provider_id), amount_cents=100)
    payment_sync(payment_id=payment.pk)
    staff = UserFactory(is_staff=True)

    resolved = unmatched_reversal_resolve(
        unmatched_id=UnmatchedReversal.objects.get().pk,
        actor=staff,
        note="Coulance: € 1 terug, toegang blijft.",
    )

    assert (resolved.status, resolved.resolved_by) == (UnmatchedReversalStatus.RESOLVED, staff)
    assert list(unmatched_reversal_list()) == []


def test_our_own_refund_found_by_the_sync_first_is_booked_once(monkeypatch):
    """The provider's webhook comes before refund_execute books its answer: the sync knows the
    refund by our key (its reference), completes our Refund, and the late booking is a no-op."""
    order = paid_order()
    line = first_line(order)
    booked: list[int] = []
    original = provider.refund_complete

    def webhook_first(**kwargs):
        payment_sync(payment_id=the_payment(order).pk)  # the webhook wins the race
        booked.append(1)
        return original(**kwargs)

    monkeypatch.setattr(provider, "refund_complete", webhook_first)
    refund_request_create(buyer=order.buyer, order_line=line, reason="duplicate", explanation="")

    assert booked == [1]
    refund = assert_refunded_once(line)
    assert refund.origin == RefundOrigin.REQUEST
    assert Refund.objects.count() == 1


def test_the_sweep_finds_refunds_of_recently_paid_payments():
    order = paid_order()
    payment = the_payment(order)
    simulated_dashboard_refund(simulated_id=str(payment.provider_id), amount_cents=949)

    report = refunds_and_reversals_reconcile()

    assert (report.paid_checked, report.unavailable) == (1, 0)
    assert_refunded_once(first_line(order))


def test_the_sweep_leaves_old_payments_alone():
    order = paid_order()
    payment = the_payment(order)
    Payment.objects.filter(pk=payment.pk).update(paid_at=timezone.now() - timedelta(days=181))

    assert refunds_and_reversals_reconcile().paid_checked == 0


def test_nothing_new_at_the_provider_means_no_listing(mollie):
    order = paid_order(mollie=mollie)
    payment = the_payment(order)
    before = len(mollie.requests)

    payment_sync(payment_id=payment.pk)

    assert [r.path for r in mollie.requests[before:]] == [f"/v2/payments/{payment.provider_id}"]


def test_a_mollie_dashboard_refund_arrives_by_webhook(client, mollie):
    order = paid_order(mollie=mollie)
    payment = the_payment(order)
    mollie.refund_in_dashboard(payment.provider_id, 949, webhook=False)

    response = client.post(reverse("payments_webhook_mollie"), {"id": payment.provider_id})
    again = client.post(reverse("payments_webhook_mollie"), {"id": payment.provider_id})

    assert (response.status_code, again.status_code) == (200, 200)
    refund = assert_refunded_once(first_line(order))
    assert refund.origin == RefundOrigin.EXTERNAL
    assert refund.provider_id == mollie.refunds[payment.provider_id][0]["id"]


def test_a_mollie_chargeback_arrives_by_webhook(client, mollie):
    order = paid_order(prices=(949, 500), mollie=mollie)
    payment = the_payment(order)
    mollie.chargeback(payment.provider_id, 1449, webhook=False)

    client.post(reverse("payments_webhook_mollie"), {"id": payment.provider_id})

    for line in _lines(order):
        refund = assert_refunded_once(line, source=JournalSource.CHARGEBACK)
        assert refund.provider_id == mollie.chargebacks[payment.provider_id][0]["id"]


def test_our_mollie_refund_is_not_booked_again_by_its_webhook(client, mollie):
    order = paid_order(mollie=mollie)
    line = first_line(order)
    refund_request_create(buyer=order.buyer, order_line=line, reason="poor_quality", explanation="")
    payment = the_payment(order)

    client.post(reverse("payments_webhook_mollie"), {"id": payment.provider_id})

    refund = assert_refunded_once(line)
    assert refund.origin == RefundOrigin.REQUEST
    assert not UnmatchedReversal.objects.exists()


def test_mollie_down_during_the_webhook_asks_for_it_again(client, mollie):
    order = paid_order(mollie=mollie)
    payment = the_payment(order)
    mollie.refund_in_dashboard(payment.provider_id, 949, webhook=False)
    mollie.fail_next(1)

    response = client.post(reverse("payments_webhook_mollie"), {"id": payment.provider_id})

    assert response.status_code == 503
    assert_not_refunded(first_line(order))
    assert client.post(reverse("payments_webhook_mollie"), {"id": payment.provider_id}).status_code == 200
    assert assert_refunded_once(first_line(order)).status == RefundStatus.REFUNDED


def test_a_chargeback_after_our_refund_goes_to_staff():
    order = paid_order()
    line = first_line(order)
    refund_request_create(buyer=order.buyer, order_line=line, reason="duplicate", explanation="")
    payment = the_payment(order)
    # The simulated bank refuses more than was paid minus refunds; this one does it anyway, as
    # a real bank may (Mollie then shows a negative balance).
    from studymarket.payments.models import SimulatedChargeback, SimulatedPayment

    SimulatedChargeback.objects.create(
        id="chb_after_refund", payment=SimulatedPayment.objects.get(pk=payment.provider_id), amount_cents=949
    )

    payment_sync(payment_id=payment.pk)

    assert_refunded_once(line)  # still the one refund of ours
    (unmatched,) = UnmatchedReversal.objects.all()
    assert (unmatched.kind, unmatched.provider_id, unmatched.problem) == (
        UnmatchedReversalKind.CHARGEBACK,
        "chb_after_refund",
        "no_open_lines",
    )
