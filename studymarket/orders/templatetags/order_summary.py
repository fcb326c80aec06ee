"""{% order_summary order lines as summary %}: an order's lines grouped by bundle, with its
discount rows (orders.summary), for the receipt and the order page."""

from collections.abc import Sequence

from django import template

from studymarket.orders.models import Order, OrderLine
from studymarket.orders.summary import OrderSummary
from studymarket.orders.summary import order_summary as summarize

register = template.Library()


@register.simple_tag
def order_summary(order: Order, lines: Sequence[OrderLine]) -> OrderSummary:
    return summarize(order=order, lines=lines)
