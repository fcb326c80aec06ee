"""Reads the API needs that no app below has in the shape it needs: what is public of courses
and bundles, and a seller's sales and payouts as pageable querysets."""

from django.db.models import Q, QuerySet

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.bundle_selectors import bundle_listing_list, bundle_on_sale
from studymarket.catalog.models import Bundle, Course, Listing
from studymarket.core.text import printable_words
from studymarket.ledger.models import Payout
from studymarket.orders.models import OrderLine

_WORDS_MAX = 8


def course_list(*, query: str = "") -> QuerySet[Course]:
    """Courses whose name, code, programme or institution has every word of ``query``."""
    courses = Course.objects.select_related("programme__institution").order_by("name", "pk")
    for word in printable_words(query)[:_WORDS_MAX]:
        courses = courses.filter(
            Q(name__icontains=word)
            | Q(code__icontains=word)
            | Q(programme__name__icontains=word)
            | Q(programme__institution__name__icontains=word)
        )
    return courses


def course_get(*, pk: int) -> Course:
    """Raises Course.DoesNotExist."""
    return Course.objects.select_related("programme__institution").get(pk=pk)


def _buyable_bundles() -> QuerySet[Bundle]:
    return bundle_on_sale().select_related("seller", "course__programme__institution")


def bundle_search(*, query: str) -> QuerySet[Bundle]:
    """Buyable bundles with every word of ``query`` in their title, description or course."""
    words = printable_words(query)[:_WORDS_MAX]
    if not words:
        return Bundle.objects.none()
    bundles = _buyable_bundles()
    for word in words:
        bundles = bundles.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(course__name__icontains=word)
            | Q(course__code__icontains=word)
        )
    return bundles.order_by("-published_at", "-pk")


def bundle_public_get(*, pk: int) -> tuple[Bundle, list[Listing]]:
    """A buyable bundle and its documents in their order; raises Bundle.DoesNotExist."""
    bundle = _buyable_bundles().prefetch_related("items__listing").get(pk=pk)
    return bundle, bundle_listing_list(bundle)


def seller_sale_list(*, seller: SellerProfile) -> QuerySet[OrderLine]:
    """The seller's paid order lines (refunded ones too, marked so), newest first."""
    return (
        OrderLine.objects.filter(seller=seller, order__paid_at__isnull=False)
        .select_related("order")
        .order_by("-order__paid_at", "-pk")
    )


def seller_payout_page(*, seller: SellerProfile) -> QuerySet[Payout]:
    return Payout.objects.filter(seller=seller).order_by("-created_at", "-pk")
