"""Small HTTP hardening that applies to every response (docs/security.md, ASVS 13.4.4, 14.3.2)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

# Methods no view of ours answers: TRACE echoes the request (headers and all), CONNECT tunnels.
REFUSED_METHODS = frozenset({"TRACE", "TRACK", "CONNECT"})
ALLOWED_METHODS = ["GET", "HEAD", "POST", "OPTIONS"]


class HttpHardeningMiddleware:
    """Refuses TRACE and CONNECT before any view (Django's function views would answer them
    like GET), and marks what a signed-in user sees as not to be stored by any cache: order
    pages, earnings and the back office must not linger in a shared or a browser cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in REFUSED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
