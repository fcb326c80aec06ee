"""The seller's bundle form: title, description, the documents and the bundle price."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from studymarket.catalog.models import Bundle, Listing
from studymarket.core.formatting import money_display
from studymarket.selling.forms import PriceField, price_text

# The service's field names (catalog.bundles) → this form's.
SERVICE_FIELDS = {
    "title": "title",
    "description": "description",
    "listing_ids": "listings",
    "price_cents": "price",
}


class BundleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Titel van de bundel"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Beschrijving"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Wat heeft een koper aan deze documenten samen?"),
    )
    listings = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Documenten"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Kies minstens twee van je documenten die online staan, allemaal van hetzelfde vak."
        ),
        error_messages={"required": gettext_lazy("Kies minstens twee documenten voor je bundel.")},
    )
    price = PriceField(
        label=gettext_lazy("Bundelprijs (incl. btw)"),
        help_text=gettext_lazy("Lager dan wat de documenten los samen kosten: dat is wat de koper bespaart."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "12,49"}),
    )

    def __init__(self, *args: Any, listings: Iterable[Listing], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["listings"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [
            (listing.pk, f"{listing.title} · {listing.course.name} · {money_display(listing.price)}")
            for listing in listings
        ]

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's rule errors at the fields they are about."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.message_dict.items():
            field = SERVICE_FIELDS.get(name)
            self.add_error(field if field in self.fields else None, errors)


def bundle_initial(bundle: Bundle) -> dict[str, Any]:
    return {
        "title": bundle.title,
        "description": bundle.description,
        "listings": [item.listing_id for item in bundle.items.all()],
        "price": price_text(bundle.price_cents),
    }
