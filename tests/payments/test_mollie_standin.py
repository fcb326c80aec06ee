"""The stand-in's own promises (tests/fakes/mollie.py), where the adapter tests do not reach."""

import pytest
import requests
from mollie.api.client import Client
from mollie.api.error import NotFoundError, ResponseError, UnauthorizedError, UnprocessableEntityError

from studymarket.payments.services import payment_start


@pytest.fixture
def client(mollie_standin):
    client = Client(api_endpoint=mollie_standin.url, timeout=5)
    client.set_api_key(mollie_standin.api_key)
    return client


def _body(**overrides):
    return {
        "amount": {"currency": "EUR", "value": "9.49"},
        "description": "Bestelling",
        "redirectUrl": "https://studymarket.example/terug/",
        "method": "ideal",
    } | overrides


def test_the_real_client_raises_its_real_exceptions(mollie_standin, client):
    with pytest.raises(NotFoundError):
        client.payments.get("tr_Nothing123")
    with pytest.raises(UnprocessableEntityError) as error:
        client.payments.create(_body(method="bitcoin"), idempotency_key="k1")
    assert error.value.field == "method"
    wrong = Client(api_endpoint=mollie_standin.url)
    wrong.set_api_key("test_notthekeynotthekeynotthekey00")
    with pytest.raises(UnauthorizedError):
        wrong.payments.get("tr_Nothing123")


def test_a_refused_request_is_not_replayed(client):
    with pytest.raises(UnprocessableEntityError):
        client.payments.create(_body(amount={"currency": "EUR", "value": "9.5"}), idempotency_key="k2")

    assert client.payments.create(_body(), idempotency_key="k2").status == "open"


def test_refunds_are_listed_and_read_with_the_real_client(mollie_standin, client):
    payment = client.payments.create(_body(), idempotency_key="k3")
    mollie_standin.set_status(payment.id, "paid", webhook=False)
    payment = client.payments.get(payment.id)
    refund = payment.refunds.create({"amount": {"currency": "EUR", "value": "2.00"}}, idempotency_key="r1")

    assert [r.id for r in payment.refunds.list()] == [refund.id]
    assert payment.refunds.get(refund.id).amount == {"value": "2.00", "currency": "EUR"}
    assert client.payments.get(payment.id).amount_remaining == {"value": "7.49", "currency": "EUR"}


def test_faults_through_the_control_endpoint(mollie_standin, client):
    answer = requests.post(
        f"{mollie_standin.url}/__control__/faults", json={"mode": "500", "count": 2}, timeout=5
    )

    assert answer.json() == {"ok": True}
    for _ in range(2):
        with pytest.raises(ResponseError, match="An internal server error occurred"):
            client.payments.get("tr_Nothing123")
    with pytest.raises(NotFoundError):
        client.payments.get("tr_Nothing123")


def test_status_only_moves_forward(mollie_standin, client):
    payment = client.payments.create(_body(), idempotency_key="k4")
    status_url = f"{mollie_standin.url}/__control__/payments/{payment.id}/status"

    assert (
        requests.post(status_url, json={"status": "failed", "webhook": False}, timeout=5).status_code == 200
    )
    again = requests.post(status_url, json={"status": "paid", "webhook": False}, timeout=5)

    assert again.status_code == 409
    assert client.payments.get(payment.id).status == "failed"
    assert client.payments.get(payment.id).paid_at is None


def test_unknown_control_paths_are_404(mollie_standin):
    assert requests.post(f"{mollie_standin.url}/__control__/nothing", json={}, timeout=5).status_code == 404
    assert (
        requests.post(
            f"{mollie_standin.url}/__control__/payments/tr_Nothing123/status", timeout=5
        ).status_code
        == 404
    )


@pytest.mark.django_db(transaction=True)
def test_the_hosted_page_pays_posts_the_webhook_and_sends_the_buyer_back(
    mollie, live_server, settings, make_order
):
    settings.SITE_URL = live_server.url
    payment = payment_start(order=make_order(), method="ideal")

    page = requests.get(payment.checkout_url, timeout=5)
    back = requests.post(payment.checkout_url, data={"outcome": "paid"}, allow_redirects=False, timeout=30)

    assert '<button type="submit" name="outcome" value="paid">Paid</button>' in page.text
    assert back.status_code == 303
    assert back.headers["Location"] == mollie.payments[payment.provider_id]["redirectUrl"]
    assert mollie.webhooks == [(payment.provider_id, 200)]
    payment.refresh_from_db()
    assert payment.status == "paid"
