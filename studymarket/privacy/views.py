"""The data rights pages: "Mijn gegevens" (the export) and "Account verwijderen" (erasure).

Erasure takes three steps, each harmless to repeat: the password (proof it is the person at the
keyboard), a signed link by e-mail (proof it is the owner of the address), and a button on the
page that link opens (a link preview or a mail scanner that follows the link erases nothing).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods, require_POST

from studymarket.accounts.models import User
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.core.ratelimits import rate_limit_check
from studymarket.core.storage import storage_unavailable_page, stored_file_response
from studymarket.privacy.erasure import account_erase
from studymarket.privacy.erasure_links import erasure_token_make, erasure_token_user
from studymarket.privacy.erasure_rules import erasure_refusal, erasure_unpaid_remainder
from studymarket.privacy.export import (
    data_export_downloadable,
    data_export_downloaded,
    data_export_list,
    data_export_request,
)
from studymarket.privacy.forms import ErasurePasswordForm
from studymarket.privacy.mail import erasure_link_mail_send


def _person(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required let only a signed-in user through
    return request.user


@login_required
@never_cache
def privacy_index(request: HttpRequest) -> HttpResponse:
    """ "Mijn gegevens": the exports asked for, and the way to erasure."""
    context = {"exports": data_export_list(user=_person(request)), "days": settings.PRIVACY_EXPORT_DAYS}
    return render(request, "privacy/index.html", context)


@login_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    _export, made = data_export_request(user=_person(request), language=translation.get_language() or "")
    if made:
        messages.success(
            request, _("We maken een bestand met je gegevens. Je krijgt een e-mail zodra het klaarstaat.")
        )
    else:
        messages.info(
            request, _("We zijn je gegevens al aan het verzamelen. Je krijgt een e-mail zodra ze klaarstaan.")
        )
    return redirect("privacy:index")


@login_required
@cache_control(private=True, no_store=True)
@storage_unavailable_page
def export_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """The person's own ZIP, only theirs and only while it has not expired (404 otherwise):
    its bytes, or on object storage a redirect to a short-lived pre-signed URL."""
    export = data_export_downloadable(user=_person(request), token=token)
    if export is None:
        raise Http404
    name = (
        f"studymarket-gegevens-{export.built_at:%Y-%m-%d}.zip"
        if export.built_at
        else "studymarket-gegevens.zip"
    )
    return stored_file_response(
        export.file,
        filename=name,
        content_type="application/zip",
        record=lambda: data_export_downloaded(export=export),
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    """Step one: what erasing means, any reason it cannot happen yet, and the password."""
    user = _person(request)
    refusal = erasure_refusal(user=user)
    form = ErasurePasswordForm(request.POST or None, user=user)
    if request.method == "POST" and refusal is None:
        rate_limit_check(name="erasure_password_user", key=str(user.pk))
        if form.is_valid():
            audit_record(action="account.erasure_requested", obj=user, actor=user)
            erasure_link_mail_send(
                user=user, token=erasure_token_make(user=user), language=translation.get_language() or ""
            )
            return render(request, "privacy/erase_sent.html")
    context = {"form": form, "refusal": refusal, "remainder": erasure_unpaid_remainder(user=user)}
    return render(
        request, "privacy/erase.html", context, status=409 if refusal and request.method == "POST" else 200
    )


@never_cache
@require_http_methods(["GET", "POST"])
def erase_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Steps two and three: the link from the e-mail shows a last button; the button erases."""
    user = erasure_token_user(token=token)
    if user is None:
        return render(request, "privacy/erase_link_invalid.html", status=400)
    refusal = erasure_refusal(user=user)
    if request.method == "POST" and refusal is None:
        try:
            account_erase(user_id=user.pk, language=translation.get_language() or "")
        except ApplicationError as error:
            refusal = error.message
        else:
            if request.user.is_authenticated and request.user.pk == user.pk:
                logout(request)
            return render(request, "privacy/erase_done.html")
    context = {"token": token, "refusal": refusal, "remainder": erasure_unpaid_remainder(user=user)}
    return render(request, "privacy/erase_confirm.html", context, status=409 if refusal else 200)
