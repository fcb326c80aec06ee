"""Puts the demo into the database through the services, keyed on natural keys
(e-mail addresses, names, ISBNs, seller + listing slug, buyer + listing), so a second run
creates nothing. Whether everything is there is answered by three queries, which is all
`make run` pays at every start once the demo is loaded."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from studymarket.accounts.models import PayoutSchedule, SellerProfile, User
from studymarket.accounts.services import seller_payout_details_update, seller_profile_create, user_create
from studymarket.catalog.models import Book, Course, Institution, Listing, Programme
from studymarket.catalog.services import (
    book_create,
    course_create,
    default_preview_page_count,
    institution_create,
    listing_create,
    programme_create,
)
from studymarket.documents.models import Document, DocumentVersion
from studymarket.documents.originality import originality_fingerprints_ensure
from studymarket.documents.selectors import document_find
from studymarket.documents.services import document_create, document_version_extract
from studymarket.ledger.postings import earnings_release_due
from studymarket.orders.models import Order, OrderLine, OrderStatus
from studymarket.orders.services import order_create, order_mark_paid
from studymarket.reviews.models import Review
from studymarket.reviews.services import review_create
from studymarket.search.backends import backend_get
from studymarket.search.index_sync import search_index_listings, search_rebuild
from studymarket.search.indexing import search_index_deferred
from studymarket.selling.services import listing_publish
from studymarket.storefront.demo.bundles import demo_bundles_load, demo_bundles_present
from studymarket.storefront.demo.courses import BOOKS, COURSES, INSTITUTIONS
from studymarket.storefront.demo.dates import demo_dates_settle
from studymarket.storefront.demo.listings import ListingSpec, demo_listings
from studymarket.storefront.demo.notifications import demo_notifications_load, demo_notifications_present
from studymarket.storefront.demo.pdf import demo_pdf_build
from studymarket.storefront.demo.people import (
    BUYERS,
    CROWD_BUYERS,
    DEMO_PASSWORD,
    REFERENCE_SELLER,
    SELLERS,
    STAFF,
)
from studymarket.storefront.demo.plan import (
    SaleSpec,
    demo_sales,
    listing_description,
    listing_language,
    listing_pdf,
    listing_published_at,
    listing_uploaded_at,
    listing_view_count,
    people_joined_at,
)
from studymarket.storefront.demo.staff import demo_staff_ensure, demo_staff_wanted
from studymarket.storefront.figures import platform_figures_forget

# The reference seller's bank account (a valid Dutch IBAN, of no real person).
DEMO_PAYOUT_IBAN = "NL20INGB0001234567"


@dataclass
class DemoLoadResult:
    already_loaded: bool = False
    listings_created: int = 0
    orders_created: int = 0
    reviews_created: int = 0


def demo_data_load(
    *, now: datetime | None = None, log: Callable[[str], None] | None = None
) -> DemoLoadResult:
    """Load whatever part of the demo is missing; returns at once when nothing is."""
    now = now or timezone.now()
    say = log or (lambda message: None)
    sales = demo_sales(now=now)
    if _complete(sales):
        if backend_get().count() == 0:
            # Loaded before the search index existed (or the index was removed): fill it.
            search_rebuild()
        return DemoLoadResult(already_loaded=True)
    result = DemoLoadResult()
    # Sales and reviews each ask for their listing to be indexed again: collected here, indexed
    # once below.
    listings: dict[str, Listing] = {}
    with search_index_deferred() as reindex:
        _demo_rows_load(sales, now=now, say=say, result=result, listings=listings)
    # Searchable at once, with the sales and reviews just loaded.
    search_index_listings(listing_ids=sorted({*reindex, *(listing.pk for listing in listings.values())}))
    return result


def _demo_rows_load(
    sales: list[SaleSpec],
    *,
    now: datetime,
    say: Callable[[str], None],
    result: DemoLoadResult,
    listings: dict[str, Listing],
) -> None:
    """People, courses, books, listings, sales, reviews, settled ledger and the demo seller's and
    buyer's notifications: what is missing."""
    joined = people_joined_at(now=now, sales=sales)
    users = _people(joined=joined)
    courses = _courses()
    books = _books()
    listings.update(_existing_listings())
    sales_per_listing: dict[str, int] = {}
    for sale in sales:
        sales_per_listing[sale.listing.slug] = sales_per_listing.get(sale.listing.slug, 0) + 1
    for spec in demo_listings():
        if spec.slug not in listings:
            say(f"  {spec.title} ({spec.page_count} p.)")
            listings[spec.slug] = _listing_load(
                spec,
                seller=users[spec.seller].seller_profile,
                course=courses[spec.course],
                book=books[spec.book] if spec.book else None,
                views=listing_view_count(spec, sales=sales_per_listing.get(spec.slug, 0)),
                now=now,
            )
            result.listings_created += 1
    # Read in this process, the demo versions skipped the upload's originality check: without
    # fingerprints, a buyer's copy of one would upload as new.
    originality_fingerprints_ensure()
    _sales_load(sales, users=users, listings=listings, result=result)
    demo_bundles_load(listings=listings)  # after the listings it bundles (storefront/demo/bundles.py)
    demo_dates_settle(listings=listings, users=users, joined=joined)
    _ledger_settle(users=users, now=now)
    demo_notifications_load(users=users, listings=listings, now=now)  # after the sales they tell of
    platform_figures_forget()


