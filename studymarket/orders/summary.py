"""An order's lines as the buyer reads them (the receipt, the order page): the lines of one
bundle together under its title, each line at its price before the code, and one discount row
per funder, so that the rows add up to the total the buyer paid (ADR 0028)."""

from collections.abc import Sequence
from dataclasses import dataclass

from studymarket.core.money import Money
from studymarket.core.pricing import FUNDER_PLATFORM, FUNDER_SELLER
from studymarket.orders.models import Order, OrderLine


@dataclass(frozen=True)
class LineGroup:
    """One bundle's lines (``bundle_title`` set), or one line bought on its own."""

    bundle_title: str
    lines: tuple[OrderLine, ...]
    list_price: Money  # the bundle's price as bought (the sum of its lines' shares)


@dataclass(frozen=True)
class DiscountRow:
    funder: str  # core.pricing.FUNDER_SELLER or FUNDER_PLATFORM
    amount: Money  # positive: what the code took off

    @property
    def credit(self) -> Money:
        """As the row is printed: taken off the total ("€ -1,00")."""
        return -self.amount


@dataclass(frozen=True)
class OrderSummary:
    code: str
    groups: tuple[LineGroup, ...]
    discounts: tuple[DiscountRow, ...]
    total: Money
    vat: Money


def order_summary(*, order: Order, lines: Sequence[OrderLine]) -> OrderSummary:
    """``lines`` are the order's lines in id order, their bundles selected with them
    (orders.selectors.order_line_list); groups follow the first line of each."""
    currency = order.currency
    groups: dict[tuple[str, int], list[OrderLine]] = {}
    for line in lines:
        key = ("bundle", line.bundle_id) if line.bundle_id else ("line", line.pk)
        groups.setdefault(key, []).append(line)
    discounts = tuple(
        DiscountRow(funder=funder, amount=Money(cents, currency))
        for funder in (FUNDER_SELLER, FUNDER_PLATFORM)
        if (cents := sum(line.discount_cents for line in lines if line.discount_funder == funder))
    )
    return OrderSummary(
        code=order.discount_code,
        groups=tuple(
            LineGroup(
                bundle_title=group[0].bundle.title if group[0].bundle_id and group[0].bundle else "",
                lines=tuple(group),
                list_price=Money(sum(line.list_price_cents for line in group), currency),
            )
            for group in groups.values()
        ),
        discounts=discounts,
        total=order.total,
        vat=Money(sum(line.vat_cents for line in lines), currency),
    )
