from datetime import datetime

from django import template
from django.utils.html import format_html

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
def money_in_text(value: Money | int) -> str:
    """An amount inside a sentence, kept on one line: "€" never ends a line with the digits on
    the next (the amount in a <span class="price">; safe to pass into {% blocktranslate %})."""
    return format_html('<span class="price">{}</span>', money(value))


@register.filter
def ago(value: datetime) -> str:
    return formatting.time_ago(value)
