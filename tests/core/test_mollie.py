"""core.mollie: the one builder of a Mollie client, used by payments' and payouts' adapters."""

import pytest
from mollie.api.error import RequestSetupError

from studymarket.core.mollie import mollie_client
from studymarket.ledger.payouts.providers.mollie_route import MollieRouteProvider
from studymarket.payments.providers.base import ProviderRejected
from studymarket.payments.providers.mollie import MollieProvider

ENDPOINT = "http://127.0.0.1:9/"


def test_the_client_has_our_endpoint_key_and_timeout():
    client = mollie_client(api_key="test_" + "a" * 30, api_endpoint=ENDPOINT, timeout_seconds=0.5)

    assert client.api_endpoint == ENDPOINT.rstrip("/")
    assert client.api_key == "test_" + "a" * 30
    assert client.timeout == (0.5, 0.5)


def test_a_malformed_key_is_refused_before_anything_is_sent():
    with pytest.raises(RequestSetupError):
        mollie_client(api_key="not-a-key", api_endpoint=ENDPOINT, timeout_seconds=0.5)


def test_both_adapters_build_their_client_here(monkeypatch):
    built: list[dict[str, object]] = []

    def spy(**kwargs: object) -> object:
        built.append(kwargs)
        return object()

    monkeypatch.setattr("studymarket.payments.providers.mollie.mollie_client", spy)
    monkeypatch.setattr("studymarket.ledger.payouts.providers.mollie_route.mollie_client", spy)
    MollieProvider(api_key="test_x", api_endpoint=ENDPOINT, timeout_seconds=2.0)._api()
    MollieRouteProvider(api_key="test_x", api_endpoint=ENDPOINT, timeout_seconds=2.0)._api()

    settings = {"api_key": "test_x", "api_endpoint": ENDPOINT, "timeout_seconds": 2.0}
    assert built == [settings, settings]


def test_payments_maps_a_malformed_key_to_its_own_refusal():
    with pytest.raises(ProviderRejected):
        MollieProvider(api_key="not-a-key", api_endpoint=ENDPOINT, timeout_seconds=0.5)._api()
