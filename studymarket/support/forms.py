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


class UploadDecisionForm(DecisionForm):
    decision = forms.ChoiceField(choices=[(APPROVE, _("Goedkeuren")), (REJECT, _("Weigeren"))])
    note = forms.CharField(
        label=_("Notitie"),
        help_text=_("Verplicht bij weigeren: de verkoper ziet deze reden."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    note_required_message = _("Schrijf op waarom je deze upload weigert.")
