"""The Mollie adapter with the real mollie-api-python client, over HTTP, against the stand-in."""

import logging
from datetime import datetime

import pytest

from studymarket.payments.providers import provider_get
from studymarket.payments.providers.base import (
    ProviderNotFound,
    ProviderRejected,
    ProviderUnavailable,
)
from studymarket.payments.providers.mollie import MollieProvider, webhook_reachable


def _provider(standin, *, timeout=5.0, api_key=None, endpoint=None) -> MollieProvider:
    return MollieProvider(
        api_key=api_key or standin.api_key, api_endpoint=endpoint or standin.url, timeout_seconds=timeout
    )


def _create(provider, key="test:pay:SM-TEST0001:1", **overrides):
    arguments = {
        "amount_cents": 949,
        "currency": "EUR",
        "description": "Bestelling SM-TEST0001 bij studymarket",
        "method": "ideal",
        "locale": "nl_NL",
        "redirect_url": "https://studymarket.example/betalen/terug/abc/",
        "webhook_url": "https://studymarket.example/webhooks/mollie/",
        "metadata": {"order": "SM-TEST0001", "payment": 1},
        "idempotency_key": key,
    } | overrides
    return provider.create_payment(**arguments)


def test_create_sends_mollie_units_and_our_key(mollie_standin):
    payment = _create(_provider(mollie_standin))

    assert payment.status == "open"
    assert payment.amount_cents == 949
    assert payment.currency == "EUR"
    assert payment.checkout_url == f"{mollie_standin.url}/checkout/{payment.id}"
    sent = mollie_standin.requests[0]
    assert sent.headers["Idempotency-Key"] == "test:pay:SM-TEST0001:1"
    assert sent.headers["Authorization"] == f"Bearer {mollie_standin.api_key}"
    assert sent.body == {
        "amount": {"currency": "EUR", "value": "9.49"},
        "description": "Bestelling SM-TEST0001 bij studymarket",
        "redirectUrl": "https://studymarket.example/betalen/terug/abc/",
        "method": "ideal",
        "locale": "nl_NL",
        "metadata": {"order": "SM-TEST0001", "payment": 1},
        "webhookUrl": "https://studymarket.example/webhooks/mollie/",
    }


def test_the_same_key_gives_the_same_payment(mollie_standin, caplog):
    provider = _provider(mollie_standin)
    first = _create(provider)
    with caplog.at_level(logging.WARNING):
        again = _create(provider)

    assert again.id == first.id
    assert len(mollie_standin.payments) == 1
    assert "Idempotent-Replayed" in caplog.text  # the client saw the replay header


def test_another_key_gives_another_payment(mollie_standin):
    provider = _provider(mollie_standin)

    assert _create(provider, key="k:1").id != _create(provider, key="k:2").id


def test_get_reads_status_paid_at_and_refunds(mollie_standin):
    provider = _provider(mollie_standin)
    created = _create(provider)
    mollie_standin.set_status(created.id, "paid", webhook=False)

    paid = provider.get_payment(created.id)

    assert paid.status == "paid"
    assert isinstance(paid.paid_at, datetime)
    assert paid.paid_at.tzinfo is not None
    assert paid.refunded_cents == 0
    assert paid.raw["amountRemaining"] == {"value": "9.49", "currency": "EUR"}


def test_refund_and_its_replay(mollie_standin):
    provider = _provider(mollie_standin)
    created = _create(provider)
    mollie_standin.set_status(created.id, "paid", webhook=False)

    refund = provider.refund(
        provider_id=created.id,
        amount_cents=500,
        currency="EUR",
        description="Tevredenheidsgarantie",
        idempotency_key="test:refund:1",
    )
    again = provider.refund(
        provider_id=created.id,
        amount_cents=500,
        currency="EUR",
        description="Tevredenheidsgarantie",
        idempotency_key="test:refund:1",
    )

    assert (refund.payment_id, refund.amount_cents, refund.status) == (created.id, 500, "pending")
    assert again.id == refund.id
    assert provider.get_payment(created.id).refunded_cents == 500
    assert mollie_standin.requests[-1].path == f"/v2/payments/{created.id}"


def test_refunding_more_than_is_left_is_refused(mollie_standin):
    provider = _provider(mollie_standin)
    created = _create(provider)
    mollie_standin.set_status(created.id, "paid", webhook=False)

    with pytest.raises(ProviderRejected, match="422: The amount requested for refund exceeds"):
        provider.refund(
            provider_id=created.id,
            amount_cents=950,
            currency="EUR",
            description="x",
            idempotency_key="test:refund:2",
        )


