from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

APPROVE = "goedkeuren"
REJECT = "weigeren"


class DecisionForm(forms.Form):
    """Approve or reject, with a note that rejecting requires (the person it concerns reads
    it). Subclasses declare ``decision`` and ``note`` with their own words, and the error."""

    note_required_message: "str | _StrPromise" = ""

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("decision") == REJECT and not str(data.get("note", "")).strip():
            self.add_error("note", self.note_required_message)
        return data

    @property
    def approve(self) -> bool:
        return bool(self.cleaned_data["decision"] == APPROVE)


PRESET_COPY = "kopie"
PRESET_RIGHTS = "rechthebbende"
PRESET_NOTES = {
    PRESET_COPY: _(
        "Dit document is grotendeels gelijk aan een document dat eerder op studymarket stond. "
        "Je kunt alleen eigen werk verkopen."
    ),
    PRESET_RIGHTS: _(
        "Dit document neemt materiaal over dat de rechthebbende (bijvoorbeeld je docent) bij ons "
        "heeft geregistreerd. Zonder hun toestemming mag je het niet verkopen."
    ),
}


class UploadDecisionForm(DecisionForm):
    decision = forms.ChoiceField(choices=[(APPROVE, _("Goedkeuren")), (REJECT, _("Weigeren"))])
    note = forms.CharField(
        label=_("Notitie"),
        help_text=_("Verplicht bij weigeren: de verkoper ziet deze reden."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    # One-click refusals: the reason the seller reads is ours, written once, here.
    preset = forms.ChoiceField(
        choices=[("", ""), (PRESET_COPY, PRESET_COPY), (PRESET_RIGHTS, PRESET_RIGHTS)], required=False
    )

    note_required_message = _("Schrijf op waarom je deze upload weigert.")

    def clean(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        preset = data.get("preset")
        if data.get("decision") == REJECT and preset and not str(data.get("note", "")).strip():
            self.cleaned_data["note"] = str(PRESET_NOTES[str(preset)])
        return super().clean()
