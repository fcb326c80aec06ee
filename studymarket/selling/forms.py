"""The seller's forms: the upload, and the description that turns a document into a listing."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from studymarket.catalog.isbn import isbn_normalise
from studymarket.catalog.models import Book, Country, Course, DocumentType, Language, Listing
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.documents.previews import (
    default_preview_page_count,
    preview_page_count_allowed,
    preview_page_count_max,
)
from studymarket.documents.reasons import Reason
from studymarket.documents.rejections import reason_text
from studymarket.selling.services import BookSpec, ListingDetails, NewCourse, preview_too_many_message

# What the file picker offers; documents.services.document_upload decides what is accepted.
# Word and OpenDocument only where LibreOffice can convert them (upload_accept).
UPLOAD_ACCEPT_PDF = ".pdf,application/pdf"
UPLOAD_ACCEPT = (
    ".pdf,.docx,.odt,application/pdf,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.oasis.opendocument.text"
)


def upload_accept(*, office: bool) -> str:
    return UPLOAD_ACCEPT if office else UPLOAD_ACCEPT_PDF


# The suggestions start at this many letters; fewer match half the catalogue.
SEARCH_MIN_LETTERS = 2
ACADEMIC_YEARS_SHOWN = 6
# From August on, students buy for the academic year that starts in September.
ACADEMIC_YEAR_FIRST_MONTH = 8

# Euros with at most two decimals, written with a comma or a dot; a thousands separator
# is refused rather than guessed ("1.000" could be one euro or a thousand).
_PRICE = re.compile(r"\d{1,6}(?:[.,]\d{1,2})?")


def upload_too_large_message() -> str:
    """The pipeline's own words (documents.rejections), for the upload handler and upload.js."""
    return reason_text(Reason.TOO_LARGE, {"max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)})


def _price_limits() -> tuple[int, int]:
    # The Listing model's validators are the one place the limits are written down.
    field = Listing._meta.get_field("price_cents")
    minimum = max(v.limit_value for v in field.validators if isinstance(v, MinValueValidator))
    maximum = min(v.limit_value for v in field.validators if isinstance(v, MaxValueValidator))
    return int(minimum), int(maximum)


def price_cents_parse(text: str) -> int:
    """ "9,49", "9.49", "€ 9,49", "9,-" → 949 cents; ValidationError with a message otherwise."""
    cleaned = re.sub(r"[\s€]", "", text)
    if cleaned.endswith((",-", ".-")):
        cleaned = cleaned[:-2]
    if not _PRICE.fullmatch(cleaned):
        raise ValidationError(_("Vul een bedrag in euro's in, bijvoorbeeld 9,49."), code="invalid")
    cents = int(Decimal(cleaned.replace(",", ".")).scaleb(2))
    minimum, maximum = _price_limits()
    if cents < minimum:
        raise ValidationError(
            _("De prijs is minimaal %(min)s.") % {"min": money_display(Money(minimum))}, code="min_value"
        )
    if cents > maximum:
        raise ValidationError(
            _("De prijs is maximaal %(max)s.") % {"max": money_display(Money(maximum))}, code="max_value"
        )
    return cents


def price_text(cents: int) -> str:
    """9,49 for 949: how the price field shows a stored price."""
    return f"{cents // 100},{cents % 100:02d}"


def academic_year_choices(today: date) -> list[tuple[str, str]]:
    start = today.year if today.month >= ACADEMIC_YEAR_FIRST_MONTH else today.year - 1
    years = [f"{year}/{year + 1}" for year in range(start, start - ACADEMIC_YEARS_SHOWN, -1)]
    return [(year, year) for year in years]


class PriceField(forms.Field):
    """A price in euros as people type it; cleans to integer cents."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> int | None:
        text = str(value).strip() if value not in self.empty_values else ""
        return price_cents_parse(text) if text else None


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bestand (PDF)"),
        required=False,  # a missing file gets its own message in clean_file
        allow_empty_file=True,  # refused by document_upload, with the pipeline's reason
        widget=forms.FileInput(attrs={"accept": UPLOAD_ACCEPT_PDF}),
    )

    def __init__(
        self, *args: Any, refused_too_large: bool = False, office: bool = False, **kwargs: Any
    ) -> None:
        """``office``: Word and OpenDocument files are offered too (LibreOffice is installed,
        documents.conversion.conversion_available); else the picker and the words say PDF only."""
        super().__init__(*args, **kwargs)
        self.refused_too_large = refused_too_large
        self.office = office
        if office:
            self.fields["file"].label = _("Bestand (PDF, Word of OpenDocument)")
        # upload.js checks the file before sending it, with the server's limit and words.
        self.fields["file"].widget.attrs.update(
            {
                "accept": upload_accept(office=office),
                "data-max-bytes": str(settings.UPLOAD_MAX_BYTES),
                "data-too-large": upload_too_large_message(),
                "data-wrong-type": reason_text(Reason.UNSUPPORTED_TYPE if office else Reason.NOT_PDF),
                "aria-describedby": "id_file_helptext id_file_error",
            }
        )

    def clean_file(self) -> UploadedFile:
        # The upload handler dropped the bytes, so there is no file to look at, only the fact.
        if self.refused_too_large:
            raise ValidationError(upload_too_large_message(), code="too_large")
        file = self.cleaned_data.get("file")
        if not isinstance(file, UploadedFile):
            raise ValidationError(_("Kies een bestand om te uploaden."), code="required")
        return file


class DescribeForm(forms.Form):
    """Everything a buyer sees about a document, with the course and the book either
    chosen from what exists or added here."""

    title = forms.CharField(label=gettext_lazy("Titel"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Beschrijving"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Wat staat erin, voor wie is het handig, hoe heb je het gemaakt?"),
    )
    # Chosen from the suggestions (radio buttons the search fills in); course_query is
    # only the search text.
    course = forms.ModelChoiceField(
        queryset=Course.objects.all(), required=False, widget=forms.RadioSelect, label=gettext_lazy("Vak")
    )
    course_query = forms.CharField(
        label=gettext_lazy("Zoek je vak"),
        required=False,
        max_length=100,
    )
    new_institution = forms.CharField(
        label=gettext_lazy("Onderwijsinstelling"), required=False, max_length=200
    )
    new_institution_country = forms.ChoiceField(
        label=gettext_lazy("Land van de instelling"),
        choices=[("", "—"), *Country.choices],
        required=False,
        help_text=gettext_lazy("Alleen nodig als de instelling nog niet op studymarket staat."),
    )
    new_programme = forms.CharField(label=gettext_lazy("Opleiding"), required=False, max_length=200)
    new_course_name = forms.CharField(label=gettext_lazy("Naam van het vak"), required=False, max_length=200)
    new_course_code = forms.CharField(label=gettext_lazy("Vakcode"), required=False, max_length=30)
    isbn = forms.CharField(
        label=gettext_lazy("ISBN van het boek"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Optioneel: het boek dat je samenvat (ISBN-10 of ISBN-13)."),
    )
    book_title = forms.CharField(label=gettext_lazy("Titel van het boek"), required=False, max_length=300)
    book_authors = forms.CharField(label=gettext_lazy("Auteurs"), required=False, max_length=300)
    book_edition = forms.CharField(label=gettext_lazy("Editie"), required=False, max_length=50)
    academic_year = forms.ChoiceField(label=gettext_lazy("Academisch jaar"))
    document_type = forms.ChoiceField(label=gettext_lazy("Type document"), choices=DocumentType.choices)
    language = forms.ChoiceField(label=gettext_lazy("Taal"), choices=Language.choices)
    whole_book_summarized = forms.BooleanField(label=gettext_lazy("Hele boek samengevat"), required=False)
    price = PriceField(
        label=gettext_lazy("Prijs (incl. btw)"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "9,49"}),
    )
    preview_page_count = forms.IntegerField(
        label=gettext_lazy("Voorbeeldpagina's"), required=False, min_value=1
    )

    def __init__(self, *args: Any, page_count: int = 0, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page_count = page_count
        years = academic_year_choices(today or timezone.localdate())
        kept = self.initial.get("academic_year")
        if kept and (kept, kept) not in years:
            years.append((kept, kept))  # an older listing keeps its year
        year = self.fields["academic_year"]
        assert isinstance(year, forms.ChoiceField)
        year.choices = years
        year.initial = years[0][0]
        self._live_fields()
        if page_count:
            preview = self.fields["preview_page_count"]
            assert isinstance(preview, forms.IntegerField)
            preview.max_value = preview_page_count_max(page_count)
            preview.widget.attrs.update(min=1, max=preview.max_value)
            preview.initial = default_preview_page_count(page_count)
        else:
            # Offered once the page count is known (after processing).
            del self.fields["preview_page_count"]

    def _live_fields(self) -> None:
        """The htmx requests some fields make as the seller types (suggestions, the price line)."""
        typing = "input changed delay:250ms"
        # A GET sends the field's own value; the course search also sends the chosen course
        # (a checked radio in #course-suggestions) so that it stays on the list.
        live = {
            "course_query": ("selling:sell_courses", "#course-suggestions", "#course-suggestions"),
            "new_institution": ("selling:sell_institutions", "#institution-options", ""),
            "new_programme": ("selling:sell_programmes", "#programme-options", "[name=new_institution]"),
            "isbn": ("selling:sell_book", "#book-lookup", ""),
            "price": ("selling:sell_price", "#price-line", ""),
        }
        for name, (url_name, target, include) in live.items():
            attrs = {
                "data-hx-get": reverse(url_name),
                "data-hx-trigger": typing,
                "data-hx-target": target,
                "data-hx-sync": "this:replace",
                "autocomplete": "off",
            }
            if include:
                attrs["data-hx-include"] = include
            self.fields[name].widget.attrs.update(attrs)
        self.fields["course_query"].help_text = _(
            "Typ minstens %(letters)d letters van de naam of code van je vak, of van je instelling."
        ) % {"letters": SEARCH_MIN_LETTERS}
        self.fields["course_query"].widget.attrs.update(
            {"aria-controls": "course-suggestions", "placeholder": _("Bijvoorbeeld: Account Management")}
        )
        self.fields["new_institution"].widget.attrs["list"] = "institution-options"
        self.fields["new_programme"].widget.attrs["list"] = "programme-options"

    @property
    def preview_rule(self) -> str:
        """The default by length, as a sentence (from settings.PREVIEW_PAGES_BY_LENGTH)."""
        steps = [
            ngettext("vanaf %(pages)d pagina %(count)d", "vanaf %(pages)d pagina's %(count)d", pages)
            % {"pages": pages, "count": count}
            for pages, count in settings.PREVIEW_PAGES_BY_LENGTH
        ]
        return _("Standaard aantal voorbeeldpagina's: %(steps)s.") % {"steps": ", ".join(steps)}

    @property
    def preview_default(self) -> int | None:
        return default_preview_page_count(self.page_count) if self.page_count else None

    def clean_isbn(self) -> str:
        isbn: str = self.cleaned_data["isbn"].strip()
        return isbn_normalise(isbn) if isbn else ""

    def clean_preview_page_count(self) -> int | None:
        count: int | None = self.cleaned_data.get("preview_page_count")
        if count is not None and not preview_page_count_allowed(
            preview_page_count=count, page_count=self.page_count
        ):
            raise ValidationError(preview_too_many_message(self.page_count), code="max_value")
        return count

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("course"):
            self._clean_new_course(data)
        if data.get("isbn") and not data.get("book_title"):
            if not Book.objects.filter(isbn13=data["isbn"]).exists():
                self.add_error(
                    "book_title", _("Dit boek kennen we nog niet: vul de titel in, dan voegen we het toe.")
                )
        return data

    def _clean_new_course(self, data: dict[str, Any]) -> None:
        adding = any(data.get(name) for name in ("new_institution", "new_programme", "new_course_name"))
        if not adding:
            self.add_error("course", _("Kies je vak uit de lijst, of voeg een nieuw vak toe."))
            return
        for name in ("new_institution", "new_programme", "new_course_name"):
            if not data.get(name):
                self.add_error(name, _("Vul dit in om een nieuw vak toe te voegen."))

    def details(self) -> ListingDetails:
        data = self.cleaned_data
        new_course = None
        if not data["course"]:
            new_course = NewCourse(
                institution=data["new_institution"].strip(),
                country=data["new_institution_country"],
                programme=data["new_programme"].strip(),
                name=data["new_course_name"].strip(),
                code=data["new_course_code"].strip(),
            )
        new_book = None
        if data["isbn"] or data["book_title"]:
            new_book = BookSpec(
                isbn=data["isbn"],
                title=data["book_title"].strip(),
                authors=data["book_authors"].strip(),
                edition=data["book_edition"].strip(),
            )
        return ListingDetails(
            title=data["title"],
            description=data["description"],
            course=data["course"],
            new_course=new_course,
            book=new_book,
            academic_year=data["academic_year"],
            document_type=data["document_type"],
            language=data["language"],
            whole_book_summarized=data["whole_book_summarized"],
            price_cents=data["price"],
            preview_page_count=data.get("preview_page_count"),
        )


def describe_initial(listing: Listing) -> dict[str, Any]:
    """The form's values for a listing that exists: editing starts from what buyers see."""
    return {
        "title": listing.title,
        "description": listing.description,
        "course": listing.course_id,
        "isbn": listing.book.isbn13 if listing.book and listing.book.isbn13 else "",
        "book_title": listing.book.title if listing.book else "",
        "book_authors": listing.book.authors if listing.book else "",
        "book_edition": listing.book.edition if listing.book else "",
        "academic_year": listing.academic_year,
        "document_type": listing.document_type,
        "language": listing.language,
        "whole_book_summarized": listing.whole_book_summarized,
        "price": price_text(listing.price_cents),
        "preview_page_count": listing.preview_page_count,
    }
