from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.services import (
    AVATAR_FORMATS,
    AVATAR_MAX_BYTES,
    BIO_MAX_LENGTH,
    DISPLAY_NAME_MAX_LENGTH,
    DISPLAY_NAME_MIN_LENGTH,
)


def _password_help_text() -> str:
    return " ".join(password_validation.password_validators_help_texts())


def _email_field() -> forms.EmailField:
    return forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class LoginForm(AuthenticationForm):
    """Django's login form, with the e-mail address as the user name.

    The field keeps the name "username": django-axes reads that POST field to count failures.
    """

    username = _email_field()
    password = forms.CharField(
        label=_("Wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Het e-mailadres of het wachtwoord klopt niet. Let op hoofdletters in je wachtwoord."
        ),
    }

    def clean_username(self) -> str:
        # Addresses are stored in lower case; "Anna@X.nl" must find the same account.
        return str(self.cleaned_data["username"]).lower()


class NewPasswordForm(SetPasswordForm):
    """Django's set-password form, with the rules as plain text (our field template escapes help texts)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = _password_help_text()


class SignupForm(forms.Form):
    """Parses the sign-up page; the rules on e-mail and password live in user_create."""

    email = _email_field()
    first_name = forms.CharField(
        label=_("Voornaam"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Achternaam"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    password = forms.CharField(
        label=_("Wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        # Lazy: the validators' texts must be translated per request, not at import.
        help_text=lazy(_password_help_text, str)(),
    )
    password_confirm = forms.CharField(
        label=_("Wachtwoord herhalen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password_confirm(self) -> str:
        password = self.cleaned_data.get("password")
        confirm: str = self.cleaned_data["password_confirm"]
        if password and password != confirm:
            raise forms.ValidationError(_("De wachtwoorden komen niet overeen."), code="password_mismatch")
        return confirm


class BecomeSellerForm(forms.Form):
    """Parses "Start met verkopen"; uniqueness and the avatar check live in seller_profile_create."""

    display_name = forms.CharField(
        label=_("Verkopersnaam"),
        min_length=DISPLAY_NAME_MIN_LENGTH,
        max_length=DISPLAY_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "autofocus": True}),
    )
    avatar = forms.FileField(
        label=_("Profielfoto"),
        required=False,
        widget=forms.FileInput(
            attrs={"accept": ",".join(f"image/{f.lower()}" for f in sorted(AVATAR_FORMATS))}
        ),
    )
    bio = forms.CharField(
        label=_("Over mij"),
        required=False,
        max_length=BIO_MAX_LENGTH,
        help_text=_("Wat studeer je, waar ben je goed in?"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set per instance: these texts carry numbers and must follow the request's language.
        self.fields["display_name"].help_text = gettext(
            "Zo zien kopers je. Van %(min)d tot %(max)d tekens; het hoeft niet je echte naam te zijn."
        ) % {"min": DISPLAY_NAME_MIN_LENGTH, "max": DISPLAY_NAME_MAX_LENGTH}
        self.fields["avatar"].help_text = gettext("JPEG, PNG of WebP, maximaal %(size)s.") % {
            "size": filesizeformat(AVATAR_MAX_BYTES)
        }
