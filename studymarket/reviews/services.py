from datetime import datetime

import nh3
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.catalog.counters import listing_review_add
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.library.models import Entitlement
from studymarket.notifications.models import NotificationKind
from studymarket.notifications.services import notification_create
from studymarket.orders.models import OrderLine
from studymarket.reviews.models import Review
from studymarket.search.indexing import search_index_later


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
    shown as refunded (read from the order line). Once per purchase, and once per listing and author.
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
    listing_review_add(listing_id=order_line.listing_id, rating=rating)
    search_index_later(listing_ids=[order_line.listing_id])  # the "best rated" sort reads the index
    audit_record(action="review.created", obj=review, actor=author, rating=rating, order_line=order_line.pk)
    if created_at is None:  # a review written now, not history loaded after the fact (the demo)
        notification_create(
            recipient_id=order_line.seller.user_id,
            kind=NotificationKind.REVIEW,
            params={"title": order_line.title, "rating": rating},
            url=order_line.listing.get_absolute_url() + "#reviews",
            key=f"review:{review.pk}",
        )
    return review
