from datetime import datetime

import nh3
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.core.audit import audit_record
from studymarket.reviews.models import Review


@transaction.atomic
def review_create(
    *, listing: Listing, author: User, rating: int, text: str, created_at: datetime | None = None
) -> Review:
    """Store a review (text stripped of all markup) and update the listing's rating."""
    review = Review(
        listing=listing,
        author=author,
        rating=rating,
        text=nh3.clean(text, tags=set()).strip(),
        created_at=created_at or timezone.now(),
    )
    review.full_clean()
    review.save()
    Listing.objects.filter(pk=listing.pk).update(
        review_count=F("review_count") + 1, rating_sum=F("rating_sum") + rating
    )
    audit_record(action="review.created", obj=review, actor=author, rating=rating)
    return review
