from datetime import datetime

from django import template

from studymarket.core import formatting
from studymarket.core.money import Money

register = template.Library()


@register.filter
def money(value: Money | int) -> str:
    """{{ listing.price|money }} → "€ 9,49". Plain integers are taken as euro cents."""
    if isinstance(value, int):
        value = Money(value)
    return formatting.money_display(value)


@register.filter
def ago(value: datetime) -> str:
    return formatting.time_ago(value)
