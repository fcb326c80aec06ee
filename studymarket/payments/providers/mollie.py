"""The Mollie adapter: the only module that imports mollie-api-python.

Everything Mollie-shaped stays here: "9.49" amount strings, camelCase keys, `tr_` ids, the
SDK's exceptions (mapped to ours in `_mapped_errors`). The SDK pitfalls handled here:
- it invents a fresh idempotency key per call when given none: we always pass ours;
- it retries only connection errors, and only for https: our callers retry with the same key;
- `is_paid()` looks at `paidAt`, not `status`: we read `status` and take `paidAt` as the time.
"""

import ipaddress
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from mollie.api.error import (
    IdentifierError,
    NotFoundError,
    RequestError,
    RequestSetupError,
    ResponseError,
    ResponseHandlingError,
)
from mollie.api.objects.payment import Payment as MolliePayment

from studymarket.core.mollie import mollie_client
from studymarket.core.money import Money
from studymarket.payments.providers.base import (
    ProviderChargeback,
    ProviderError,
    ProviderNotFound,
    ProviderPayment,
    ProviderRefund,
    ProviderRejected,
    ProviderUnavailable,
)

# Mollie's payment ids: "tr_" and a short run of letters and digits. Checked before any API
# call is spent on a webhook's claim.
PAYMENT_ID = re.compile(r"tr_[0-9A-Za-z]{4,32}")
# The refund's metadata key that carries our idempotency key back to us (ProviderRefund.reference).
_REFUND_KEY = "refund_key"
# Mollie will not create a payment whose webhook it cannot reach; a laptop's is one of those.
_LOCAL_HOSTS = {"localhost", "testserver"}


@contextmanager
def _mapped_errors() -> Iterator[None]:
    try:
        yield
    except IdentifierError as error:  # a RequestError, but nothing was sent
        raise ProviderRejected(str(error)) from error
    except RequestSetupError as error:  # bad API key or request: configuration, not an outage
        raise ProviderRejected(str(error)) from error
    except RequestError as error:  # connection refused, timed out
        raise ProviderUnavailable(str(error)) from error
    except ResponseHandlingError as error:  # an answer that is not Mollie JSON (a proxy's 502 page)
        raise ProviderUnavailable(str(error)) from error
    except NotFoundError as error:
        raise ProviderNotFound(str(error)) from error
    except ResponseError as error:
        if (error.status or 500) >= 500 or error.status == 429:
            raise ProviderUnavailable(f"{error.status}: {error}") from error
        raise ProviderRejected(f"{error.status}: {error}") from error


def _value(cents: int, currency: str) -> dict[str, str]:
    return {"currency": currency, "value": str(Money(cents, currency).to_decimal())}


def _cents(amount: Mapping[str, str] | None) -> int:
    if not amount:
        return 0
    try:
        cents = Decimal(amount["value"]) * 100
    except (KeyError, InvalidOperation) as error:
        raise ProviderError(f"Unreadable amount from Mollie: {amount!r}") from error
    if cents != cents.to_integral_value():
        raise ProviderError(f"Amount from Mollie is not in whole cents: {amount!r}")
    return int(cents)


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _payment(data: Any) -> ProviderPayment:
    amount = data.get("amount") or {}
    return ProviderPayment(
        id=data["id"],
        status=data["status"],
        amount_cents=_cents(amount),
        currency=amount.get("currency", ""),
        refunded_cents=_cents(data.get("amountRefunded")),
        chargedback_cents=_cents(data.get("amountChargedBack")),
        method=data.get("method"),
        checkout_url=data.checkout_url,
        paid_at=_when(data.get("paidAt")),
        raw=dict(data),
    )


def _refund(data: Any, provider_id: str) -> ProviderRefund:
    amount = data.get("amount") or {}
    metadata = data.get("metadata")
    reference = metadata.get(_REFUND_KEY) if isinstance(metadata, dict) else None
    return ProviderRefund(
        id=data["id"],
        payment_id=data.get("paymentId") or provider_id,
        amount_cents=_cents(amount),
        currency=amount.get("currency", ""),
        status=data["status"],
        reference=reference if isinstance(reference, str) else None,
        created_at=_when(data.get("createdAt")),
        raw=dict(data),
    )