def _ledger_settle(*, users: dict[str, User], now: datetime) -> None:
    """The demo's sales happened long ago: their guarantee windows are over, so the sellers'
    earnings are available (as the periodic release task would have made them). The reference
    seller can ask for a payout at once: their payout details are filled in."""
    earnings_release_due(now=now)
    seller = users[REFERENCE_SELLER.key].seller_profile
    if not seller.payout_iban:
        seller_payout_details_update(
            seller=seller,
            account_holder=users[REFERENCE_SELLER.key].get_full_name() or seller.display_name,
            iban=DEMO_PAYOUT_IBAN,
            schedule=PayoutSchedule.ON_REQUEST,
        )


def _complete(sales: list[SaleSpec]) -> bool:
    if (
        demo_staff_wanted()
        and not User.objects.filter(email__in=[spec.email for spec in STAFF.values()], is_staff=True).exists()
    ):
        return False
    seller_emails = [spec.email for spec in SELLERS.values()]
    buyer_emails = [spec.email for spec in BUYERS.values()]
    have_listings = set(
        Listing.objects.filter(seller__user__email__in=seller_emails).values_list(
            "seller__user__email", "slug"
        )
    )
    if not {(SELLERS[spec.seller].email, spec.slug) for spec in demo_listings()} <= have_listings:
        return False
    if not demo_bundles_present(seller_emails=seller_emails):
        return False
    if not demo_notifications_present():
        return False
    have_sales = set(
        OrderLine.objects.filter(
            order__status=OrderStatus.PAID, order__buyer__email__in=buyer_emails
        ).values_list("order__buyer__email", "listing__slug")
    )
    if not {(BUYERS[sale.buyer].email, sale.listing.slug) for sale in sales} <= have_sales:
        return False
    have_reviews = set(
        Review.objects.filter(author__email__in=buyer_emails).values_list("author__email", "listing__slug")
    )
    return {(BUYERS[sale.buyer].email, sale.listing.slug) for sale in sales if sale.review} <= have_reviews


def _people(*, joined: dict[str, datetime]) -> dict[str, User]:
    """The demo's accounts, each made on the day the demo's story says (``joined``): "Lid sinds"
    comes before a seller's first upload and a buyer's first purchase."""
    specs = {**SELLERS, **BUYERS, **(STAFF if demo_staff_wanted() else {})}
    existing = {
        user.email: user
        for user in User.objects.filter(email__in=[spec.email for spec in specs.values()]).select_related(
            "seller_profile"
        )
    }
    users = {}
    crowd = {spec.key for spec in CROWD_BUYERS}
    crowd_password = ""
    for key, spec in specs.items():
        user = existing.get(spec.email)
        if user is None and key in crowd:
            # The crowd shares the demo password and one hash of it: Argon2 for each of seventy
            # accounts would add many seconds to every first load.
            crowd_password = crowd_password or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                email=spec.email,
                password=crowd_password,
                first_name=spec.first_name,
                last_name=spec.last_name,
                date_joined=joined[key],
            )
        elif user is None:
            user = user_create(
                email=spec.email, password=DEMO_PASSWORD, first_name=spec.first_name, last_name=spec.last_name
            )
            # Demo history, not a user action: the account existed long before the load.
            User.objects.filter(pk=user.pk).update(date_joined=joined[key])
        if spec.display_name and not SellerProfile.objects.filter(user=user).exists():
            user.seller_profile = seller_profile_create(user=user, display_name=spec.display_name)
            # Became a seller a day after joining, before the first upload.
            became_seller = joined[key] + timedelta(days=1)
            SellerProfile.objects.filter(pk=user.seller_profile.pk).update(
                created_at=became_seller, updated_at=became_seller
            )
            user.seller_profile.created_at = user.seller_profile.updated_at = became_seller
        if key in STAFF:
            demo_staff_ensure(user=user)
        users[key] = user
    return users


def _courses() -> dict[str, Course]:
    institutions = {
        institution.name: institution for institution in Institution.objects.filter(name__in=INSTITUTIONS)
    }
    for name, place in INSTITUTIONS.items():
        if name not in institutions:
            institutions[name] = institution_create(name=name, country=place.country, city=place.city)
    programmes = {
        (p.institution_id, p.slug): p for p in Programme.objects.filter(institution__name__in=INSTITUTIONS)
    }
    courses = {
        (c.programme_id, c.slug): c
        for c in Course.objects.filter(programme__institution__name__in=INSTITUTIONS)
    }
    found = {}
    for key, spec in COURSES.items():
        institution = institutions[spec.institution]
        programme = programmes.get((institution.pk, slugify(spec.programme)))
        if programme is None:
            programme = programmes[(institution.pk, slugify(spec.programme))] = programme_create(
                institution=institution, name=spec.programme
            )
        course = courses.get((programme.pk, slugify(spec.name)))
        found[key] = course or course_create(programme=programme, name=spec.name, code=spec.code)
    return found


