"""The numbers a business seller gives (DSA art. 30): chamber of commerce number, VAT number and
phone number, checked for their format and, where they have one, their check digits.

python-stdnum knows the Belgian enterprise number (KBO, the same mod-97 check as the Belgian
VAT number) and the Dutch VAT number (btw-id, old mod-11 and new mod-97 forms). A Dutch KvK
number has had no check digit since 2016, so eight digits is all there is to check. No phone
library is installed (phonenumbers is not a dependency): the phone check is a plain one on its
characters and its number of digits. Each parser returns the number in the one form we store,
or raises ValidationError with a message the seller can act on.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.be import vat as be_vat
from stdnum.nl import btw as nl_btw

_SEPARATORS = re.compile(r"[\s.\-/]")
# What people type in a phone number besides digits: a leading +, spaces, dashes, dots, brackets.
_PHONE_CHARACTERS = re.compile(r"\+?[\d\s().\-/]+")
PHONE_MIN_DIGITS = 9  # 010 123 4567 / 02 123 45 67 without the leading 0
PHONE_MAX_DIGITS = 15  # ITU E.164


def registration_number_parse(value: str) -> str:
    """A KvK number (8 digits) or a KBO enterprise number (10 digits starting with 0 or 1,
    mod-97 check), as digits only. A 9-digit Belgian number from before 2005 gets its 0."""
    digits = _SEPARATORS.sub("", value.strip().upper()).removeprefix("BE")
    if not digits.isdigit():
        raise ValidationError(
            _(
                "Vul alleen de cijfers in: je KvK-nummer (8 cijfers) of je ondernemingsnummer "
                "(KBO, 10 cijfers, zoals 0123.456.749)."
            )
        )
    if len(digits) == 8:
        return digits
    if len(digits) in (9, 10):
        if be_vat.is_valid(digits):
            return str(be_vat.compact(digits))
        raise ValidationError(
            _(
                "Dit ondernemingsnummer (KBO) klopt niet: de laatste twee cijfers passen niet bij de "
                "rest. Neem het over van je inschrijving in de Kruispuntbank van Ondernemingen."
            )
        )
    raise ValidationError(
        _(
            "Een KvK-nummer heeft 8 cijfers, een ondernemingsnummer (KBO) 10. "
            "Controleer het nummer op je inschrijving."
        )
    )


def registration_number_display(number: str) -> str:
    """ "12345678" (KvK) or "0403.170.701" (KBO, grouped the Belgian way)."""
    if len(number) == 10 and number.isdigit():
        return f"{number[:4]}.{number[4:7]}.{number[7:]}"
    return number


def registration_number_label(number: str) -> str:
    """What the number is called, for the buyer: KvK-nummer or ondernemingsnummer."""
    return _("Ondernemingsnummer (KBO)") if len(number) == 10 else _("KvK-nummer")


def vat_number_parse(value: str) -> str:
    """A Dutch (NL123456789B01) or Belgian (BE0123456789) VAT number, with its country prefix,
    compact and in upper case. Without a prefix the shape says which one it is."""
    compact = _SEPARATORS.sub("", value.strip().upper())
    if compact.startswith("NL") or (not compact[:2].isalpha() and "B" in compact):
        number = compact.removeprefix("NL")
        if nl_btw.is_valid(number):
            return "NL" + str(nl_btw.compact(number))
        raise ValidationError(
            _(
                "Dit Nederlandse btw-nummer klopt niet. Het heeft de vorm NL123456789B01; je vindt het "
                "in de brief van de Belastingdienst of in Mijn Belastingdienst Zakelijk."
            )
        )
    if compact.startswith("BE") or compact.isdigit():
        number = compact.removeprefix("BE")
        if be_vat.is_valid(number):
            return "BE" + str(be_vat.compact(number))
        raise ValidationError(
            _("Dit Belgische btw-nummer klopt niet. Het is BE met je ondernemingsnummer, zoals BE0123456749.")
        )
    raise ValidationError(
        _(
            "Vul een Nederlands (NL123456789B01) of Belgisch (BE0123456749) btw-nummer in. "
            "Andere landen kunnen we nog niet aannemen."
        )
    )


def phone_parse(value: str) -> str:
    """A phone number buyers can call: digits with the usual separators, 9 to 15 digits, and
    starting with + or 0 (a country code or a national number). Kept as typed, spaces tidied."""
    text = " ".join(value.split())
    digits = re.sub(r"\D", "", text)
    if (
        not _PHONE_CHARACTERS.fullmatch(text)
        or not text.startswith(("+", "0", "("))
        or not PHONE_MIN_DIGITS <= len(digits) <= PHONE_MAX_DIGITS
    ):
        raise ValidationError(
            _(
                "Vul een telefoonnummer in waarop kopers je kunnen bereiken, "
                "bijvoorbeeld +31 20 123 4567 of 020 123 4567."
            )
        )
    return text
