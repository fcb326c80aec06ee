import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from studymarket.payments.models import PaymentMethod

# 43 URL-safe characters: unguessable, and well within Order.checkout_token's 64.
CHECKOUT_TOKEN_BYTES = 32


def checkout_token_new() -> str:
    return secrets.token_urlsafe(CHECKOUT_TOKEN_BYTES)


class PaymentMethodForm(forms.Form):
    """The return page's "Opnieuw proberen": only the method."""

    method = forms.ChoiceField(
        label=_("Betaalmethode"),
        choices=PaymentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies een betaalmethode.")},
    )


class CheckoutForm(PaymentMethodForm):
    """The checkout page's "Betalen". The token is made when the page is drawn, so every
    submission of this one page (a double click, a resubmitted form) is the same checkout."""

    checkout_token = forms.CharField(widget=forms.HiddenInput, min_length=20, max_length=64)
