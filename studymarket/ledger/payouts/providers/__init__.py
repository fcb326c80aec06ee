"""Payout providers behind one interface (base.py); `payout_provider_get` picks one."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from studymarket.ledger.payouts.providers.base import PayoutProvider

SEPA = "sepa"
MOLLIE_ROUTE = "mollie_route"


def payout_provider_get(name: str | None = None) -> PayoutProvider:
    """The provider called ``name``, or the configured one (settings.PAYOUT_PROVIDER)."""
    name = name or settings.PAYOUT_PROVIDER
    if name == SEPA:
        from studymarket.ledger.payouts.providers.sepa import SepaProvider

        return SepaProvider(
            debtor_name=settings.SEPA_DEBTOR_NAME,
            debtor_iban=settings.SEPA_DEBTOR_IBAN,
            debtor_bic=settings.SEPA_DEBTOR_BIC,
            currency=settings.CURRENCY,
        )
    if name == MOLLIE_ROUTE:
        # Imported here so that the SDK is loaded only where Mollie is used.
        from studymarket.ledger.payouts.providers.mollie_route import MollieRouteProvider

        return MollieRouteProvider(
            api_key=settings.MOLLIE_API_KEY,
            api_endpoint=settings.MOLLIE_API_ENDPOINT,
            timeout_seconds=settings.MOLLIE_TIMEOUT_SECONDS,
        )
    raise ImproperlyConfigured(f"Unknown PAYOUT_PROVIDER {name!r} (sepa or mollie_route).")
