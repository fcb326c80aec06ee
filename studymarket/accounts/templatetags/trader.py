"""{{ seller.trader_registration_number|registration_number }} → "0403.170.701" (KBO) or
"12345678" (KvK); ``registration_number_label`` names which of the two it is."""

from django import template

from studymarket.accounts import trader_numbers

register = template.Library()


@register.filter
def registration_number(value: str) -> str:
    return trader_numbers.registration_number_display(value)


@register.filter
def registration_number_label(value: str) -> str:
    return trader_numbers.registration_number_label(value)
