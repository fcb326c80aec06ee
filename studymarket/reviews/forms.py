from django import forms
from django.utils.translation import gettext_lazy as _

from studymarket.reviews.models import Review

_TEXT_MAX = Review._meta.get_field("text").max_length


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Je beoordeling"), choices=[(n, str(n)) for n in range(1, 6)], coerce=int
    )
    text = forms.CharField(label=_("Je review"), max_length=_TEXT_MAX, widget=forms.Textarea)
