from django.db.models import QuerySet

from studymarket.catalog.models import Listing
from studymarket.reviews.models import Review


def review_list_for_listing(*, listing: Listing) -> QuerySet[Review]:
    return Review.objects.filter(listing=listing).select_related("author__seller_profile")


def review_count_total() -> int:
    return Review.objects.count()
