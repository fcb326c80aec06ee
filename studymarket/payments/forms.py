from django import forms
from django.utils.translation import gettext_lazy as _

from studymarket.payments.models import RefundReason
from studymarket.payments.refunds import EXPLANATION_MAX


class RefundRequestForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Waarom wil je je geld terug?"), choices=RefundReason.choices, widget=forms.RadioSelect
    )
    explanation = forms.CharField(
        label=_("Toelichting"),
        help_text=_("De verkoper leest je reden en toelichting als feedback, zonder je naam."),
        required=False,
        max_length=EXPLANATION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("reason") == RefundReason.OTHER and not str(data.get("explanation", "")).strip():
            self.add_error(
                "explanation", _("Vertel kort wat er mis is, dan kunnen we je verzoek beoordelen.")
            )
        return data
