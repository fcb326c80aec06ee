"""Payment providers behind one interface (base.py); `provider_get` picks one."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from studymarket.payments.providers.base import PaymentProvider


def provider_get(name: str | None = None) -> PaymentProvider:
    """The provider called ``name``, or the configured one (settings.PAYMENT_PROVIDER).

    A payment keeps talking to the provider that made it (Payment.provider), even after the
    setting changes.
    """
    name = name or settings.PAYMENT_PROVIDER
    if name == "simulated":
        # The settings refuse this combination at start-up already; this keeps it refused for
        # anyone who builds settings another way.
        if settings.PRODUCTION and not settings.DEMO_MODE:
            raise ImproperlyConfigured("The simulated payment provider is refused in production.")
        from studymarket.payments.providers.simulated import SimulatedProvider

        return SimulatedProvider()
    if name == "mollie":
        # Imported here so that the SDK is loaded only where Mollie is used.
        from studymarket.payments.providers.mollie import MollieProvider

        return MollieProvider(
            api_key=settings.MOLLIE_API_KEY,
            api_endpoint=settings.MOLLIE_API_ENDPOINT,
            timeout_seconds=settings.MOLLIE_TIMEOUT_SECONDS,
        )
    raise ImproperlyConfigured(f"Unknown PAYMENT_PROVIDER {name!r} (simulated or mollie).")
