""" "API-tokens" under the account settings: make a personal access token for the JSON API
(shown once, right after it is made), see the ones there are, revoke one (accounts.tokens)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST

from studymarket.accounts.models import User
from studymarket.accounts.tokens import (
    NewToken,
    PersonalAccessToken,
    TokenScope,
    token_create,
    token_list,
    token_revoke,
)
from studymarket.core.errors import ApplicationError


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Naam"),
        max_length=60,
        help_text=gettext_lazy("Waarvoor gebruik je deze token? Bijvoorbeeld: laptop, studymarket-cli."),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Rechten"),
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Kies minstens één recht: lezen of verkopen.")},
    )


# The page that shows a new token must never be kept by a cache or the browser's history.
@cache_control(private=True, no_store=True)
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    form = TokenForm(request.POST or None)
    created: NewToken | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = token_create(
                user=request.user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            form = TokenForm()
    context = {"form": form, "created": created, "tokens": token_list(user=request.user)}
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    assert isinstance(request.user, User)
    try:
        token = token_revoke(user=request.user, token_id=pk)
    except PersonalAccessToken.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("De token “%(name)s” is ingetrokken.") % {"name": token.name})
    return redirect("accounts:tokens")
