from django.db.models import Count, Q, QuerySet, Sum

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Course, Institution, Listing, ListingStatus


def listing_published_list() -> QuerySet[Listing]:
    return Listing.objects.filter(status=ListingStatus.PUBLISHED).select_related(
        "seller", "course__programme__institution"
    )


def listing_get_for_page(*, pk: int) -> Listing:
    """The listing with what its page shows, in one query; raises Listing.DoesNotExist."""
    return listing_published_list().select_related("book", "document__current_version").get(pk=pk)


def listing_recent_list(*, limit: int = 12) -> QuerySet[Listing]:
    return listing_published_list().order_by("-published_at")[:limit]


def course_published_count(*, course: Course) -> int:
    return Listing.objects.filter(course=course, status=ListingStatus.PUBLISHED).count()


def course_popular_list(*, limit: int = 8) -> QuerySet[Course]:
    published = Q(listings__status=ListingStatus.PUBLISHED)
    return (
        Course.objects.select_related("programme__institution")
        .annotate(listing_total=Count("listings", filter=published), sold_total=Sum("listings__sold_count", filter=published))
        .filter(listing_total__gt=0)
        .order_by("-sold_total", "-listing_total", "name")[:limit]
    )


def institution_list() -> QuerySet[Institution]:
    published = Q(programmes__courses__listings__status=ListingStatus.PUBLISHED)
    return Institution.objects.annotate(listing_total=Count("programmes__courses__listings", filter=published))


def seller_listing_list(*, seller: SellerProfile) -> QuerySet[Listing]:
    return listing_published_list().filter(seller=seller)
