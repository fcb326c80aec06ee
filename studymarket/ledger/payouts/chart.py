"""The bar chart of a seller's earnings per week, drawn as SVG on the server (no JavaScript
library): this module turns the weekly amounts into bar geometry; the template draws it."""

from dataclasses import dataclass
from datetime import date

from studymarket.core.money import Money

WIDTH = 600
HEIGHT = 200
LABEL_SPACE = 20  # below the bars, for the week labels
TOP_SPACE = 16  # above the highest bar, for its amount
BAR_GAP = 6


@dataclass(frozen=True)
class Bar:
    week: date  # the Monday of the week
    amount: Money
    x: int
    y: int
    width: int
    height: int
    label_x: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    baseline: int
    total: Money
    maximum: Money


def earnings_chart(weeks: list[tuple[date, Money]]) -> Chart:
    """Bars scaled to the best week (a week without earnings has a bar of height 0)."""
    count = max(len(weeks), 1)
    slot = WIDTH // count
    baseline = HEIGHT - LABEL_SPACE
    top = max((amount.cents for _, amount in weeks), default=0)
    bars = []
    for index, (week, amount) in enumerate(weeks):
        height = round(amount.cents * (baseline - TOP_SPACE) / top) if top > 0 else 0
        if amount.cents > 0:
            height = max(height, 2)  # a small week stays visible
        x = index * slot + BAR_GAP // 2
        bars.append(
            Bar(
                week=week,
                amount=amount,
                x=x,
                y=baseline - height,
                width=slot - BAR_GAP,
                height=height,
                label_x=x + (slot - BAR_GAP) // 2,
            )
        )
    currency = weeks[0][1].currency if weeks else "EUR"
    return Chart(
        bars=bars,
        width=WIDTH,
        height=HEIGHT,
        baseline=baseline,
        total=Money(sum(amount.cents for _, amount in weeks), currency),
        maximum=Money(top, currency),
    )
