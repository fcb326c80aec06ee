"""The one way a Mollie API client is built, for both Mollie adapters: payments' (payments and
refunds, payments.providers.mollie) and payouts' (delayed routing, ledger.payouts.providers.
mollie_route).

A provider-adapter helper, not domain code: it is the one module outside the adapters that
imports the Mollie SDK (`mollie`), and it sits in core only because the two adapters live in
apps of different layers (payments above ledger) and core is below both. Nothing but those
adapters calls it; domain code never sees the client.
"""

from typing import Any

from mollie.api.client import Client


def mollie_client(*, api_key: str, api_endpoint: str, timeout_seconds: float) -> Client:
    """A client for ``api_endpoint`` ("" for Mollie itself; a local stand-in in tests) with
    ``api_key``, waiting at most ``timeout_seconds`` to connect and as long for each answer.

    Raises the SDK's RequestSetupError for a malformed key: callers build it where they map
    Mollie's errors to their own."""
    # requests takes float seconds; the SDK's hint says int, so the tests' 0.5 s needs Any.
    timeout: Any = (timeout_seconds, timeout_seconds)
    client = Client(api_endpoint=api_endpoint, timeout=timeout)
    client.set_api_key(api_key)
    return client
