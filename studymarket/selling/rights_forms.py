"""The rights holder's registration form (rights_views.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from studymarket.documents.models import RightsHolderWork

# What the file picker offers; documents.rights_holders decides what is accepted (PDF only).
RIGHTS_ACCEPT = ".pdf,application/pdf"


class RightsHolderWorkForm(forms.Form):
    title = forms.CharField(
        label=_("Titel"),
        max_length=RightsHolderWork._meta.get_field("title").max_length,
        help_text=_("Zoals je het werk herkent, bijvoorbeeld „Hoorcolleges Marketing 2024, week 1–7”."),
    )
    file = forms.FileField(
        label=_("PDF-bestand"),
        widget=forms.ClearableFileInput(attrs={"accept": RIGHTS_ACCEPT}),
        error_messages={"required": _("Kies het PDF-bestand van je werk.")},
    )
    declaration = forms.BooleanField(
        label=_(
            "Ik verklaar te goeder trouw dat ik de rechthebbende van dit materiaal ben, of namens de "
            "rechthebbende handel."
        ),
        error_messages={
            "required": _("Bevestig dat je de rechthebbende bent (of namens hem of haar handelt).")
        },
    )
