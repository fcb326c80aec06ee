from django import forms
from django.utils.translation import gettext_lazy as _

from studymarket.trust.models import NoticeKind
from studymarket.trust.notices import EXPLANATION_MAX


class NoticeForm(forms.Form):
    """A notice (DSA art. 16(2)): what is wrong and why, where exactly, who reports, and a
    statement of good faith."""

    kind = forms.ChoiceField(
        label=_("Wat is er aan de hand?"), choices=NoticeKind.choices, widget=forms.RadioSelect
    )
    explanation = forms.CharField(
        label=_("Waarom hoort dit document niet op studymarket?"),
        help_text=_(
            "Leg zo precies mogelijk uit wat er mis is. Gaat het om jouw werk? Noem dan het "
            "oorspronkelijke werk en de pagina's die zijn overgenomen."
        ),
        max_length=EXPLANATION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    location = forms.URLField(
        label=_("Exacte locatie"),
        help_text=_("Het webadres van het document; we hebben het al voor je ingevuld."),
        max_length=500,
        assume_scheme="https",
    )
    reporter_name = forms.CharField(label=_("Je naam"), max_length=200)
    reporter_email = forms.EmailField(
        label=_("Je e-mailadres"),
        help_text=_("Hier sturen we de ontvangstbevestiging en ons besluit naartoe."),
    )
    good_faith = forms.BooleanField(
        label=_("Ik verklaar te goeder trouw dat mijn melding juist en volledig is."),
        error_messages={
            "required": _(
                "Bevestig dat je melding te goeder trouw is; zonder die verklaring kunnen we haar "
                "niet in behandeling nemen."
            )
        },
    )


class SellerResponseForm(forms.Form):
    text = forms.CharField(
        label=_("Je reactie"),
        help_text=_(
            "Vertel waarom het document wel of niet op studymarket hoort, bijvoorbeeld dat het je eigen "
            "werk is of dat je toestemming hebt."
        ),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


TAKE_DOWN = "offline"
ASK_SELLER = "verkoper"
RESTORE = "herstellen"
UPHOLD = "gegrond"
UNFOUNDED = "ongegrond"


class NoticeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (TAKE_DOWN, _("Meteen offline halen")),
            (ASK_SELLER, _("Verkoper om reactie vragen")),
            (RESTORE, _("Niet gegrond: herstellen")),
            (UPHOLD, _("Gegrond: definitief offline")),
            (UNFOUNDED, _("Afwijzen als ongegrond")),
        ]
    )
    note = forms.CharField(
        label=_("Toelichting"),
        help_text=_("Komt in de motivering voor de verkoper en in het besluit voor de melder."),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
