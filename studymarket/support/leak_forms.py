"""The form of "Wie heeft dit gelekt?" (leak_views.py)."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


class LeakTraceForm(forms.Form):
    file = forms.FileField(
        label=_("Gelekte PDF"),
        help_text=_(
            "Het bestand dat je ergens vond. We bewaren het niet; we noteren alleen de vingerafdruk."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        error_messages={
            "required": _("Kies het PDF-bestand dat je wilt natrekken."),
            "empty": _("Het bestand is leeg. Kies het bestand opnieuw."),
        },
    )

    def clean_file(self) -> UploadedFile:
        file: UploadedFile = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_BYTES
        if file.size is not None and file.size > limit:
            raise forms.ValidationError(
                _("Dit bestand is groter dan %(max)s; zo groot is geen document op studymarket."),
                params={"max": filesizeformat(limit)},
            )
        return file
