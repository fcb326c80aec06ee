"""The seller's form for a new discount code: amounts in euros as people type them ("2,50"),
dates as the browser's date picker sends them or as Dutch people write them ("30-07-2026")."""

import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studymarket.catalog.models import Bundle, Listing
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.core.pricing import FUNDER_SELLER, max_discount_cents
from studymarket.promotions.models import CODE_MAX_LENGTH, PERCENT_MAX, PERCENT_MIN, DiscountKind

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# Euros with at most two decimals, a comma or a dot; no thousands separator (a code's amount is small).
_AMOUNT = re.compile(r"\d{1,4}(?:[.,]\d{1,2})?")
AMOUNT_MAX_CENTS = 100_00  # the highest listing price: more than that takes off nothing more
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]
# The cap is explained with this price when the seller has no document on sale yet.
EXAMPLE_PRICE_CENTS = 949


def amount_cents_parse(text: str) -> int:
    """ "2,50", "2.50", "€ 2,50", "2,-" → 250 cents; ValidationError with a message otherwise."""
    cleaned = re.sub(r"[\s€]", "", text)
    if cleaned.endswith((",-", ".-")):
        cleaned = cleaned[:-2]
    if not _AMOUNT.fullmatch(cleaned):
        raise ValidationError(_("Vul een bedrag in euro's in, bijvoorbeeld 2,50."), code="invalid")
    cents = int(Decimal(cleaned.replace(",", ".")).scaleb(2))
    if cents < 1:
        raise ValidationError(_("Vul een bedrag in van minimaal € 0,01."), code="min_value")
    if cents > AMOUNT_MAX_CENTS:
        raise ValidationError(
            _("Een kortingsbedrag is hoogstens %(max)s.") % {"max": money_display(Money(AMOUNT_MAX_CENTS))},
            code="max_value",
        )
    return cents


class AmountField(forms.Field):
    widget = forms.TextInput

    def to_python(self, value: Any) -> int | None:
        text = str(value).strip() if value not in self.empty_values else ""
        return amount_cents_parse(text) if text else None


def _date_field(label: "str | _StrPromise", *, required: bool) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Vul een datum in, bijvoorbeeld 30-07-2026.")},
    )


def cap_text(price_cents: int) -> str:
    """What the per-document cap means, with the numbers of one price."""
    price = Money(price_cents, settings.CURRENCY)
    cap = max_discount_cents(price, funder=FUNDER_SELLER)
    return _(
        "De korting gaat van jouw deel af, nooit van de commissie. Per document is de korting daarom "
        "hoogstens zo groot dat jij er € 0,00 aan overhoudt: een grotere korting wordt per document "
        "verlaagd tot dat maximum. Bij een prijs van %(price)s is dat %(cap)s."
    ) % {"price": money_display(price), "cap": money_display(Money(cap, settings.CURRENCY))}


class DiscountCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        required=False,
        max_length=CODE_MAX_LENGTH + 10,  # spaces are taken out before the 6–20 check
        help_text=gettext_lazy(
            "6 tot 20 letters en cijfers, bijvoorbeeld TENTAMEN10. Laat je het leeg, dan maken we een "
            "code van 10 tekens die niemand kan raden."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Soort korting"),
        choices=DiscountKind.choices,
        initial=DiscountKind.PERCENT,
        widget=forms.RadioSelect,
    )
    percent = forms.IntegerField(
        label=gettext_lazy("Percentage"),
        required=False,
        min_value=PERCENT_MIN,
        max_value=PERCENT_MAX,
        error_messages={
            "min_value": gettext_lazy("Kies een percentage van 1 tot en met 90."),
            "max_value": gettext_lazy("Kies een percentage van 1 tot en met 90."),
            "invalid": gettext_lazy("Vul een heel getal in, bijvoorbeeld 10."),
        },
    )
    amount = AmountField(
        label=gettext_lazy("Bedrag in euro's"),
        required=False,
        help_text=gettext_lazy(
            "Bij meer documenten tegelijk verdelen we het bedrag naar verhouding van hun prijzen."
        ),
    )
    valid_from = _date_field(gettext_lazy("Geldig vanaf"), required=True)
    valid_until = _date_field(gettext_lazy("Geldig tot en met"), required=False)
    max_uses = forms.IntegerField(
        label=gettext_lazy("Hoe vaak te gebruiken"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=gettext_lazy("Leeg: zo vaak als kopers willen. Elke koper kan de code één keer gebruiken."),
        error_messages={
            "min_value": gettext_lazy("Vul minstens 1 in, of laat het veld leeg."),
            "invalid": gettext_lazy("Vul een heel getal in, bijvoorbeeld 50."),
        },
    )
    listings = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Alleen voor deze documenten"),
        queryset=Listing.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    bundles = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Alleen voor deze bundels"),
        queryset=Bundle.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        listings: list[Listing],
        bundles: list[Bundle],
        today: date,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("valid_from", today)
        super().__init__(*args, **kwargs)
        self.today = today
        listing_field = self.fields["listings"]
        bundle_field = self.fields["bundles"]
        assert isinstance(listing_field, forms.ModelMultipleChoiceField)
        assert isinstance(bundle_field, forms.ModelMultipleChoiceField)
        listing_field.queryset = Listing.objects.filter(pk__in=[listing.pk for listing in listings])
        bundle_field.queryset = Bundle.objects.filter(pk__in=[bundle.pk for bundle in bundles])
        cheapest = min((listing.price_cents for listing in listings), default=EXAMPLE_PRICE_CENTS)
        self.fields["percent"].help_text = cap_text(cheapest)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == DiscountKind.PERCENT:
            data["amount"] = None
            if data.get("percent") is None and "percent" not in self.errors:
                self.add_error("percent", _("Vul het percentage in, bijvoorbeeld 10."))
        elif kind == DiscountKind.AMOUNT:
            data["percent"] = None
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", _("Vul het bedrag in, bijvoorbeeld 2,50."))
        start, end = data.get("valid_from"), data.get("valid_until")
        if start is not None and start < self.today:
            self.add_error("valid_from", _("Kies vandaag of een dag daarna."))
        if start is not None and end is not None and end < start:
            self.add_error("valid_until", _("De laatste dag ligt vóór de eerste. Kies een latere datum."))
        return data
