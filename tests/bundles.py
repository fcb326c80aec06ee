"""Bundles for tests (issue 17): a seller's listings of one course and a bundle of them, made by
the services (catalog.bundles) so that every bundle here is one the application could have made."""

from collections.abc import Sequence

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.bundles import bundle_create, bundle_publish
from studymarket.catalog.models import Bundle, Course, Listing
from tests.factories import CourseFactory, ListingFactory, SellerFactory


def listings_of_one_course(
    *, seller: SellerProfile | None = None, course: Course | None = None, prices: Sequence[int] = (949, 749)
) -> list[Listing]:
    seller = seller or SellerFactory()
    course = course or CourseFactory()
    return [ListingFactory(seller=seller, course=course, price_cents=price) for price in prices]


def bundle_make(
    *,
    listings: Sequence[Listing] | None = None,
    price_cents: int = 1349,
    title: str = "Alles voor Account Management",
    publish: bool = True,
) -> Bundle:
    """A bundle of ``listings`` (default: two new ones at € 9,49 and € 7,49, € 16,98 together),
    published unless told otherwise."""
    listings = list(listings) if listings is not None else listings_of_one_course()
    seller = listings[0].seller
    bundle = bundle_create(
        seller=seller,
        title=title,
        description="Samenvatting en oefenvragen samen.",
        price_cents=price_cents,
        listing_ids=[listing.pk for listing in listings],
    )
    if publish:
        bundle = bundle_publish(bundle_id=bundle.pk, seller=seller)
    return bundle


def bundle_figures(bundle: Bundle) -> tuple[int, int, int]:
    """What a list selector (catalog.bundle_selectors) annotated on a bundle: its number of
    documents, their summed price, and the saving (annotations mypy cannot see on the model)."""
    annotated = vars(bundle)
    return annotated["item_count"], annotated["list_total_cents"], annotated["saving_cents"]
