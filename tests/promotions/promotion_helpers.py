"""Shared by the promotions tests: codes made through the service, and the lines a quote is asked about."""

from datetime import date, timedelta
from typing import Any

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.models import Bundle, BundleItem, BundleStatus, Listing
from studymarket.promotions.models import DiscountCode
from studymarket.promotions.quotes import QuoteLine
from studymarket.promotions.services import discount_code_create, today
from tests.factories import UserFactory


def code_make(*, seller: SellerProfile | None, created_by: User | None = None, **fields: Any) -> DiscountCode:
    """A code valid from today, 10 % unless told otherwise."""
    fields.setdefault("kind", "percent")
    if fields["kind"] == "percent":
        fields.setdefault("percent", 10)
    fields.setdefault("valid_from", today())
    creator = created_by or (seller.user if seller is not None else UserFactory(is_staff=True))
    return discount_code_create(seller=seller, created_by=creator, **fields)


def line_of(listing: Listing, *, bundle: Bundle | None = None, price: int | None = None) -> QuoteLine:
    return QuoteLine(
        listing_id=listing.pk,
        bundle_id=bundle.pk if bundle is not None else None,
        seller_id=listing.seller_id,
        list_price_cents=listing.price_cents if price is None else price,
    )


def bundle_of(listings: list[Listing], *, price_cents: int) -> Bundle:
    """A published bundle of the listings' seller (rows only: the rules are catalog's to test)."""
    first = listings[0]
    bundle = Bundle.objects.create(
        seller=first.seller,
        course=first.course,
        title="Bundel",
        slug="bundel",
        price_cents=price_cents,
        status=BundleStatus.PUBLISHED,
    )
    for position, listing in enumerate(listings):
        BundleItem.objects.create(bundle=bundle, listing=listing, position=position)
    return bundle


def days(n: int) -> date:
    return today() + timedelta(days=n)
