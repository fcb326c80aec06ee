"""Issue 12, finding 2: a buyer is never charged twice for a document they hold.

Two open orders of one buyer share document A (an old tab, a late iDEAL confirmation, or two
orders from before checkout refused the second). Whichever payment lands second, its line for
A gets no second entitlement and no second sale; it is refunded at the provider by itself
(Refund origin "duplicate", key stored first), reversed once, and the buyer is told in one
e-mail that the document was theirs already. Webhooks and syncs replayed change nothing.
"""

import pytest
from django.conf import settings
from django.core import mail

from studymarket.catalog.models import Listing
from studymarket.checkout.services import cart_item_add, cart_item_remove, checkout_start
from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from studymarket.ledger.models import Journal, JournalSource
from studymarket.library.models import Entitlement
from studymarket.orders.models import Order, OrderLine
from studymarket.orders.services import order_create
from studymarket.payments.models import Payment, Refund, RefundStatus
from studymarket.payments.providers.simulated import simulated_payment_decide
from studymarket.payments.refunds import refunds_reconcile
from studymarket.payments.services import payment_start, payment_sync
from tests.factories import ListingFactory, UserFactory
from tests.payments.refunding import refunded_cents_at_simulated

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_balanced")]

WEBHOOK = "/webhooks/mollie/"


def _active(buyer, listing: Listing) -> int:
    return Entitlement.objects.filter(
        buyer=buyer, document_id=listing.document_id, revoked_at__isnull=True
    ).count()


def _refund_mails(buyer) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [buyer.email] and not m.subject.startswith("Je bestelling ")]


def _pay(payment: Payment, mollie=None, client=None) -> None:
    """The buyer pays at the provider; we hear of it (Mollie: its webhook; simulated: a sync,
    as the return page or the sweep would)."""
    if mollie is None:
        simulated_payment_decide(simulated_id=str(payment.provider_id), status="paid")
        payment_sync(payment_id=payment.pk)
    else:
        mollie.set_status(str(payment.provider_id), "paid", webhook=False)
        assert client.post(WEBHOOK, {"id": payment.provider_id}).status_code == 200


def _replay(payments: list[Payment], mollie=None, client=None) -> None:
    for payment in payments * 3:
        if mollie is None:
            payment_sync(payment_id=payment.pk)
        else:
            assert client.post(WEBHOOK, {"id": payment.provider_id}).status_code == 200
    refunds_reconcile()


def _assert_one_purchase_of_a(buyer, a: Listing, b: Listing, second_paid: Order) -> Refund:
    assert _active(buyer, a) == 1
    assert _active(buyer, b) == 1
    duplicate = OrderLine.objects.get(order=second_paid, listing=a)
    assert duplicate.refunded_at is not None
    (refund,) = Refund.objects.all()
    assert (refund.order_line_id, refund.origin, refund.status) == (
        duplicate.pk,
        "duplicate",
        RefundStatus.REFUNDED,
    )
    assert refund.amount_cents == duplicate.price_cents
    assert refund.idempotency_key
    assert refund.provider_id
    reversals = Journal.objects.filter(source=JournalSource.REFUND)
    assert [(j.order_line_id, j.source_ref) for j in reversals] == [(duplicate.pk, str(refund.pk))]
    a.refresh_from_db()
    assert a.sold_count == 1
    assert AuditEvent.objects.filter(action="order_line.refunded").count() == 1
    (message,) = _refund_mails(buyer)
    assert message.subject == 'Je had "Account Management Samenvatting" al: je geld komt terug'
    held = Entitlement.objects.get(buyer=buyer, document_id=a.document_id).order_number
    assert held != second_paid.number
    assert (
        f'Je had "Account Management Samenvatting" al: je kocht het eerder, in bestelling {held}. '
        f"Met bestelling {second_paid.number} betaalde je er nog een keer voor. Dat hoeft niet: we "
        "storten die € 9,49 vanzelf terug"
    ) in message.body
    # The seller is not told of a sale that never counted.
    assert not [m for m in mail.outbox if m.to == [a.seller.user.email]]
    return refund


def _two_open_orders(buyer, a: Listing, b: Listing) -> tuple[Order, Order, Payment, Payment]:
    """{A} with its payment left open, then {A, B}: two orders made as before the fix (or by
    any way around checkout's refusal), each with an open payment."""
    old = order_create(buyer=buyer, listings=[a])
    old_payment = payment_start(order=old, method="ideal")
    new = order_create(buyer=buyer, listings=[a, b])
    new_payment = payment_start(order=new, method="ideal")
    return old, new, old_payment, new_payment


@pytest.mark.parametrize("order_of_payment", ["old first", "new first"])
def test_simulated_both_paid_in_either_order_one_entitlement_and_the_duplicate_refunded(
    order_of_payment, django_capture_on_commit_callbacks
):
    buyer = UserFactory()
    a = ListingFactory(title="Account Management Samenvatting", price_cents=949, sold_count=0)
    b = ListingFactory(price_cents=1299, sold_count=0)
    old, new, old_payment, new_payment = _two_open_orders(buyer, a, b)
    payments = [old_payment, new_payment] if order_of_payment == "old first" else [new_payment, old_payment]

    with django_capture_on_commit_callbacks(execute=True):
        for payment in payments:
            _pay(payment)
        _replay(payments)

    second_paid = Order.objects.get(pk=payments[1].order_id)
    refund = _assert_one_purchase_of_a(buyer, a, b, second_paid)
    assert refund.payment_id == payments[1].pk
    assert refunded_cents_at_simulated(payments[1]) == 949
    assert refunded_cents_at_simulated(payments[0]) == 0


