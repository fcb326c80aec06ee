"""The command line writes and reads amounts and academic years as the site does."""

from datetime import date

import pytest
from studymarket_cli.commands import date_text
from studymarket_cli.formats import academic_year_current, academic_year_parse, money_text, price_cents_parse


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (499, "€ 4,99"),
        (5, "€ 0,05"),
        (123456, "€ 1.234,56"),
        (100000000, "€ 1.000.000,00"),
        (-300, "€ -3,00"),
    ],
)
def test_money_text_is_dutch(cents, text):
    assert money_text(cents) == text


def test_money_text_names_another_currency_by_its_code():
    assert money_text(250, "GBP") == "GBP 2,50"


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("4,99", 499),
        ("4.99", 499),
        ("€ 4,99", 499),
        ("5", 500),
        ("5,-", 500),
        ("4,5", 450),
        (" 12.00 ", 1200),
    ],
)
def test_price_as_people_type_it(text, cents):
    assert price_cents_parse(text) == cents


@pytest.mark.parametrize("text", ["", "vier", "4,999", "1.234,56", "-4", "4,99 euro"])
def test_price_that_is_no_amount_says_how_to_write_it(text):
    with pytest.raises(ValueError, match="schrijf bijvoorbeeld 4,99"):
        price_cents_parse(text)


@pytest.mark.parametrize(
    ("text", "year"), [("2025-2026", "2025/2026"), ("2025/2026", "2025/2026"), ("2025", "2025/2026")]
)
def test_academic_year_in_the_sites_form(text, year):
    assert academic_year_parse(text) == year


@pytest.mark.parametrize("text", ["2025-2027", "25-26", "volgend jaar"])
def test_academic_year_that_is_none(text):
    with pytest.raises(ValueError, match="academisch jaar"):
        academic_year_parse(text)


def test_academic_year_starts_in_august():
    assert academic_year_current(date(2026, 7, 31)) == "2025/2026"
    assert academic_year_current(date(2026, 8, 1)) == "2026/2027"


def test_dates_read_as_in_dutch():
    assert date_text("2021-07-30T12:00:00") == "30 juli 2021"
    assert date_text(None) == ""
