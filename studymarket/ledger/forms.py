"""Forms of "Mijn verdiensten": they parse; seller_payout_details_update and payout_request decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.models import PayoutSchedule, SellerProfile


class PayoutDetailsForm(forms.Form):
    account_holder = forms.CharField(
        label=_("Naam rekeninghouder"),
        max_length=200,  # the service says how long it may be, in words the seller can act on
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Zoals de naam bij je bank op de rekening staat."),
    )
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}),
        help_text=_("Een rekening in een SEPA-land, bijvoorbeeld NL20 INGB 0001 2345 67."),
    )
    schedule = forms.ChoiceField(
        label=_("Uitbetalen"),
        choices=PayoutSchedule.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    @classmethod
    def for_seller(cls, seller: SellerProfile) -> "PayoutDetailsForm":
        return cls(
            initial={
                "account_holder": seller.payout_account_holder,
                "iban": _iban_display(seller.payout_iban),
                "schedule": seller.payout_schedule,
            }
        )


def _iban_display(iban: str) -> str:
    """Groups of four, as on a bank card: NL20INGB0001234567 → NL20 INGB 0001 2345 67."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


class PayoutRequestForm(forms.Form):
    # One key per page view: a double click (or a resent form) makes one payout (payout_request).
    request_key = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
