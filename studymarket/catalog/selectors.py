from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Replace

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Book, Course, Institution, Listing, ListingStatus, Programme
from studymarket.catalog.ratings import Rating
from studymarket.documents.models import DocumentPage

# A query is a handful of words; a pasted page of text must not become a query with
# hundreds of conditions.
SEARCH_MAX_WORDS = 8


def listing_published_list() -> QuerySet[Listing]:
    # The current version is joined because every listing card shows the page count.
    return Listing.objects.filter(status=ListingStatus.PUBLISHED).select_related(
        "seller", "course__programme__institution", "document__current_version"
    )


def listing_card_list() -> QuerySet[Listing]:
    """Published listings for product cards: with the first page of each current version
    (``version.first_pages``, its thumbnail) in one more query for the whole list."""
    card_fields = ("version_id", "number", "thumbnail", "thumbnail_blurred", "preview_image")
    first_page = DocumentPage.objects.filter(number=1).only(*card_fields, "preview_width", "preview_height")
    return listing_published_list().prefetch_related(
        Prefetch("document__current_version__pages", queryset=first_page, to_attr="first_pages")
    )


def listing_get_for_page(*, pk: int) -> Listing:
    """The listing with what its page shows, in one query; raises Listing.DoesNotExist."""
    return listing_published_list().select_related("book", "document__current_version").get(pk=pk)


def listing_recent_list(*, limit: int = 12) -> QuerySet[Listing]:
    return listing_card_list().order_by("-published_at")[:limit]


def course_published_count(*, course: Course) -> int:
    return Listing.objects.filter(course=course, status=ListingStatus.PUBLISHED).count()


def course_popular_list(*, limit: int = 8) -> QuerySet[Course]:
    published = Q(listings__status=ListingStatus.PUBLISHED)
    return (
        Course.objects.select_related("programme__institution")
        .annotate(
            listing_total=Count("listings", filter=published),
            sold_total=Sum("listings__sold_count", filter=published),
        )
        .filter(listing_total__gt=0)
        .order_by("-sold_total", "-listing_total", "name")[:limit]
    )


def institution_list() -> QuerySet[Institution]:
    published = Q(programmes__courses__listings__status=ListingStatus.PUBLISHED)
    return Institution.objects.annotate(
        listing_total=Count("programmes__courses__listings", filter=published)
    )


def seller_listing_list(*, seller: SellerProfile) -> QuerySet[Listing]:
    return listing_card_list().filter(seller=seller)


def institution_get(*, slug: str) -> Institution:
    """Raises Institution.DoesNotExist."""
    return Institution.objects.get(slug=slug)


def institution_programme_list(*, institution: Institution) -> QuerySet[Programme]:
    """The programmes with their courses prefetched, each course annotated with listing_total."""
    courses = Course.objects.annotate(
        listing_total=Count("listings", filter=Q(listings__status=ListingStatus.PUBLISHED))
    )
    return institution.programmes.prefetch_related(Prefetch("courses", queryset=courses))


def institution_listing_list(*, institution: Institution) -> QuerySet[Listing]:
    return listing_card_list().filter(course__programme__institution=institution)


def course_get(*, institution_slug: str, programme_slug: str, slug: str) -> Course:
    """The course at exactly this path (a course slug alone is only unique within its
    programme); raises Course.DoesNotExist."""
    return Course.objects.select_related("programme__institution").get(
        slug=slug, programme__slug=programme_slug, programme__institution__slug=institution_slug
    )


def course_listing_list(*, course: Course) -> QuerySet[Listing]:
    return listing_card_list().filter(course=course)


def seller_get(*, slug: str) -> SellerProfile:
    """Raises SellerProfile.DoesNotExist."""
    return SellerProfile.objects.select_related("user").get(slug=slug)


@dataclass(frozen=True)
class SellerStats:
    listing_count: int
    sold_total: int
    rating: Rating


def seller_stats(*, seller: SellerProfile) -> SellerStats:
    """Figures over the seller's published listings. The average is over all their
    reviews, so a listing with ten reviews weighs ten times one with a single review."""
    totals = seller_listing_list(seller=seller).aggregate(
        listing_count=Count("pk"),
        sold_total=Sum("sold_count", default=0),
        review_count=Sum("review_count", default=0),
        rating_sum=Sum("rating_sum", default=0),
    )
    reviews, rating_sum = totals["review_count"], totals["rating_sum"]
    return SellerStats(
        listing_count=totals["listing_count"],
        sold_total=totals["sold_total"],
        rating=Rating(total=rating_sum, count=reviews),
    )


def listing_published_in_order(*, ids: list[int]) -> list[Listing]:
    """The published listings among ``ids``, in the order of ``ids`` (a search engine's
    ranking), in one query. An id that is gone or no longer published is left out: the
    index may lag the database by one task."""
    found = listing_card_list().select_related("book").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _with_listing_total(courses: QuerySet[Course]) -> QuerySet[Course]:
    return courses.annotate(
        listing_total=Count("listings", filter=Q(listings__status=ListingStatus.PUBLISHED))
    )


def programme_get(*, institution_slug: str, slug: str) -> Programme:
    """The programme at exactly this path; raises Programme.DoesNotExist."""
    return Programme.objects.select_related("institution").get(slug=slug, institution__slug=institution_slug)


def programme_course_list(*, programme: Programme) -> QuerySet[Course]:
    """The programme's courses, each annotated with listing_total (published listings)."""
    return _with_listing_total(programme.courses.all())


def programme_listing_list(*, programme: Programme) -> QuerySet[Listing]:
    return listing_card_list().filter(course__programme=programme)


def book_get(*, isbn13: str) -> Book:
    """Raises Book.DoesNotExist."""
    return Book.objects.get(isbn13=isbn13)


def book_listing_list(*, book: Book) -> QuerySet[Listing]:
    return listing_card_list().filter(book=book)


def book_course_list(*, book: Book) -> QuerySet[Course]:
    """The courses with a published listing about this book, each annotated with listing_total
    (all its published listings, about this book or not)."""
    with_book = Listing.objects.filter(book=book, status=ListingStatus.PUBLISHED).values("course_id")
    return _with_listing_total(
        Course.objects.filter(pk__in=with_book).select_related("programme__institution")
    ).order_by("name", "pk")


def course_find(*, pk: int) -> Course | None:
    return Course.objects.select_related("programme__institution").filter(pk=pk).first()


def institution_find(*, slug: str) -> Institution | None:
    return Institution.objects.filter(slug=slug).first()


def listing_search_basic(*, query: str) -> QuerySet[Listing]:
    """Published listings in which every word of ``query`` occurs (case-insensitive) in the
    title, description, course name or code, or institution name.

    A stand-in until the real search engine: no ranking, no stemming. Course codes are
    compared without spaces, so "MAN3025" finds "MAN 3025"; the other way round works
    because each word ("MAN", "3025") is matched on its own.
    """
    words = query.split()[:SEARCH_MAX_WORDS]
    if not words:
        return Listing.objects.none()
    listings = listing_published_list().annotate(
        course_code_compact=Replace(F("course__code"), Value(" "), Value(""))
    )
    for word in words:
        listings = listings.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(course__name__icontains=word)
            | Q(course_code_compact__icontains=word)
            | Q(course__programme__institution__name__icontains=word)
        )
    return listings.order_by("-published_at", "pk")
