"""The simulated checkout page and the return page."""

import pytest
from django.urls import reverse
from django.utils import translation

from studymarket.payments.models import Payment, SimulatedPayment
from studymarket.payments.services import payment_return_token, payment_start
from tests.payments.delivery import assert_delivered_once

pytestmark = pytest.mark.django_db

BUTTONS = ["Betaald", "Mislukt", "Geannuleerd", "Verlopen"]


def _done(payment: Payment) -> str:
    return reverse("checkout:done", kwargs={"order_number": payment.order.number})


@pytest.fixture
def started(make_order):
    return payment_start(order=make_order(), method="ideal")


def test_the_demo_page_shows_the_banner_the_amount_and_the_four_buttons(client, started):
    response = client.get(started.checkout_url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "DEMO — er wordt geen geld overgemaakt" in html
    assert "€ 9,49" in html
    assert f"Bestelling {started.order.number} bij studymarket" in html
    for value, label in zip(["paid", "failed", "canceled", "expired"], BUTTONS, strict=True):
        assert f'<button type="submit" name="outcome" value="{value}"' in html
        assert f">{label}</button>" in html
    assert 'name="robots" content="noindex"' in html


@pytest.mark.parametrize(
    ("outcome", "order_status"),
    [("paid", "paid"), ("failed", "pending"), ("canceled", "pending"), ("expired", "pending")],
)
def test_a_button_sets_the_outcome_and_the_return_page_syncs_it(client, started, outcome, order_status):
    response = client.post(started.checkout_url, {"outcome": outcome})

    assert response.status_code == 302
    assert response["Location"] == reverse("payments:return", args=[payment_return_token(payment=started)])
    assert SimulatedPayment.objects.get().status == outcome

    back = client.get(response["Location"])

    started.refresh_from_db()
    started.order.refresh_from_db()
    assert back.status_code == 302
    assert back["Location"] == _done(started)
    assert started.status == outcome
    assert started.order.status == order_status


def test_a_second_button_changes_nothing(client, started):
    client.post(started.checkout_url, {"outcome": "paid"})
    client.post(started.checkout_url, {"outcome": "canceled"})

    assert SimulatedPayment.objects.get().status == "paid"
    page = client.get(started.checkout_url).content.decode()
    assert "Deze betaling is al afgerond: Betaald." in page
    assert "<button" not in page.split('id="demo-banner"')[1].split("</article>")[0]


def test_an_unknown_outcome_is_refused(client, started):
    assert client.post(started.checkout_url, {"outcome": "refunded"}).status_code == 400
    assert client.post(started.checkout_url, {}).status_code == 400
    assert SimulatedPayment.objects.get().status == "open"


def test_an_unknown_demo_payment_is_404(client):
    assert client.get(reverse("payments:simulated_checkout", args=["sim_nothing"])).status_code == 404


def test_the_demo_page_is_refused_in_production(client, started, settings):
    settings.PRODUCTION = True
    settings.DEMO_MODE = False

    assert client.get(started.checkout_url).status_code == 404
    assert client.post(started.checkout_url, {"outcome": "paid"}).status_code == 404
    assert SimulatedPayment.objects.get().status == "open"


def test_the_demo_page_works_in_production_demo_mode(client, started, settings):
    settings.PRODUCTION = True
    settings.DEMO_MODE = True

    assert client.get(started.checkout_url).status_code == 200


def test_the_demo_page_sends_the_buyer_back_within_the_site_only(client, make_order, settings):
    settings.SITE_URL = "https://elsewhere.example"
    payment = payment_start(order=make_order(), method="ideal")

    response = client.post(payment.checkout_url, {"outcome": "paid"})

    assert response["Location"].startswith("/betalen/terug/")


def test_the_demo_page_in_english(client, make_order):
    with translation.override("en"):
        payment = payment_start(order=make_order(), method="ideal")

    assert payment.checkout_url.startswith("/en/betalen/demo/")
    assert client.get(payment.checkout_url).status_code == 200


def test_a_forged_return_token_is_404(client, started):
    assert client.get(reverse("payments:return", args=[f"{started.pk}:forged"])).status_code == 404
    assert client.get(reverse("payments:return", args=["nonsense"])).status_code == 404


def test_the_buyer_returning_before_the_webhook_gets_the_paid_order(client, make_order, mollie):
    payment = payment_start(order=make_order(), method="ideal")
    mollie.set_status(payment.provider_id, "paid", webhook=False)  # the webhook is still on its way

    response = client.get(reverse("payments:return", args=[payment_return_token(payment=payment)]))

    payment.refresh_from_db()
    payment.order.refresh_from_db()
    assert response["Location"] == _done(payment)
    assert_delivered_once(payment.order, receipt=False)  # one transaction here: after-commit work waits


def test_returning_while_mollie_is_down_still_shows_the_order(client, make_order, mollie):
    payment = payment_start(order=make_order(), method="ideal")
    mollie.set_status(payment.provider_id, "paid", webhook=False)
    mollie.fail_next(1, "500")

    response = client.get(reverse("payments:return", args=[payment_return_token(payment=payment)]))

    payment.refresh_from_db()
    assert response["Location"] == _done(payment)
    assert payment.status == "open"  # the done page says it is waiting; the sweep finishes it
