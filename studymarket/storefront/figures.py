"""Platform-wide trust figures, computed from the data and cached for a few minutes."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from studymarket.orders.selectors import sales_count_since
from studymarket.reviews.selectors import review_count_total

_CACHE_KEY = "platform-figures:v1"


@dataclass(frozen=True)
class PlatformFigures:
    sold_last_30_days: int
    reviews_written: int


def platform_figures() -> PlatformFigures:
    figures: PlatformFigures | None = cache.get(_CACHE_KEY)
    if figures is None:
        figures = PlatformFigures(
            sold_last_30_days=sales_count_since(days=30), reviews_written=review_count_total()
        )
        cache.set(_CACHE_KEY, figures, settings.PLATFORM_FIGURES_CACHE_SECONDS)
    return figures


def platform_figures_forget() -> None:
    cache.delete(_CACHE_KEY)
