from django import forms
from django.utils.translation import gettext_lazy as _

APPROVE = "goedkeuren"
REJECT = "weigeren"


class UploadDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(APPROVE, _("Goedkeuren")), (REJECT, _("Weigeren"))])
    note = forms.CharField(
        label=_("Notitie"),
        help_text=_("Verplicht bij weigeren: de verkoper ziet deze reden."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("decision") == REJECT and not str(data.get("note", "")).strip():
            self.add_error("note", _("Schrijf op waarom je deze upload weigert."))
        return data

    @property
    def approve(self) -> bool:
        return bool(self.cleaned_data["decision"] == APPROVE)