@pytest.mark.parametrize("order_of_payment", ["old first", "new first"])
def test_mollie_both_paid_webhooks_replayed_the_duplicate_refunded_once(
    order_of_payment, mollie, client, django_capture_on_commit_callbacks
):
    buyer = UserFactory()
    a = ListingFactory(title="Account Management Samenvatting", price_cents=949, sold_count=0)
    b = ListingFactory(price_cents=1299, sold_count=0)
    old, new, old_payment, new_payment = _two_open_orders(buyer, a, b)
    payments = [old_payment, new_payment] if order_of_payment == "old first" else [new_payment, old_payment]

    with django_capture_on_commit_callbacks(execute=True):
        for payment in payments:
            _pay(payment, mollie=mollie, client=client)
        _replay(payments, mollie=mollie, client=client)

    second_paid = Order.objects.get(pk=payments[1].order_id)
    refund = _assert_one_purchase_of_a(buyer, a, b, second_paid)
    (at_mollie,) = mollie.refunds[str(payments[1].provider_id)]
    assert at_mollie["amount"] == {"value": "9.49", "currency": "EUR"}
    assert at_mollie["id"] == refund.provider_id
    assert str(payments[0].provider_id) not in mollie.refunds
    sent_keys = mollie.idempotency_keys(f"/v2/payments/{payments[1].provider_id}/refunds")
    assert set(sent_keys) == {refund.idempotency_key}


def test_the_refund_key_is_stored_before_the_provider_call_and_the_sweep_sends_it(
    mollie, client, monkeypatch, django_capture_on_commit_callbacks
):
    """The process dies between the commit that marked the order paid and the refund call: the
    duplicate's Refund waits, pending, its key stored; a replayed webhook books nothing twice,
    and the sweep sends it with that same key."""
    from datetime import timedelta

    from django.utils import timezone

    from studymarket.payments.refunds import duplicates

    buyer = UserFactory()
    a = ListingFactory(title="Account Management Samenvatting", price_cents=949, sold_count=0)
    b = ListingFactory(price_cents=1299, sold_count=0)
    old, new, old_payment, new_payment = _two_open_orders(buyer, a, b)
    with django_capture_on_commit_callbacks(execute=True):
        _pay(old_payment, mollie=mollie, client=client)
        with monkeypatch.context() as crash:
            crash.setattr(duplicates, "refund_execute", lambda *, refund_id: Refund.objects.get(pk=refund_id))
            _pay(new_payment, mollie=mollie, client=client)

        refund = Refund.objects.get()
        assert (refund.status, refund.origin) == (RefundStatus.PENDING, "duplicate")
        assert (
            refund.idempotency_key
            == f"{settings.IDEMPOTENCY_KEY_PREFIX}:refund:{new.number}:{refund.order_line_id}"
        )
        assert str(new_payment.provider_id) not in mollie.refunds
        assert _active(buyer, a) == 1

        Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=2))
        _replay([old_payment, new_payment], mollie=mollie, client=client)

    _assert_one_purchase_of_a(buyer, a, b, new)
    assert set(mollie.idempotency_keys(f"/v2/payments/{new_payment.provider_id}/refunds")) == {
        refund.idempotency_key
    }


def test_checkout_refuses_a_document_in_an_open_order_so_the_issues_scenario_pays_once(
    django_capture_on_commit_callbacks,
):
    """The issue's steps through checkout itself: {A} left open; checkout of {A, B} is refused
    for A; B alone is paid, then A's first payment lands late: one entitlement each, nothing
    refunded, nothing charged twice."""
    buyer = UserFactory()
    a = ListingFactory(title="Account Management Samenvatting", price_cents=949, sold_count=0)
    b = ListingFactory(price_cents=1299, sold_count=0)
    cart_item_add(user=buyer, listing=a)
    open_payment = checkout_start(
        withdrawal_consent=True, user=buyer, checkout_token="t" * 43, method="ideal"
    )
    cart_item_add(user=buyer, listing=b)

    with pytest.raises(ApplicationError) as refused:
        checkout_start(withdrawal_consent=True, user=buyer, checkout_token="u" * 43, method="ideal")
    order_number = open_payment.order.number
    assert refused.value.message == (
        f"Account Management Samenvatting: Dit document staat al in je openstaande bestelling "
        f"{order_number}. Rond die betaling af, of wacht tot ze verloopt en probeer het dan opnieuw."
    )
    assert Order.objects.count() == 1

    cart_item_remove(user=buyer, listing_id=a.pk)
    b_payment = checkout_start(withdrawal_consent=True, user=buyer, checkout_token="v" * 43, method="ideal")
    with django_capture_on_commit_callbacks(execute=True):
        _pay(b_payment)
        _pay(open_payment)  # the late confirmation
        _replay([b_payment, open_payment])

    assert (_active(buyer, a), _active(buyer, b)) == (1, 1)
    assert not Refund.objects.exists()
    assert not OrderLine.objects.filter(already_held=True).exists()
