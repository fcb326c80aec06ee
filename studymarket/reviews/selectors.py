from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from studymarket.catalog.models import Listing
from studymarket.library.models import Entitlement
from studymarket.orders.models import OrderLine
from studymarket.reviews.models import Review


def review_list_for_listing(*, listing_id: int) -> QuerySet[Review]:
    """The listing's reviews, newest first (the id settles a tie, so pages never overlap), each
    with its author (named on the page) and order line: a refunded purchase's review says so."""
    return (
        Review.objects.filter(listing_id=listing_id)
        .select_related("author", "order_line")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class ReviewPage:
    """One page of a listing's reviews, newest first; ``number`` counts from 1."""

    reviews: list[Review]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


def review_page_for_listing(*, listing_id: int, number: int, per_page: int) -> ReviewPage:
    """Page ``number`` of the listing's reviews in one query, however many it has: one row more
    than the page tells whether another page follows, so nothing counts the whole list. A
    page past the last has no reviews."""
    start = (number - 1) * per_page
    rows = list(review_list_for_listing(listing_id=listing_id)[start : start + per_page + 1])
    return ReviewPage(reviews=rows[:per_page], number=number, has_next=len(rows) > per_page)


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
