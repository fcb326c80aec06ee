import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from studymarket.payments.models import PaymentMethod

CONSENT_REQUIRED = _(
    "Vink beide vakjes aan om te betalen: zonder je toestemming kunnen we de documenten niet "
    "direct leveren. Je winkelwagen blijft bewaard."
)

# 43 URL-safe characters: unguessable, and well within Order.checkout_token's 64.
CHECKOUT_TOKEN_BYTES = 32


def checkout_token_new() -> str:
    return secrets.token_urlsafe(CHECKOUT_TOKEN_BYTES)


class ConsentBox(forms.CheckboxInput):
    """An unticked box without the browser's own "required" check: the server's message, next
    to the boxes, says what to do (and a page that ticks nothing gets the same answer)."""

    def use_required_attribute(self, initial: object) -> bool:
        return False


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
    submission of this one page (a double click, a resubmitted form) is the same checkout.

    The two boxes are what the Consumer Rights Directive (art. 16(m)) asks before digital
    content is delivered within the withdrawal period: the buyer's express consent to delivery
    at once, and the acknowledgement that the right of withdrawal then ends. Both start
    unticked and both are required: without them no order and no payment is made."""

    checkout_token = forms.CharField(widget=forms.HiddenInput, min_length=20, max_length=64)
    consent_immediate_delivery = forms.BooleanField(
        label=_(
            "Ik stem ermee in dat de levering van de digitale documenten direct na mijn betaling "
            "begint, dus binnen de herroepingstermijn van 14 dagen."
        ),
        widget=ConsentBox,
        error_messages={"required": CONSENT_REQUIRED},
    )
    acknowledge_withdrawal_ends = forms.BooleanField(
        label=_("Ik begrijp dat ik daardoor mijn herroepingsrecht verlies zodra de levering begonnen is."),
        widget=ConsentBox,
        error_messages={"required": CONSENT_REQUIRED},
    )

    def consent_errors(self) -> list[str]:
        """One message for the two boxes, shown once next to them."""
        errors = [
            *self.errors.get("consent_immediate_delivery", []),
            *self.errors.get("acknowledge_withdrawal_ends", []),
        ]
        return list(dict.fromkeys(str(error) for error in errors))