def _chargeback(data: Any, provider_id: str) -> ProviderChargeback:
    amount = data.get("amount") or {}
    reason = data.get("reason")
    return ProviderChargeback(
        id=data["id"],
        payment_id=data.get("paymentId") or provider_id,
        amount_cents=_cents(amount),
        currency=amount.get("currency", ""),
        created_at=_when(data.get("createdAt")),
        reason=str(reason.get("description") or reason.get("code") or "") if isinstance(reason, dict) else "",
        reversed=bool(data.get("reversedAt")),
        raw=dict(data),
    )


def _all(page: Any) -> Iterator[Any]:
    """Every item of a paginated Mollie list, following its "next" links."""
    while page is not None:
        yield from page
        page = page.get_next() if page.has_next() else None


def webhook_reachable(url: str) -> bool:
    """Whether Mollie itself could call this URL: not a loopback or private address."""
    host = urlsplit(url).hostname or ""
    if host in _LOCAL_HOSTS or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return address.is_global


class MollieProvider:
    identifier = "mollie"
    uses_webhooks = True

    def __init__(self, *, api_key: str, api_endpoint: str, timeout_seconds: float) -> None:
        self._api_key = api_key
        self._api_endpoint = api_endpoint
        self._timeout = timeout_seconds
        self._client: Any = None

    def _api(self) -> Any:
        # Built on first use: checking a webhook's hint needs no client.
        if self._client is None:
            with _mapped_errors():
                self._client = mollie_client(
                    api_key=self._api_key, api_endpoint=self._api_endpoint, timeout_seconds=self._timeout
                )
        return self._client

    def create_payment(
        self,
        *,
        amount_cents: int,
        currency: str,
        description: str,
        method: str,
        locale: str,
        redirect_url: str,
        webhook_url: str | None,
        metadata: Mapping[str, str | int],
        idempotency_key: str,
    ) -> ProviderPayment:
        body: dict[str, Any] = {
            "amount": _value(amount_cents, currency),
            "description": description[:255],
            "redirectUrl": redirect_url,
            "method": method,
            "locale": locale,
            "metadata": dict(metadata),
        }
        # Against Mollie itself a local webhook URL is refused outright; the return page and the
        # reconcile sweep sync such payments instead. A stand-in (MOLLIE_API_ENDPOINT) can call it.
        if webhook_url and (self._api_endpoint or webhook_reachable(webhook_url)):
            body["webhookUrl"] = webhook_url
        with _mapped_errors():
            created = self._api().payments.create(body, idempotency_key=idempotency_key)
        return _payment(created)

    def get_payment(self, provider_id: str) -> ProviderPayment:
        with _mapped_errors():
            return _payment(self._api().payments.get(provider_id))

    def refund(
        self,
        *,
        provider_id: str,
        amount_cents: int,
        currency: str,
        description: str,
        idempotency_key: str,
    ) -> ProviderRefund:
        if not PAYMENT_ID.fullmatch(provider_id):
            raise ProviderRejected(f"Not a Mollie payment id: {provider_id!r}")
        with _mapped_errors():
            # The SDK reaches refunds through a payment object; one with just the id saves a GET.
            payment = MolliePayment({"resource": "payment", "id": provider_id}, self._api())
            refund = payment.refunds.create(
                {
                    "amount": _value(amount_cents, currency),
                    "description": description[:255],
                    "metadata": {_REFUND_KEY: idempotency_key},
                },
                idempotency_key=idempotency_key,
            )
        return _refund(refund, provider_id)

    def list_refunds(self, provider_id: str) -> list[ProviderRefund]:
        if not PAYMENT_ID.fullmatch(provider_id):
            raise ProviderRejected(f"Not a Mollie payment id: {provider_id!r}")
        with _mapped_errors():
            payment = MolliePayment({"resource": "payment", "id": provider_id}, self._api())
            return [_refund(item, provider_id) for item in _all(payment.refunds.list(limit=250))]

    def list_chargebacks(self, provider_id: str) -> list[ProviderChargeback]:
        if not PAYMENT_ID.fullmatch(provider_id):
            raise ProviderRejected(f"Not a Mollie payment id: {provider_id!r}")
        with _mapped_errors():
            payment = MolliePayment({"resource": "payment", "id": provider_id}, self._api())
            return [_chargeback(item, provider_id) for item in _all(payment.chargebacks.list(limit=250))]

    def webhook_hint(self, data: Mapping[str, str]) -> str | None:
        hint = data.get("id", "")
        return hint if isinstance(hint, str) and PAYMENT_ID.fullmatch(hint) else None
