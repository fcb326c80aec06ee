"""Changing the password while signed in (ASVS 6.2.2, 6.2.3, 7.4.3): the current password first;
afterwards every other session of the account is signed out and this one stays.

Django does both halves: a session remembers the password hash it was made with
(get_session_auth_hash) and is dropped when that no longer matches, while
update_session_auth_hash (in PasswordChangeView.form_valid) gives this session the new hash
and a new key. A password reset changes the hash too, so it ends every session the same way."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studymarket.accounts.forms import NewPasswordForm
from studymarket.core.security_log import security_event


class ChangePasswordForm(PasswordChangeForm, NewPasswordForm):
    """Django's form (current password, new password twice), with the rules as plain text as in
    NewPasswordForm (the reset page's form)."""

    # Django's Dutch says "Uw oude wachtwoord …"; the site says "je".
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": gettext_lazy("Je huidige wachtwoord klopt niet. Typ het opnieuw."),
    }


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm

    def get_success_url(self) -> str:
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def form_valid(self, form: ChangePasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        security_event("password_changed", request=self.request)
        messages.success(
            self.request, _("Je wachtwoord is gewijzigd. Op je andere apparaten ben je uitgelogd.")
        )
        return response