def _books() -> dict[str, Book]:
    existing = {
        book.isbn13: book for book in Book.objects.filter(isbn13__in=[b.isbn13 for b in BOOKS.values()])
    }
    return {
        key: existing.get(spec.isbn13)
        or book_create(title=spec.title, authors=spec.authors, edition=spec.edition, isbn=spec.isbn13)
        for key, spec in BOOKS.items()
    }


def _existing_listings() -> dict[str, Listing]:
    emails = [spec.email for spec in SELLERS.values()]
    return {
        listing.slug: listing
        for listing in Listing.objects.filter(seller__user__email__in=emails).select_related(
            "course__programme__institution"
        )
    }


def _listing_load(
    spec: ListingSpec, *, seller: SellerProfile, course: Course, book: Book | None, views: int, now: datetime
) -> Listing:
    # Named after the listing, so a run cut short after the upload finds its document again.
    original_name = f"{spec.slug}.pdf"
    document = document_find(seller=seller, original_name=original_name)
    if document is None:
        content = ContentFile(demo_pdf_build(listing_pdf(spec)), name=original_name)
        document = document_create(seller=seller, file=content, original_name=original_name)
    version = document.current_version
    assert version is not None
    preview_pages = spec.preview_page_count or default_preview_page_count(spec.page_count)
    document_version_extract(version=version, preview_page_count=preview_pages)
    if version.page_count != spec.page_count:
        raise AssertionError(f"{spec.title}: the PDF has {version.page_count} pages, not {spec.page_count}")
    listing = listing_create(
        seller=seller,
        document=document,
        course=course,
        title=spec.title,
        description=listing_description(spec),
        document_type=spec.document_type,
        language=listing_language(spec),
        academic_year=spec.academic_year,
        price_cents=spec.price_cents,
        whole_book_summarized=spec.whole_book_summarized,
        book=book,
        preview_page_count=preview_pages,
    )
    published_at = listing_published_at(spec, now=now)
    listing = listing_publish(listing=listing, published_at=published_at)
    # Demo history, not a user action: the listing looks as if it had been online since its
    # upload date, with the views it gathered meanwhile (no service counts past views); the
    # file was uploaded and processed minutes before, so the seller's version list, the library
    # ("Versie van …") and the dashboard show the same day as the listing page.
    Listing.objects.filter(pk=listing.pk).update(
        view_count=views, created_at=published_at, updated_at=published_at
    )
    uploaded_at = listing_uploaded_at(spec, now=now)
    Document.objects.filter(pk=document.pk).update(created_at=uploaded_at, updated_at=published_at)
    DocumentVersion.objects.filter(pk=version.pk).update(
        created_at=uploaded_at,
        updated_at=published_at,
        processing_started_at=uploaded_at,
        heartbeat_at=published_at,
        processed_at=published_at,
    )
    return listing


def _sales_load(
    sales: list[SaleSpec], *, users: dict[str, User], listings: dict[str, Listing], result: DemoLoadResult
) -> None:
    buyer_ids = [users[key].pk for key in BUYERS]
    orders = {
        (line.order.buyer_id, line.listing_id): line.order
        for line in OrderLine.objects.filter(order__buyer_id__in=buyer_ids).select_related("order")
    }
    reviewed = set(Review.objects.filter(author_id__in=buyer_ids).values_list("author_id", "listing_id"))
    # One transaction for a few hundred small writes: SQLite syncs once instead of per order.
    with transaction.atomic():
        for sale in sales:
            buyer, listing = users[sale.buyer], listings[sale.listing.slug]
            order = orders.get((buyer.pk, listing.pk))
            if order is None:
                order = order_create(
                    buyer=buyer,
                    listings=[listing],
                    buyer_country=listing.course.programme.institution.country,
                )
                # Backdated like the payment below: the demo's orders happened in the past.
                Order.objects.filter(pk=order.pk).update(created_at=sale.paid_at - timedelta(minutes=4))
                result.orders_created += 1
            if order.status != OrderStatus.PAID:
                order_mark_paid(order_id=order.pk, paid_at=sale.paid_at, send_receipt=False)
            if sale.review and (buyer.pk, listing.pk) not in reviewed:
                review = sale.review
                review_create(
                    author=buyer,
                    order_line=order.lines.get(listing=listing),
                    rating=review.rating,
                    text=review.text,
                    created_at=review.created_at,
                )
                result.reviews_created += 1
