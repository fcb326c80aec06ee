"""The Content-Security-Policy middleware: django-csp's, plus the sources that depend on other
settings, read per request (tests change them, e.g. the Mollie stand-in).

- form-action: Chromium checks form-action on the redirect that answers a form too, and the
  checkout POST is answered with a redirect to the payment provider's hosted checkout. The
  simulated provider's page is on this site; Mollie's on MOLLIE_CHECKOUT_ORIGINS, and a stand-in
  for Mollie (MOLLIE_API_ENDPOINT) serves its checkout page itself.
- img-src: previews and avatars come from the public storage, a host of its own with STORAGE=s3.

The policy itself is in config/settings_security.py (its Content-Security-Policy block).
"""

from typing import Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.files.storage import Storage
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from studymarket.core.storage import public_storage

_storage_origins: "WeakKeyDictionary[Storage, list[str]]" = WeakKeyDictionary()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def payment_checkout_origins() -> list[str]:
    """Hosts outside this site where the checkout's form submission may end up."""
    if settings.PAYMENT_PROVIDER != "mollie":
        return []  # the simulated provider's checkout is a page of this site
    origins = list(settings.MOLLIE_CHECKOUT_ORIGINS)
    if settings.MOLLIE_API_ENDPOINT:
        origins.append(_origin(settings.MOLLIE_API_ENDPOINT))
    return origins


def public_media_origins() -> list[str]:
    """The public storage's host, when its URLs are not on this site (object storage)."""
    storage = public_storage()
    if storage not in _storage_origins:
        # Computed from a URL the storage makes (no request: public URLs are not signed).
        url = storage.url("csp")
        _storage_origins[storage] = [_origin(url)] if urlsplit(url).netloc else []
    return _storage_origins[storage]


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        update: dict[str, Any] = dict(parts.update or {})
        for directive, origins in (
            ("form-action", payment_checkout_origins()),
            ("img-src", public_media_origins()),
        ):
            if origins:
                given = update.get(directive) or []
                update[directive] = [*([given] if isinstance(given, str) else given), *origins]
        parts.update = update or None
        return parts
