"""ISBN-10/13 validation (python-stdnum) and normalisation to ISBN-13."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import isbn
from stdnum.exceptions import ValidationError as StdnumError


def isbn_normalise(value: str) -> str:
    """Return the ISBN-13 for a valid ISBN-10 or ISBN-13; raise ValidationError otherwise."""
    try:
        return str(isbn.to_isbn13(isbn.validate(value)))
    except StdnumError:
        raise ValidationError(
            _("Dit is geen geldig ISBN-10 of ISBN-13; controleer de cijfers."), code="isbn"
        ) from None


def validate_isbn(value: str) -> None:
    isbn_normalise(value)
