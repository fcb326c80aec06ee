"""Bundles and discounted orders, made the way checkout makes them (issue 17, ADR 0028): the
bundle's price split over its listings (core.pricing.split_cents), a code's discount per line,
then orders.services.order_create with LineSpecs. Shared by the orders, ledger and payments tests."""

from collections.abc import Sequence

from django.utils import timezone

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.models import Bundle, BundleItem, BundleStatus, Listing
from studymarket.core.pricing import split_cents
from studymarket.orders.models import Order
from studymarket.orders.services import order_create, order_mark_paid
from studymarket.orders.specs import LineSpec
from tests.factories import CourseFactory, ListingFactory, SellerFactory, UserFactory


def bundle_make(
    *,
    prices: Sequence[int] = (499, 799),
    price_cents: int = 999,
    seller: SellerProfile | None = None,
    title: str = "Tentamenbundel Marketing",
    listings: Sequence[Listing] | None = None,
) -> Bundle:
    """A published bundle of new listings of one seller and course at ``prices``."""
    seller = seller or SellerFactory()
    course = CourseFactory()
    if listings is None:
        listings = [ListingFactory(seller=seller, course=course, price_cents=price) for price in prices]
    bundle = Bundle.objects.create(
        seller=seller,
        course=course,
        title=title,
        slug="tentamenbundel",
        price_cents=price_cents,
        status=BundleStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    BundleItem.objects.bulk_create(
        BundleItem(bundle=bundle, listing=listing, position=n) for n, listing in enumerate(listings)
    )
    return bundle


def bundle_listings(bundle: Bundle) -> list[Listing]:
    return [item.listing for item in bundle.items.select_related("listing").order_by("position", "pk")]


def bundle_specs(
    bundle: Bundle, *, discounts: Sequence[int] | None = None, funder: str = ""
) -> list[LineSpec]:
    """One line per listing of ``bundle`` at its share of the bundle price, less ``discounts``."""
    listings = bundle_listings(bundle)
    shares = split_cents(bundle.price_cents, [listing.price_cents for listing in listings])
    discounts = discounts or [0] * len(listings)
    return [
        LineSpec(
            listing=listing,
            bundle_id=bundle.pk,
            list_price_cents=share,
            discount_cents=discount,
            discount_funder=funder if discount else "",
        )
        for listing, share, discount in zip(listings, shares, discounts, strict=True)
    ]


def order_with_lines(
    lines: Sequence[LineSpec], *, buyer: User | None = None, paid: bool = True, discount_code: str = ""
) -> Order:
    order = order_create(buyer=buyer or UserFactory(), lines=lines, discount_code=discount_code)
    if paid:
        order = order_mark_paid(order_id=order.pk, send_receipt=False)
    return order
