"""A seller's reputation: points from paid sales and good reviews, and the tier they reach.

One point per sale that was paid and not refunded (``Listing.sold_count``) and one per review
of 4 or 5 stars whose purchase was not refunded. The tiers and their thresholds come from
``settings.REPUTATION_TIERS`` (points, key), e.g. Bronze from 25, Silver from 100, Gold from
1,000 points; below the lowest threshold a seller has no tier yet.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Listing

# A review from 4 stars up counts as a good one.
GOOD_REVIEW_MIN_RATING = 4

TIER_LABELS: dict[str, Promise] = {
    "bronze": _("Brons"),
    "silver": _("Zilver"),
    "gold": _("Goud"),
}


@dataclass(frozen=True)
class Tier:
    key: str  # "bronze" | "silver" | "gold" (settings.REPUTATION_TIERS)
    min_points: int
    max_points: int | None  # None for the highest tier

    @property
    def label(self) -> str:
        return str(TIER_LABELS.get(self.key, self.key))


@dataclass(frozen=True)
class Reputation:
    sales: int
    good_reviews: int
    tier: Tier | None  # None below the lowest threshold
    next_tier: Tier | None  # None at the highest tier

    @property
    def points(self) -> int:
        return self.sales + self.good_reviews

    @property
    def points_to_next(self) -> int | None:
        return self.next_tier.min_points - self.points if self.next_tier else None


def reputation_tiers() -> list[Tier]:
    """The tiers from low to high, each with its range of points."""
    ordered = sorted((int(points), str(key)) for points, key in settings.REPUTATION_TIERS)
    return [
        Tier(key=key, min_points=points, max_points=ordered[i + 1][0] - 1 if i + 1 < len(ordered) else None)
        for i, (points, key) in enumerate(ordered)
    ]


def reputation_for_points(*, sales: int, good_reviews: int) -> Reputation:
    tiers = reputation_tiers()
    points = sales + good_reviews
    reached = [tier for tier in tiers if points >= tier.min_points]
    ahead = [tier for tier in tiers if points < tier.min_points]
    return Reputation(
        sales=sales,
        good_reviews=good_reviews,
        tier=reached[-1] if reached else None,
        next_tier=ahead[0] if ahead else None,
    )


def seller_reputation(*, seller: SellerProfile) -> Reputation:
    """The seller's reputation over all their listings, also those taken offline: sales that
    happened stay earned. Two small queries (a sum over the listings, a count of reviews);
    one query joining both would count each listing's sales once per review."""
    listings = Listing.objects.filter(seller=seller)
    sales = listings.aggregate(total=Sum("sold_count", default=0))["total"]
    # Reviews live in the reviews app, above catalog: reached through the reverse relation
    # (Review.listing, related_name "reviews") so catalog does not import it. A review of a
    # refunded purchase (its order line's refunded_at) does not count.
    good_reviews = listings.filter(
        reviews__rating__gte=GOOD_REVIEW_MIN_RATING, reviews__order_line__refunded_at__isnull=True
    ).count()
    return reputation_for_points(sales=int(sales), good_reviews=good_reviews)
