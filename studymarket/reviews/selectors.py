from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from studymarket.catalog.models import Listing
from studymarket.library.models import Entitlement
from studymarket.orders.models import OrderLine
from studymarket.reviews.models import Review


def review_list_for_listing(*, listing: Listing) -> QuerySet[Review]:
    """The listing's reviews, each with its order line: a refunded purchase's review says so."""
    return Review.objects.filter(listing=listing).select_related("author__seller_profile", "order_line")


def review_count_total() -> int:
    return Review.objects.count()


@dataclass(frozen=True)
class ReviewFormState:
    """What the listing page offers the visitor in its reviews section."""

    order_line: OrderLine | None = None  # the purchase they may review now
    reviewed: bool = False  # they reviewed this listing already


def review_form_state(*, user: Any, listing: Listing) -> ReviewFormState | None:
    """The form for a buyer who may review the listing, thanks for one who did; None for
    everyone else (the page already says that only buyers can write a review)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if Review.objects.filter(listing=listing, author=user).exists():
        return ReviewFormState(reviewed=True)
    entitlement = (
        Entitlement.objects.filter(buyer=user, order_line__listing=listing, revoked_at__isnull=True)
        .select_related("order_line")
        .order_by("-granted_at", "-pk")
        .first()
    )
    return ReviewFormState(order_line=entitlement.order_line) if entitlement else None


def order_line_of_buyer_get(*, user: Any, order_line_id: int) -> OrderLine | None:
    """The user's own order line (any other, or an anonymous user, gets None)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return OrderLine.objects.select_related("listing").filter(pk=order_line_id, order__buyer=user).first()
