"""The trader's numbers: KvK / KBO, NL / BE VAT numbers and phone numbers, parsed or refused
with a reason the seller can act on."""

import pytest
from django.core.exceptions import ValidationError

from studymarket.accounts.trader_numbers import (
    phone_parse,
    registration_number_display,
    registration_number_label,
    registration_number_parse,
    vat_number_parse,
)


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("12345678", "12345678"),  # KvK: 8 digits, no check digit since 2016
        (" 1234 5678 ", "12345678"),
        ("0403.170.701", "0403170701"),  # KBO with its mod-97 check
        ("0403 170 701", "0403170701"),
        ("BE 0403.170.701", "0403170701"),
        ("403170701", "0403170701"),  # the 9-digit form from before 2005
    ],
)
def test_registration_numbers_accepted(text, stored):
    assert registration_number_parse(text) == stored


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("0403.170.702", "Dit ondernemingsnummer (KBO) klopt niet"),
        ("1234567", "Een KvK-nummer heeft 8 cijfers"),
        ("123456789012", "Een KvK-nummer heeft 8 cijfers"),
        ("KVK12345678", "Vul alleen de cijfers in"),
        ("", "Vul alleen de cijfers in"),
    ],
)
def test_registration_numbers_refused(text, start):
    with pytest.raises(ValidationError) as caught:
        registration_number_parse(text)
    assert caught.value.messages[0].startswith(start)


def test_registration_number_shown_the_national_way():
    assert registration_number_display("0403170701") == "0403.170.701"
    assert registration_number_display("12345678") == "12345678"
    assert registration_number_label("0403170701") == "Ondernemingsnummer (KBO)"
    assert registration_number_label("12345678") == "KvK-nummer"


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("NL004495445B01", "NL004495445B01"),
        ("nl 0044.95.445.b01", "NL004495445B01"),
        ("004495445B01", "NL004495445B01"),
        ("BE0403170701", "BE0403170701"),
        ("BE 0403.170.701", "BE0403170701"),
        ("0403170701", "BE0403170701"),
    ],
)
def test_vat_numbers_accepted(text, stored):
    assert vat_number_parse(text) == stored


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("NL123456789B01", "Dit Nederlandse btw-nummer klopt niet"),
        ("BE0403170702", "Dit Belgische btw-nummer klopt niet"),
        ("DE123456789", "Vul een Nederlands (NL123456789B01) of Belgisch"),
        ("", "Vul een Nederlands (NL123456789B01) of Belgisch"),
    ],
)
def test_vat_numbers_refused(text, start):
    with pytest.raises(ValidationError) as caught:
        vat_number_parse(text)
    assert caught.value.messages[0].startswith(start)


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("+32 9 123 45 67", "+32 9 123 45 67"),
        ("020-1234567", "020-1234567"),
        ("  06  12345678 ", "06 12345678"),
        ("(020) 123 4567", "(020) 123 4567"),
    ],
)
def test_phones_accepted(text, stored):
    assert phone_parse(text) == stored


@pytest.mark.parametrize(
    "text", ["", "12345", "bel me", "+31 6 1234 5678 9012 345", "6 12345678", "+31 6 x2345678"]
)
def test_phones_refused(text):
    with pytest.raises(ValidationError) as caught:
        phone_parse(text)
    assert caught.value.messages == [
        "Vul een telefoonnummer in waarop kopers je kunnen bereiken, "
        "bijvoorbeeld +31 20 123 4567 of 020 123 4567."
    ]
