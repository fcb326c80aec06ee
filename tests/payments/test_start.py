import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from studymarket.orders.models import OrderStatus
from studymarket.payments.models import Payment, PaymentStatus, SimulatedPayment
from studymarket.payments.services import (
    PaymentProviderUnavailable,
    payment_return_token,
    payment_return_token_read,
    payment_start,
)

pytestmark = pytest.mark.django_db


def test_simulated_start_stores_the_key_and_the_checkout_page(make_order, settings):
    settings.IDEMPOTENCY_KEY_PREFIX = "test"
    order = make_order(lines=2)

    payment = payment_start(order=order, method="ideal")

    sim = SimulatedPayment.objects.get()
    assert payment.idempotency_key == f"test:pay:{order.number}:1"
    assert sim.idempotency_key == payment.idempotency_key
    assert payment.provider == "simulated"
    assert payment.provider_id == sim.id
    assert payment.checkout_url == f"/betalen/demo/{sim.id}/"
    assert (payment.amount_cents, sim.amount_cents) == (1898, 1898)
    assert payment.status == PaymentStatus.OPEN
    assert sim.description == f"Bestelling {order.number} bij studymarket"
    assert sim.redirect_url == reverse("payments:return", args=[payment_return_token(payment=payment)])
    assert list(
        AuditEvent.objects.filter(object_type="payments.payment", object_id=str(payment.pk)).values_list(
            "action", flat=True
        )
    ) == [
        "payment.created",
        "payment.registered",
    ]


def test_a_double_click_gets_the_same_payment(make_order):
    order = make_order()

    first = payment_start(order=order, method="ideal")
    second = payment_start(order=order, method="ideal")

    assert second.pk == first.pk
    assert Payment.objects.count() == 1
    assert SimulatedPayment.objects.count() == 1


def test_another_method_is_a_new_attempt_with_a_new_key(make_order, settings):
    settings.IDEMPOTENCY_KEY_PREFIX = "test"
    order = make_order()

    payment_start(order=order, method="ideal")
    second = payment_start(order=order, method="bancontact")

    assert second.idempotency_key == f"test:pay:{order.number}:2"
    assert second.method == "bancontact"


def test_after_a_failed_attempt_the_next_one_gets_a_new_key(make_order, settings):
    settings.IDEMPOTENCY_KEY_PREFIX = "test"
    order = make_order()
    first = payment_start(order=order, method="ideal")
    Payment.objects.filter(pk=first.pk).update(status=PaymentStatus.FAILED)

    second = payment_start(order=order, method="ideal")

    assert second.pk != first.pk
    assert second.idempotency_key == f"test:pay:{order.number}:2"


def test_a_pending_payment_is_not_paid_for_twice(make_order):
    order = make_order()
    first = payment_start(order=order, method="ideal")
    Payment.objects.filter(pk=first.pk).update(status=PaymentStatus.PENDING)

    assert payment_start(order=order, method="creditcard").pk == first.pk


def test_a_paid_order_gets_no_payment(make_order):
    order = make_order()
    order.status = OrderStatus.PAID
    order.save()

    with pytest.raises(ApplicationError, match="Deze bestelling is al betaald of gesloten."):
        payment_start(order=order, method="ideal")
    assert not Payment.objects.exists()


def test_an_unknown_method_is_refused(make_order):
    with pytest.raises(ApplicationError, match="Kies een betaalmethode."):
        payment_start(order=make_order(), method="bitcoin")


def test_start_refuses_to_run_inside_a_transaction(make_order):
    # It calls the provider: holding a transaction (and its locks) across that call is a bug.
    order = make_order()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        payment_start(order=order, method="ideal")


def test_the_return_token_is_signed():
    assert payment_return_token_read("12:forged") is None
    assert payment_return_token_read("garbage") is None


# --- Mollie, through the real client and the stand-in -------------------------------------


def test_mollie_start_gets_the_checkout_url_and_gives_our_urls(make_order, mollie, settings):
    settings.SITE_URL = "https://studymarket.example"
    settings.IDEMPOTENCY_KEY_PREFIX = "test"
    order = make_order(buyer_country="BE")

    payment = payment_start(order=order, method="bancontact")

    (remote,) = mollie.payments.values()
    assert payment.provider == "mollie"
    assert payment.provider_id == remote["id"]
    assert payment.checkout_url == f"{mollie.url}/checkout/{remote['id']}"
    assert mollie.idempotency_keys() == [f"test:pay:{order.number}:1"]
    assert remote["amount"] == {"value": "9.49", "currency": "EUR"}
    assert remote["method"] == "bancontact"
    assert remote["locale"] == "nl_BE"
    assert remote["metadata"] == {"order": order.number, "payment": payment.pk}
    token = payment_return_token(payment=payment)
    assert remote["redirectUrl"] == f"https://studymarket.example/betalen/terug/{token}/"
    assert remote["webhookUrl"] == "https://studymarket.example/webhooks/mollie/"


def test_mollie_locale_follows_the_language(make_order, mollie):
    with translation.override("en"):
        payment_start(order=make_order(), method="ideal")

    (remote,) = mollie.payments.values()
    assert remote["locale"] == "en_US"
    assert "/en/betalen/terug/" in remote["redirectUrl"]


@pytest.mark.parametrize("fault", ["500", "hang"])
def test_provider_down_keeps_the_order_and_the_retry_uses_the_same_key(make_order, mollie, settings, fault):
    settings.MOLLIE_TIMEOUT_SECONDS = 0.5
    mollie.hang_seconds = 1.5
    order = make_order()
    mollie.fail_next(1, fault)

    with pytest.raises(PaymentProviderUnavailable, match="De betaaldienst is nu niet bereikbaar"):
        payment_start(order=order, method="ideal")

    order.refresh_from_db()
    waiting = Payment.objects.get()
    assert order.status == OrderStatus.PENDING
    assert (waiting.status, waiting.provider_id, waiting.checkout_url) == (PaymentStatus.OPEN, None, "")

    retried = payment_start(order=order, method="ideal")

    assert retried.pk == waiting.pk
    assert retried.provider_id == next(iter(mollie.payments))
    assert len(mollie.payments) == 1  # after a hang, the retry was answered from the replay
    assert mollie.idempotency_keys() == [waiting.idempotency_key] * 2


def test_a_refused_payment_fails_the_attempt_and_the_next_starts_fresh(make_order, mollie, settings):
    settings.IDEMPOTENCY_KEY_PREFIX = "test"
    order = make_order()
    order.total_cents = 0  # Mollie's minimum is one cent
    order.save()

    with pytest.raises(ApplicationError, match="Deze betaalmethode is nu niet beschikbaar"):
        payment_start(order=order, method="ideal")
    assert Payment.objects.get().status == PaymentStatus.FAILED

    order.total_cents = 949
    order.save()
    assert payment_start(order=order, method="ideal").idempotency_key == f"test:pay:{order.number}:2"
