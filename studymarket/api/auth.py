"""Who is asking: a personal access token (accounts.tokens) as ``Authorization: Bearer
smpat_…``, and what it may do (its scopes). No cookies, so no CSRF check: a browser never
sends such a header by itself."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from studymarket.accounts.models import SellerProfile
from studymarket.accounts.tokens import SCOPE_READ, SCOPE_SELL, PersonalAccessToken, token_authenticate
from studymarket.api.errors import ApiProblem
from studymarket.core.ratelimits import RateLimited, rate_limit_check, rate_limit_refusal_log

__all__ = ["SCOPE_READ", "SCOPE_SELL", "TokenAuth", "request_seller", "request_token", "scope_require"]


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> PersonalAccessToken | None:
        found = token_authenticate(token.strip())
        if found is not None:
            # Per token, besides the per-IP limit every request counts against (api.py).
            try:
                rate_limit_check(name="api_token", key=f"token:{found.pk}")
            except RateLimited as over:
                # Logged here, where the token is known: its id and owner, never its secret.
                rate_limit_refusal_log(
                    name=over.name,
                    key=over.key,
                    retry_after=over.retry_after,
                    request=request,
                    user_id=found.user_id,
                    token=found.pk,
                )
                raise
        return found


token_auth = TokenAuth()


def request_token(request: HttpRequest) -> PersonalAccessToken:
    token = getattr(request, "auth", None)
    assert isinstance(token, PersonalAccessToken)
    return token


def scope_require(request: HttpRequest, scope: str) -> PersonalAccessToken:
    token = request_token(request)
    if not token.has_scope(scope):
        raise ApiProblem(
            403,
            "scope-missing",
            _(
                "Deze token mag dit niet: maak in je accountinstellingen een token met het recht "
                "“%(scope)s” en gebruik die."
            )
            % {"scope": scope},
        )
    return token


def request_seller(request: HttpRequest) -> SellerProfile:
    """The seller behind a token with the "sell" scope; 403 without a seller profile."""
    token = scope_require(request, SCOPE_SELL)
    try:
        return SellerProfile.objects.get(user_id=token.user_id)
    except SellerProfile.DoesNotExist:
        url = request.build_absolute_uri(reverse("accounts:become_seller"))
        raise ApiProblem(
            403, "not-a-seller", _("Maak eerst je verkopersprofiel aan op %(url)s") % {"url": url}
        ) from None
