"""Reads of bundles (catalog.bundles writes them).

A bundle is *offered* to buyers (bundle_on_sale, the one rule every public place reads: its page,
the cart and checkout, lists, search, the sitemap, the API) when it is published, every listing in
it is on sale, and it still costs less than its documents bought separately: a seller may lower a
document's price after making the bundle (ADR 0028), and a bundle that saves nothing is not sold.

Each list is one query, with figures annotated from subqueries (no join that would repeat rows):
``list_total_cents`` (the documents' own prices summed), ``saving_cents`` (that sum less the bundle
price), ``item_count`` and ``offers_saving`` (the price rule above, for the seller's own list).
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Bundle, BundleItem, BundleStatus, Course, Listing, ListingStatus
from studymarket.core.text import printable_words

# A search page shows a few bundles above the documents, not a second result list.
SEARCH_BUNDLES_SHOWN = 4


def bundle_listing_list(bundle: Bundle) -> list[Listing]:
    """The bundle's listings in position order (from the prefetch of bundle_get_for_page when there)."""
    return [item.listing for item in bundle.items.all()]


def bundle_buyable(bundle: Bundle) -> bool:
    """Offered to buyers now (bundle_on_sale; one query)."""
    return bundle.pk in bundle_buyable_ids([bundle.pk])


def bundle_buyable_ids(bundle_ids: Collection[int]) -> set[int]:
    """Those of these bundles offered to buyers now (bundle_on_sale), in one query."""
    if not bundle_ids:
        return set()
    return set(bundle_on_sale().filter(pk__in=bundle_ids).values_list("pk", flat=True))


@dataclass(frozen=True)
class BundleSaving:
    list_total_cents: int  # the documents' own prices summed
    price_cents: int  # the bundle price
    saving_cents: int  # what the buyer saves (never negative)


def bundle_saving(bundle: Bundle, listings: Iterable[Listing] | None = None) -> BundleSaving:
    listings = bundle_listing_list(bundle) if listings is None else listings
    total = sum(listing.price_cents for listing in listings)
    return BundleSaving(
        list_total_cents=total,
        price_cents=bundle.price_cents,
        saving_cents=max(total - bundle.price_cents, 0),
    )


def bundle_get_for_page(*, pk: int) -> Bundle:
    """The bundle (any state but draft) with what its page shows, in two queries: the bundle with
    seller and course, then its items with their listings and current versions (page counts).
    Raises Bundle.DoesNotExist."""
    items = BundleItem.objects.select_related("listing__document__current_version").order_by("position", "pk")
    return (
        Bundle.objects.exclude(status=BundleStatus.DRAFT)
        .select_related("seller", "course__programme__institution")
        .prefetch_related(Prefetch("items", queryset=items))
        .get(pk=pk)
    )


def _items_of_outer() -> QuerySet[BundleItem, Any]:
    return BundleItem.objects.filter(bundle=OuterRef("pk")).order_by().values("bundle")


def _list_total() -> Coalesce:
    """The summed own prices of the outer bundle's documents (today's prices)."""
    total = _items_of_outer().annotate(total=Sum("listing__price_cents")).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def _saves() -> Q:
    """The price rule: the bundle costs less than its documents bought separately."""
    return Q(price_cents__lt=_list_total())


def _with_figures(bundles: QuerySet[Bundle]) -> QuerySet[Bundle]:
    count = _items_of_outer().annotate(count=Count("pk")).values("count")
    return bundles.annotate(
        list_total_cents=_list_total(),
        item_count=Coalesce(Subquery(count, output_field=IntegerField()), 0),
        offers_saving=ExpressionWrapper(_saves(), output_field=BooleanField()),
    ).annotate(saving_cents=F("list_total_cents") - F("price_cents"))


def bundle_on_sale() -> QuerySet[Bundle]:
    """The bundles offered to buyers: published, every listing on sale, and cheaper than those
    listings together (the rows alone: the sitemap's query). Every public place reads this."""
    offline = BundleItem.objects.filter(bundle=OuterRef("pk")).exclude(
        listing__status=ListingStatus.PUBLISHED
    )
    return Bundle.objects.filter(status=BundleStatus.PUBLISHED).filter(~Exists(offline)).filter(_saves())


def bundle_buyable_list() -> QuerySet[Bundle]:
    """Published bundles whose listings are all on sale, with their figures, newest first."""
    return _with_figures(
        bundle_on_sale()
        .select_related("seller", "course__programme__institution")
        .order_by("-published_at", "-pk")
    )


def bundle_course_list(*, course: Course) -> QuerySet[Bundle]:
    return bundle_buyable_list().filter(course=course)


def bundle_seller_list(*, seller: SellerProfile) -> QuerySet[Bundle]:
    return bundle_buyable_list().filter(seller=seller)


def bundle_containing_list(*, listing_ids: Collection[int]) -> QuerySet[Bundle]:
    """Buyable bundles with any of these listings in them."""
    if not listing_ids:
        return Bundle.objects.none()
    holding = BundleItem.objects.filter(listing_id__in=listing_ids).values("bundle_id")
    return bundle_buyable_list().filter(pk__in=holding)


def bundle_search_list(*, listing_ids: Collection[int], query: str) -> list[Bundle]:
    """For a search results page: buyable bundles with a listing of the page in them or with every
    word of the query in their title; at most SEARCH_BUNDLES_SHOWN, in one query."""
    words = printable_words(query)[:8]
    condition = Q(pk__in=BundleItem.objects.filter(listing_id__in=listing_ids).values("bundle_id"))
    if words:
        title_matches = Q()
        for word in words:
            title_matches &= Q(title__icontains=word)
        condition |= title_matches
    elif not listing_ids:
        return []
    return list(bundle_buyable_list().filter(condition)[:SEARCH_BUNDLES_SHOWN])


def seller_bundle_list(*, seller: SellerProfile) -> QuerySet[Bundle]:
    """All the seller's bundles, in any state, for their own pages (newest first)."""
    return _with_figures(seller.bundles.select_related("course").order_by("-created_at", "-pk"))


def seller_bundle_no_saving_list(*, listing_id: int) -> list[Bundle]:
    """The bundles (drafts and published ones) holding this listing that no longer cost less than
    their documents separately: not offered until the seller lowers the bundle price or changes
    its documents (the warning after a price change, selling.bundle_views)."""
    holding = BundleItem.objects.filter(listing_id=listing_id).values("bundle_id")
    bundles = Bundle.objects.filter(pk__in=holding).exclude(status=BundleStatus.WITHDRAWN)
    return list(bundles.exclude(_saves()).order_by("title", "pk"))


def seller_bundle_get(*, seller: SellerProfile, pk: int) -> Bundle:
    """The seller's own bundle with its items and listings, and the figures of the lists; raises
    Bundle.DoesNotExist for any other."""
    items = BundleItem.objects.select_related("listing__course").order_by("position", "pk")
    return _with_figures(
        Bundle.objects.select_related("course").prefetch_related(Prefetch("items", queryset=items))
    ).get(pk=pk, seller=seller)


def seller_bundle_choices(*, seller: SellerProfile) -> QuerySet[Listing]:
    """The seller's listings that may go in a bundle (on sale), grouped by course."""
    return (
        Listing.objects.filter(seller=seller, status=ListingStatus.PUBLISHED)
        .select_related("course")
        .order_by("course__name", "course_id", "title", "pk")
    )
