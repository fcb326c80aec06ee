"""Forms of the money back office. They parse and check what staff typed; the services decide."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from studymarket.core.money import Money
from studymarket.ledger.models import SELLER_KINDS, AccountKind
from studymarket.support.forms import APPROVE, REJECT, DecisionForm
from studymarket.support.money.selectors import seller_find

CREDIT = "credit"
DEBIT = "debet"
# An adjustment is a correction, not a way to move a fortune: bigger amounts go through the bank.
ADJUSTMENT_MAXIMUM_CENTS = 1_000_000


class OrderSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Bestelnummer of e-mailadres van de koper"), required=False, max_length=254, strip=True
    )


class RefundDecisionForm(DecisionForm):
    decision = forms.ChoiceField(choices=[(APPROVE, _("Goedkeuren")), (REJECT, _("Afwijzen"))])
    note = forms.CharField(
        label=_("Notitie"),
        help_text=_("Verplicht bij afwijzen: de koper krijgt deze uitleg per e-mail."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note_required_message = _("Schrijf op waarom je dit verzoek afwijst; de koper leest het.")


class PayoutFailForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van de bank"),
        help_text=_("Bijvoorbeeld: rekening opgeheven. De verkoper krijgt het bedrag terug op zijn saldo."),
        max_length=300,
        error_messages={"required": _("Vul de reden in die de bank gaf.")},
    )


def money_parse(text: str, *, currency: str) -> Money:
    """ "12,50", "12.50" or "€ 12,50" → Money(1250). Exact: Decimal, never float; at most two
    decimals, so nothing is rounded away without staff seeing it."""
    cleaned = text.replace("€", "").replace(" ", "").replace("\xa0", "")
    if "," in cleaned:
        # Dutch: "1.234,50" → a dot groups thousands, the comma is the decimal sign.
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise forms.ValidationError(_("Vul een bedrag in euro in, bijvoorbeeld 12,50.")) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise forms.ValidationError(_("Vul een bedrag in hele centen in, bijvoorbeeld 12,50."))
    cents = int(amount * 100)
    if cents <= 0:
        raise forms.ValidationError(_("Vul een bedrag groter dan nul in; kies de richting hieronder."))
    if cents > ADJUSTMENT_MAXIMUM_CENTS:
        raise forms.ValidationError(
            _("Een correctie is hoogstens € 10.000,00. Boek grotere bedragen via de bank en de boekhouder.")
        )
    return Money(cents, currency)


def _kind_choices(kinds: list[AccountKind]) -> list[tuple[str, str]]:
    return [(kind.value, str(kind.label)) for kind in kinds]


_COUNTER_KINDS = [
    AccountKind.ADJUSTMENTS,
    AccountKind.PROVIDER_CLEARING,
    AccountKind.PLATFORM_REVENUE,
    AccountKind.VAT_PAYABLE,
    AccountKind.REFUNDS,
    AccountKind.PAYOUTS_IN_TRANSIT,
]


class AdjustmentForm(forms.Form):
    """One correction of two lines: the account staff name, and its other side (by default
    "Correcties", the account that collects every manual correction)."""

    kind = forms.ChoiceField(label=_("Rekening"), choices=_kind_choices(list(AccountKind)))
    seller = forms.CharField(
        label=_("Verkoper"),
        help_text=_("Weergavenaam of e-mailadres; alleen bij een rekening van een verkoper."),
        required=False,
        max_length=254,
    )
    country = forms.ChoiceField(
        label=_("Land (btw)"),
        help_text=_("Alleen bij btw."),
        choices=[("", "—"), *((code, code) for code in sorted(settings.VAT_RATES_PERCENT))],
        required=False,
    )
    direction = forms.ChoiceField(
        label=_("Richting"),
        choices=[
            (CREDIT, _("Credit: bijschrijven (bijvoorbeeld: de verkoper krijgt geld)")),
            (DEBIT, _("Debet: afschrijven (bijvoorbeeld: de verkoper krijgt minder)")),
        ],
        widget=forms.RadioSelect,
        initial=CREDIT,
    )
    amount = forms.CharField(label=_("Bedrag"), help_text=_("In euro, bijvoorbeeld 12,50."), max_length=20)
    counter_kind = forms.ChoiceField(
        label=_("Tegenrekening"),
        choices=_kind_choices(_COUNTER_KINDS),
        initial=AccountKind.ADJUSTMENTS.value,
        help_text=_("De andere kant van de boeking. Btw gebruikt het land hierboven."),
    )
    reason = forms.CharField(
        label=_("Reden"),
        help_text=_("Verplicht: waarom deze correctie nodig is. Staat voor altijd in het grootboek."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Schrijf op waarom je deze correctie boekt.")},
    )
    # One per form shown: the same form sent twice (a double click, a reload) books once.
    token = forms.RegexField(
        regex=r"^[0-9a-f]{32}$",
        widget=forms.HiddenInput,
        error_messages={"required": _("Laad de pagina opnieuw en vul de correctie nog eens in.")},
    )

    def clean_amount(self) -> Money:
        return money_parse(self.cleaned_data["amount"], currency=settings.CURRENCY)

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Schrijf op waarom je deze correctie boekt."))
        return reason

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in SELLER_KINDS:
            text = str(data.get("seller") or "").strip()
            seller = seller_find(text=text) if text else None
            if seller is None:
                self.add_error(
                    "seller",
                    _("Vul de weergavenaam of het e-mailadres van een bestaande verkoper in.")
                    if text
                    else _("Kies bij een rekening van een verkoper ook de verkoper."),
                )
            data["seller_profile"] = seller
        elif data.get("seller"):
            self.add_error("seller", _("Laat de verkoper leeg: deze rekening is niet van een verkoper."))
        if AccountKind.VAT_PAYABLE in (kind, data.get("counter_kind")) and not data.get("country"):
            self.add_error("country", _("Kies het land van de btw-rekening."))
        if kind == data.get("counter_kind"):
            self.add_error("counter_kind", _("Kies een andere tegenrekening dan de rekening zelf."))
        return data

    def key_for(self, kind: str) -> str:
        if kind in SELLER_KINDS:
            seller = self.cleaned_data["seller_profile"]
            return str(seller.pk)
        if kind == AccountKind.VAT_PAYABLE:
            return str(self.cleaned_data["country"])
        return ""


class ApprovalDecisionForm(DecisionForm):
    decision = forms.ChoiceField(choices=[(APPROVE, _("Goedkeuren")), (REJECT, _("Afwijzen"))])
    note = forms.CharField(
        label=_("Notitie"),
        help_text=_("Verplicht bij afwijzen: je collega leest waarom."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note_required_message = _("Schrijf op waarom je dit voorstel afwijst.")
