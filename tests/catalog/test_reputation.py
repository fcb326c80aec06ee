"""A seller's reputation: points from paid sales and good reviews, tiers at their thresholds."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from studymarket.catalog.models import ListingStatus
from studymarket.catalog.reputation import Tier, reputation_for_points, reputation_tiers, seller_reputation
from studymarket.reviews.models import Review
from tests.factories import ListingFactory, OrderLineFactory, SellerFactory, UserFactory


@pytest.mark.parametrize(
    ("points", "tier", "next_tier", "to_next"),
    [
        (0, None, "bronze", 25),
        (24, None, "bronze", 1),
        (25, "bronze", "silver", 75),
        (99, "bronze", "silver", 1),
        (100, "silver", "gold", 900),
        (999, "silver", "gold", 1),
        (1000, "gold", None, None),
        (250_000, "gold", None, None),
    ],
)
def test_tiers_at_their_boundaries(points, tier, next_tier, to_next):
    reputation = reputation_for_points(sales=points, good_reviews=0)
    assert (reputation.tier.key if reputation.tier else None) == tier
    assert (reputation.next_tier.key if reputation.next_tier else None) == next_tier
    assert reputation.points_to_next == to_next


def test_sales_and_good_reviews_both_count():
    reputation = reputation_for_points(sales=20, good_reviews=5)
    assert reputation.points == 25
    assert reputation.tier is not None
    assert (reputation.tier.key, reputation.tier.label) == ("bronze", "Brons")


def test_tier_ranges_and_labels():
    tiers = reputation_tiers()
    assert [(t.key, t.label, t.min_points, t.max_points) for t in tiers] == [
        ("bronze", "Brons", 25, 99),
        ("silver", "Zilver", 100, 999),
        ("gold", "Goud", 1000, None),
    ]


def _tier_key(tier: Tier | None) -> str | None:
    return tier.key if tier else None


def test_thresholds_come_from_settings(settings):
    settings.REPUTATION_TIERS = [(10, "bronze"), (50, "gold")]
    assert reputation_for_points(sales=9, good_reviews=0).tier is None
    assert _tier_key(reputation_for_points(sales=10, good_reviews=0).tier) == "bronze"
    assert _tier_key(reputation_for_points(sales=49, good_reviews=0).next_tier) == "gold"
    assert _tier_key(reputation_for_points(sales=50, good_reviews=0).tier) == "gold"


def _review(listing, rating: int, *, refunded: bool = False) -> Review:
    return Review.objects.create(
        listing=listing,
        author=UserFactory(),
        rating=rating,
        created_at=datetime(2021, 8, 1, tzinfo=UTC),
        # A refunded purchase's review: the label is read from its order line (unpaid here, so
        # that the listing's sales stay as the test set them).
        order_line=OrderLineFactory(listing=listing, paid=False, refunded_at=datetime(2021, 9, 1, tzinfo=UTC))
        if refunded
        else None,
    )


@pytest.mark.django_db
def test_seller_reputation_counts_paid_sales_and_good_reviews_only():
    seller = SellerFactory()
    first = ListingFactory(seller=seller, sold_count=10)
    second = ListingFactory(seller=seller, sold_count=7)
    # Sales once earned stay, also for a listing taken offline.
    ListingFactory(seller=seller, sold_count=3, status=ListingStatus.UNPUBLISHED)
    for rating in (5, 4, 4):
        _review(first, rating)
    _review(second, 5)
    _review(second, 3)  # not a good review
    _review(second, 1)
    _review(second, 5, refunded=True)  # the purchase was refunded
    other = ListingFactory(sold_count=500)  # someone else's
    _review(other, 5)

    reputation = seller_reputation(seller=seller)

    # Sales are not multiplied by the number of reviews on a listing.
    assert (reputation.sales, reputation.good_reviews, reputation.points) == (20, 4, 24)
    assert reputation.tier is None
    assert reputation.points_to_next == 1

    _review(second, 4)
    assert _tier_key(seller_reputation(seller=seller).tier) == "bronze"


@pytest.mark.django_db
def test_seller_without_anything_has_no_tier():
    reputation = seller_reputation(seller=SellerFactory())
    assert (reputation.points, reputation.tier, _tier_key(reputation.next_tier)) == (0, None, "bronze")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sold", "shown", "next_line"),
    [
        (24, None, "Nog 1 punt tot Brons."),
        (25, "Brons", "Nog 75 punten tot Zilver."),
        (99, "Brons", "Nog 1 punt tot Zilver."),
        (100, "Zilver", "Nog 900 punten tot Goud."),
        (999, "Zilver", "Nog 1 punt tot Goud."),
        (1000, "Goud", None),
    ],
)
def test_seller_page_shows_the_tier(client, sold, shown, next_line):
    seller = SellerFactory(display_name="Lotte", slug="lotte")
    ListingFactory(seller=seller, sold_count=sold)

    html = client.get(reverse("catalog:seller", kwargs={"slug": "lotte"})).content.decode()

    if shown is None:
        assert 'id="seller-tier"' not in html
        assert "Nog geen niveau" in html
    else:
        key = {"Brons": "bronze", "Zilver": "silver", "Goud": "gold"}[shown]
        assert f'<a href="#reputation" class="tier tier-{key}" id="seller-tier">Verkoper {shown}</a>' in html
    points = f"{sold:,}".replace(",", ".")
    assert f"{points} punt" in html
    if next_line:
        assert next_line in html
    else:
        assert "Nog " not in html.split('id="reputation"', 1)[1].split("</p>", 1)[0]
    assert "25–99 punten" in html
    assert "100–999 punten" in html
    assert "1.000 punten of meer" in html