def test_refunding_an_unpaid_payment_is_refused(mollie_standin):
    provider = _provider(mollie_standin)
    created = _create(provider)

    with pytest.raises(ProviderRejected, match="422: The payment cannot be refunded"):
        provider.refund(
            provider_id=created.id,
            amount_cents=100,
            currency="EUR",
            description="x",
            idempotency_key="test:refund:3",
        )


def test_an_unknown_payment_is_not_found(mollie_standin):
    with pytest.raises(ProviderNotFound, match="No payment exists with token tr_Unknown123"):
        _provider(mollie_standin).get_payment("tr_Unknown123")


def test_a_wrong_api_key_is_rejected_not_unavailable(mollie_standin):
    with pytest.raises(ProviderRejected, match="401: Missing authentication"):
        _provider(mollie_standin, api_key="test_wrongwrongwrongwrongwrongwr").get_payment("tr_Unknown123")


def test_a_malformed_api_key_is_rejected_before_any_request(mollie_standin):
    with pytest.raises(ProviderRejected, match="Invalid API key"):
        _provider(mollie_standin, api_key="sk_live_123").get_payment("tr_Unknown123")
    assert mollie_standin.requests == []


def test_a_validation_error_is_rejected(mollie_standin):
    with pytest.raises(ProviderRejected, match="422: The amount is lower than the minimum"):
        _create(_provider(mollie_standin), amount_cents=0)


def test_a_500_is_unavailable(mollie_standin):
    mollie_standin.fail_next(1, "500")

    with pytest.raises(ProviderUnavailable, match="500"):
        _create(_provider(mollie_standin))
    assert mollie_standin.payments == {}


def test_a_hang_is_unavailable_and_the_retry_finds_the_payment_made_meanwhile(mollie_standin):
    mollie_standin.hang_seconds = 1.5
    mollie_standin.fail_next(1, "hang")
    provider = _provider(mollie_standin, timeout=0.5)

    with pytest.raises(ProviderUnavailable, match="Unable to communicate with Mollie"):
        _create(provider)
    (made,) = mollie_standin.payments  # Mollie did make it; only the answer got lost
    assert _create(provider).id == made
    assert len(mollie_standin.payments) == 1


def test_nothing_listening_is_unavailable(mollie_standin):
    closed = mollie_standin.url
    mollie_standin.stop()

    with pytest.raises(ProviderUnavailable):
        _provider(mollie_standin, endpoint=closed).get_payment("tr_Unknown123")


def test_webhook_hint_takes_only_mollie_payment_ids():
    provider = MollieProvider(api_key="", api_endpoint="", timeout_seconds=1)

    assert provider.webhook_hint({"id": "tr_WDqYK6vllg"}) == "tr_WDqYK6vllg"
    for garbage in ["", "tr_", "re_WDqYK6vllg", "tr_WDqYK6vllg/../x", "tr_' OR 1=1", "tr_" + "a" * 200]:
        assert provider.webhook_hint({"id": garbage}) is None
    assert provider.webhook_hint({}) is None


@pytest.mark.parametrize(
    ("url", "reachable"),
    [
        ("https://studymarket.nl/webhooks/mollie/", True),
        ("http://127.0.0.1:8000/webhooks/mollie/", False),
        ("http://localhost:8000/webhooks/mollie/", False),
        ("http://192.168.1.10/webhooks/mollie/", False),
        ("http://[::1]:8000/webhooks/mollie/", False),
    ],
)
def test_webhook_reachable(url, reachable):
    assert webhook_reachable(url) is reachable


def test_against_mollie_itself_a_local_webhook_url_is_left_out(mollie_standin, monkeypatch):
    # With no endpoint configured the client talks to api.mollie.com: pretend the stand-in is it.
    provider = _provider(mollie_standin)
    monkeypatch.setattr(provider, "_api_endpoint", "")
    monkeypatch.setattr("mollie.api.client.Client.API_ENDPOINT", mollie_standin.url)

    _create(provider, webhook_url="http://127.0.0.1:8000/webhooks/mollie/")

    assert "webhookUrl" not in mollie_standin.requests[0].body


def test_provider_get_builds_the_configured_mollie(mollie):
    provider = provider_get()

    assert isinstance(provider, MollieProvider)
    assert _create(provider).status == "open"
