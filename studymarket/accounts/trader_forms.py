""" "Particulier of zakelijk": the form parses; accounts.trader.seller_identity_update decides
what is required and whether the numbers are right (so the rules live in one place)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.models import SellerKind, SellerProfile
from studymarket.accounts.trader import TraderDetails
from studymarket.accounts.trader_numbers import registration_number_display


class SellerIdentityForm(forms.Form):
    seller_kind = forms.ChoiceField(
        label=_("Ik verkoop als"),
        choices=[
            (SellerKind.PRIVATE, _("Particulier: ik verkoop mijn eigen studiemateriaal")),
            (SellerKind.BUSINESS, _("Zakelijk: ik verkoop als onderneming of zelfstandige")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies of je verkoopt als particulier of als onderneming.")},
    )
    legal_name = forms.CharField(
        label=_("Naam van je onderneming"),
        required=False,
        max_length=300,  # the service says how long it may be, in words the seller can act on
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        help_text=_("Zoals ingeschreven bij de KvK of in de KBO."),
    )
    address = forms.CharField(
        label=_("Adres"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text=_("Een bezoek- of vestigingsadres, geen postbus."),
    )
    email = forms.CharField(
        label=_("Zakelijk e-mailadres"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Telefoonnummer"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    registration_number = forms.CharField(
        label=_("KvK-nummer of ondernemingsnummer (KBO)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        help_text=_("Nederland: 8 cijfers. België: 10 cijfers, zoals 0123.456.749."),
    )
    vat_number = forms.CharField(
        label=_("Btw-nummer"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        help_text=_("Bijvoorbeeld NL123456789B01 of BE0123456749."),
    )
    self_certified = forms.BooleanField(
        label=_("Ik verklaar dat ik alleen producten aanbied die voldoen aan het EU-recht."),
        required=False,
    )

    @classmethod
    def for_seller(cls, seller: SellerProfile) -> "SellerIdentityForm":
        # The declaration is never ticked in advance: the seller makes it each time they save.
        return cls(
            initial={
                "seller_kind": seller.seller_kind,
                "legal_name": seller.trader_legal_name,
                "address": seller.trader_address,
                "email": seller.trader_email,
                "phone": seller.trader_phone,
                "registration_number": registration_number_display(seller.trader_registration_number),
                "vat_number": seller.trader_vat_number,
            }
        )

    def details(self) -> TraderDetails:
        data = self.cleaned_data
        return TraderDetails(
            legal_name=data["legal_name"],
            address=data["address"],
            email=data["email"],
            phone=data["phone"],
            registration_number=data["registration_number"],
            vat_number=data["vat_number"],
            self_certified=data["self_certified"],
        )
