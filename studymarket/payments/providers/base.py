"""The one interface between our code and a payment provider (DESIGN.md rule 6).

Data crosses it as these dataclasses, in our units: integer cents, our status names, aware
datetimes. Provider units (Mollie's "9.49" strings, camelCase keys) and SDK exceptions stay
inside the adapter that speaks to that provider; core code never imports an SDK.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class ProviderPayment:
    id: str
    # One of PaymentStatus's values, or the provider's own word when we have none for it
    # (payment_sync ignores those).
    status: str
    amount_cents: int
    currency: str
    refunded_cents: int = 0
    # Taken back by the buyer's bank (chargebacks); Mollie's amountChargedBack.
    chargedback_cents: int = 0
    method: str | None = None
    checkout_url: str | None = None
    paid_at: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class ProviderRefund:
    id: str
    payment_id: str
    amount_cents: int
    currency: str
    status: str  # the provider's word: queued, pending, processing, refunded, failed, canceled
    # The idempotency key we sent with it, as the provider gives it back (Mollie: metadata): how
    # payment_sync tells our own refunds from those started in the provider's dashboard.
    reference: str | None = None
    created_at: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def accepted(self) -> bool:
        """The provider took it on: the money goes back to the buyer (Mollie pays a refund out
        over a few days; queued, pending and processing all end in refunded but for a rare
        bank failure, which staff handle)."""
        return self.status in REFUND_ACCEPTED


# The refund statuses that mean "the provider is returning the money"; failed and canceled
# refunds return nothing.
REFUND_ACCEPTED = frozenset({"queued", "pending", "processing", "refunded"})


@dataclass(frozen=True)
class ProviderChargeback:
    """The buyer's bank took a payment (or part of it) back. Nobody asks us first."""

    id: str
    payment_id: str
    amount_cents: int
    currency: str
    created_at: datetime | None = None
    reason: str = ""
    # The chargeback was reversed (the bank gave the money back to us): nothing to book.
    reversed: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


class ProviderError(Exception):
    """Anything that went wrong talking to a provider, in our terms."""


class ProviderUnavailable(ProviderError):
    """Not reached, timed out, or a 5xx: the request may or may not have been carried out, so
    retry it with the same idempotency key."""


class ProviderRejected(ProviderError):
    """The provider understood the request and refused it (4xx): retrying will not help."""


class ProviderNotFound(ProviderRejected):
    """The provider knows no payment (or refund) by that id."""


class PaymentProvider(Protocol):
    identifier: str  # stored on Payment.provider: "simulated" | "mollie"
    uses_webhooks: bool  # whether create_payment should be given a webhook URL

    def create_payment(
        self,
        *,
        amount_cents: int,
        currency: str,
        description: str,
        method: str,
        locale: str,  # POSIX form, e.g. "nl_NL", "nl_BE", "en_US"
        redirect_url: str,  # absolute; where the buyer comes back to
        webhook_url: str | None,  # absolute; None when the provider cannot or need not call us
        metadata: Mapping[str, str | int],
        idempotency_key: str,  # the same key must give the same payment, however often it is sent
    ) -> ProviderPayment: ...

    def get_payment(self, provider_id: str) -> ProviderPayment: ...

    def refund(
        self,
        *,
        provider_id: str,
        amount_cents: int,
        currency: str,
        description: str,
        idempotency_key: str,
    ) -> ProviderRefund:
        """Refund (part of) a paid payment. The same key gives the same refund, however often
        it is sent; the provider keeps the key as the refund's reference (list_refunds)."""
        ...

    def list_refunds(self, provider_id: str) -> list[ProviderRefund]:
        """Every refund of the payment, ours and those made in the provider's dashboard."""
        ...

    def list_chargebacks(self, provider_id: str) -> list[ProviderChargeback]:
        """Every chargeback of the payment."""
        ...

    def webhook_hint(self, data: Mapping[str, str]) -> str | None:
        """The payment id a webhook names, if it looks like one. Only a hint: never trusted."""
        ...
