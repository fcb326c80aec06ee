from datetime import datetime

import nh3
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.catalog.search.indexing import search_index_later
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.library.models import Entitlement
from studymarket.orders.models import OrderLine
from studymarket.reviews.models import Review


class ReviewRefused(ApplicationError):
    """The author may not review this purchase (not theirs, refunded, or already reviewed)."""


@transaction.atomic
def review_create(
    *, author: User, order_line: OrderLine, rating: int, text: str, created_at: datetime | None = None
) -> Review:
    """A buyer's review of one purchase (text stripped of all markup); updates the listing's
    rating and review count.

    Only the buyer of a paid purchase they still own may write it: an active entitlement on
    ``order_line``. A refunded buyer may not start one (they have their money back and no
    access; the refund is their remedy), while a review written before a refund stays,
    marked as refunded. Once per purchase, and once per listing and author.
    """
    # The row lock makes a double submit wait here and then find the first review.
    entitlement = (
        Entitlement.objects.select_for_update()
        .filter(order_line=order_line, buyer=author, revoked_at__isnull=True)
        .first()
    )
    if entitlement is None:
        raise ReviewRefused(_("Alleen kopers van dit document kunnen een review schrijven."))
    if Review.objects.filter(
        Q(order_line=order_line) | Q(listing_id=order_line.listing_id, author=author)
    ).exists():
        raise ReviewRefused(_("Je hebt dit document al beoordeeld."))
    review = Review(
        listing_id=order_line.listing_id,
        author=author,
        order_line=order_line,
        rating=rating,
        text=nh3.clean(text, tags=set()).strip(),
        created_at=created_at or timezone.now(),
    )
    review.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        # Only without row locks (SQLite serialises writers instead): the same purchase twice.
        raise ReviewRefused(_("Je hebt dit document al beoordeeld.")) from None
    Listing.objects.filter(pk=order_line.listing_id).update(
        review_count=F("review_count") + 1, rating_sum=F("rating_sum") + rating
    )
    search_index_later(listing_ids=[order_line.listing_id])  # the "best rated" sort reads the index
    audit_record(action="review.created", obj=review, actor=author, rating=rating, order_line=order_line.pk)
    return review


@transaction.atomic
def review_mark_refunded(*, order_line_id: int) -> bool:
    """Mark the review of a refunded purchase: it stays on the listing, with "Terugbetaald"
    beside it (the rating keeps counting: a refund must not let anyone erase a review).

    Call it in the transaction that marks the line refunded. True when this call marked it;
    False when the purchase has no review or it was marked already.
    """
    review = Review.objects.select_for_update().filter(order_line_id=order_line_id).first()
    if review is None or review.is_refunded:
        return False
    review.is_refunded = True
    review.save(update_fields=["is_refunded"])
    audit_record(action="review.refunded", obj=review, order_line=order_line_id)
    return True
