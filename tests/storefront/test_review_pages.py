"""A listing's reviews a page at a time: the listing page shows the newest REVIEWS_PER_PAGE and
"Meer beoordelingen", which htmx answers with the next page in place of the control and a
visitor without JavaScript follows to a page of its own (storefront.review_views). Bad page
numbers are a 404, the query count does not grow with the reviews, the pages go through the
public page cache, and the schema.org data stays bounded."""

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from studymarket.catalog.models import Listing
from studymarket.core.page_cache import public_pages_changed
from studymarket.reviews.models import Review
from studymarket.reviews.services import review_create
from studymarket.storefront.review_views import REVIEWS_PER_PAGE
from studymarket.storefront.seo import REVIEWS_IN_DATA
from tests.factories import ListingFactory, OrderLineFactory, UserFactory
from tests.purchases import purchase

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "reviews-more"}
STRUCTURED_DATA = re.compile(r'<script type="application/ld\+json" id="structured-data">(.*?)</script>', re.S)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def reviews_of(listing: Listing, count: int, *, refunded: int = 0) -> list[Review]:
    """``count`` reviews of ``listing``, review 1 the oldest and ``count`` the newest (texts
    "Review 1" …), one a day; the first ``refunded`` of them on a refunded purchase. Written as
    rows with the listing's counters, as review_create leaves them: hundreds of purchases would
    make the test slow and prove nothing more."""
    now = timezone.now()
    reviews = []
    for number in range(1, count + 1):
        author = UserFactory(first_name=f"Koper{number}", last_name="Jansen")
        line = (
            OrderLineFactory(buyer=author, listing=listing, refunded_at=now) if number <= refunded else None
        )
        reviews.append(
            Review(
                listing=listing,
                author=author,
                order_line=line,
                rating=number % 5 + 1,
                text=f"Review {number}",
                created_at=now - timedelta(days=count - number),
            )
        )
    Review.objects.bulk_create(reviews)
    Listing.objects.filter(pk=listing.pk).update(
        review_count=count, rating_sum=sum(review.rating for review in reviews)
    )
    return reviews


def shown(html: str) -> list[int]:
    """The numbers of the reviews in ``html``, in their order."""
    return [int(number) for number in re.findall(r"<p>Review (\d+)</p>", html)]


def review_row_queries(queries: CaptureQueriesContext) -> list[str]:
    """The queries that read reviews themselves (the seller's reputation only counts them)."""
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "reviews_review"."id"')]


def reviews_url(listing: Listing, query: str = "") -> str:
    url = reverse("storefront:listing_reviews", kwargs={"pk": listing.pk, "slug": listing.slug})
    return f"{url}?{query}" if query else url


def get(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- The listing page ------------------------------------------------------------------------


def test_the_listing_page_shows_the_newest_reviews_and_a_control_for_more(client):
    listing = ListingFactory()
    reviews_of(listing, 25)

    html = get(client, listing.get_absolute_url())

    assert shown(html) == list(range(25, 25 - REVIEWS_PER_PAGE, -1))  # 25 … 16, newest first
    url = reviews_url(listing, "pagina=2")
    assert (
        f'<p class="reviews-more" id="reviews-more"><a href="{url}" data-hx-get="{url}" '
        'data-hx-target="#reviews-more" data-hx-swap="outerHTML" data-hx-sync="this:drop" '
        'role="button" class="outline" rel="next">Meer beoordelingen</a></p>'
    ) in html
    assert "(25 reviews)" in html  # the rating summary counts them all
    assert "autofocus" not in html  # only reviews that htmx brings in take the focus


@pytest.mark.parametrize("count", [1, REVIEWS_PER_PAGE])
def test_no_control_when_every_review_is_shown(client, count):
    listing = ListingFactory()
    reviews_of(listing, count)

    html = get(client, listing.get_absolute_url())

    assert len(shown(html)) == count
    assert "reviews-more" not in html
    assert "Meer beoordelingen" not in html


def test_a_listing_without_reviews_says_so(client):
    html = get(client, ListingFactory().get_absolute_url())

    assert "Nog geen reviews. Alleen kopers kunnen een review schrijven." in html
    assert 'id="review-list"' not in html


def test_the_listing_page_costs_the_same_queries_for_one_review_or_many(client):
    few, many = ListingFactory(), ListingFactory()
    reviews_of(few, 1, refunded=1)
    reviews_of(many, 40, refunded=3)  # a refunded purchase's order line is read with its review
    counts = []
    for listing in (few, many):
        get(client, listing.get_absolute_url())  # warm: the first visit of the process loads more
        with CaptureQueriesContext(connection) as queries:
            html = get(client, listing.get_absolute_url())
        counts.append(len(queries))
        review_queries = review_row_queries(queries)
        assert len(review_queries) == 1, review_queries  # the page of reviews, nothing per review
        assert "LIMIT 11" in review_queries[0]  # never every review of the listing
    assert counts[0] == counts[1]
    assert html.count("Terugbetaald") == 0  # the refunded ones are the oldest three, not shown


# --- The next pages: htmx and without JavaScript ---------------------------------------------


def test_htmx_gets_the_next_page_and_the_control_for_the_one_after(client):
    listing = ListingFactory()
    reviews_of(listing, 25)

    html = get(client, reviews_url(listing, "pagina=2"), **HTMX)

    assert shown(html) == list(range(15, 5, -1))  # 15 … 6
    assert "<html" not in html
    assert "<title>" not in html
    # The first new review takes the focus (the clicked control is gone); only that one.
    assert html.count("autofocus") == 1
    assert re.search(r'<article class="review" tabindex="-1" autofocus>\s*<header>', html)
    assert html.index("autofocus") < html.index("<p>Review 15</p>")
    url = reviews_url(listing, "pagina=3")
    assert f'<p class="reviews-more" id="reviews-more"><a href="{url}" data-hx-get="{url}"' in html

    last = get(client, reviews_url(listing, "pagina=3"), **HTMX)
    assert shown(last) == [5, 4, 3, 2, 1]
    assert "reviews-more" not in last


def test_the_answer_varies_with_htmx(client):
    listing = ListingFactory()
    reviews_of(listing, 12)

    for headers in ({}, HTMX):
        response = client.get(reviews_url(listing, "pagina=2"), headers=headers)
        assert "HX-Request" in response["Vary"]


def test_without_javascript_the_control_is_a_page_of_reviews(client, settings):
    listing = ListingFactory(title="Account Management Samenvatting")
    reviews_of(listing, 25, refunded=1)

    html = get(client, reviews_url(listing, "pagina=2"))

    assert "<title>Reviews van Account Management Samenvatting (pagina 2) · studymarket</title>" in html
    assert '<meta name="robots" content="noindex, follow">' in html
    site = settings.SITE_URL.rstrip("/")
    assert f'<link rel="canonical" href="{site}{reviews_url(listing, "pagina=2")}">' in html
    assert shown(html) == list(range(15, 5, -1))
    assert "autofocus" not in html
    assert f'<a href="{reviews_url(listing, "pagina=3")}"' in html
    assert f'<a href="{reviews_url(listing)}" rel="prev">‹ Vorige</a>' in html  # page 1 has no number
    assert f'<a href="{listing.get_absolute_url()}#reviews">Terug naar het document</a>' in html
    assert "(25 reviews)" in html

    last = get(client, reviews_url(listing, "pagina=3"))
    assert shown(last) == [5, 4, 3, 2, 1]
    assert "Meer beoordelingen" not in last
    assert last.count("Terugbetaald") == 1  # review 1, on the refunded purchase
    assert f'<a href="{reviews_url(listing, "pagina=2")}" rel="prev">‹ Vorige</a>' in last


def test_page_one_is_the_newest_reviews_and_may_be_empty(client):
    listing = ListingFactory(title="Statistiek")
    reviews_of(listing, 3)

    html = get(client, reviews_url(listing))
    assert "<title>Reviews van Statistiek · studymarket</title>" in html
    assert shown(html) == [3, 2, 1]
    assert 'rel="prev"' not in html

    empty = get(client, reviews_url(ListingFactory()))
    assert "Nog geen reviews. Alleen kopers kunnen een review schrijven." in empty
    assert get(client, reviews_url(ListingFactory()), **HTMX).strip() == ""


@pytest.mark.parametrize(
    "page", ["0", "-1", "abc", "", "02", "1.5", "2 ", "１", "9999999", "99999999999999999999999"]
)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_page_that_is_no_page_number_is_not_found(client, page, headers):
    listing = ListingFactory()
    reviews_of(listing, 12)

    assert client.get(reviews_url(listing), {"pagina": page}, headers=headers).status_code == 404


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_page_past_the_last_is_not_found(client, headers):
    listing = ListingFactory()
    reviews_of(listing, 20)  # two full pages

    assert client.get(reviews_url(listing, "pagina=2"), headers=headers).status_code == 200
    assert client.get(reviews_url(listing, "pagina=3"), headers=headers).status_code == 404
    assert client.get(reviews_url(listing, "pagina=999999"), headers=headers).status_code == 404
    assert client.get(reviews_url(ListingFactory(), "pagina=2"), headers=headers).status_code == 404


def test_an_old_title_redirects_to_the_reviews_at_the_new_address(client):
    listing = ListingFactory(slug="statistiek-samenvatting")
    reviews_of(listing, 12)
    old = reverse("storefront:listing_reviews", kwargs={"pk": listing.pk, "slug": "oude-titel"})

    response = client.get(f"{old}?pagina=2")

    assert response.status_code == 301
    assert response["Location"] == reviews_url(listing, "pagina=2")


@pytest.mark.parametrize("status", ["draft", "unpublished", "taken_down"])
def test_no_reviews_of_a_listing_not_on_sale(client, status):
    listing = ListingFactory(status=status)
    reviews_of(listing, 3)

    assert client.get(reviews_url(listing)).status_code == 404


def test_the_next_pages_cost_two_queries_however_many_reviews(client, django_assert_max_num_queries):
    listing = ListingFactory()
    reviews_of(listing, 60, refunded=5)
    get(client, reviews_url(listing, "pagina=2"))  # warm

    with django_assert_max_num_queries(2):  # the listing, and one page of reviews with their authors
        html = get(client, reviews_url(listing, "pagina=6"), **HTMX)
    assert html.count("Terugbetaald") == 5
    with django_assert_max_num_queries(2):
        get(client, reviews_url(listing, "pagina=5"), **HTMX)


def test_in_english(client):
    listing = ListingFactory()
    reviews_of(listing, 12)

    url = f"/en{reviews_url(listing, 'pagina=2')}"

    html = get(client, f"/en{listing.get_absolute_url()}")

    assert f'<a href="{url}" data-hx-get="{url}"' in html
    assert ">More reviews</a>" in html
    assert "<title>Reviews of " in get(client, url)


# --- The page cache and the schema.org data --------------------------------------------------


def test_the_pages_are_cached_and_a_new_generation_shows_a_new_review(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    listing = ListingFactory()
    reviews_of(listing, 12)
    pages = {
        "listing": (listing.get_absolute_url(), {}),
        "reviews": (reviews_url(listing, "pagina=2"), {}),
        "fragment": (reviews_url(listing, "pagina=2"), HTMX),
    }
    first = {name: get(Client(), url, **headers) for name, (url, headers) in pages.items()}

    for name, (url, headers) in pages.items():
        with CaptureQueriesContext(connection) as queries:
            again = get(Client(), url, **headers)
        assert shown(again) == shown(first[name]), name  # the fragment is stored apart
        assert not review_row_queries(queries), name
    assert "<html" not in first["fragment"]
    assert "<html" in first["reviews"]

    # Reviews may show up to a minute late, as they always could; whatever starts a new
    # generation shows the newest on every page at once.
    buyer = UserFactory(first_name="Nieuwe", last_name="Koper")
    review_create(author=buyer, order_line=purchase(buyer=buyer, listing=listing), rating=5, text="Review 13")
    public_pages_changed()
    assert shown(get(Client(), listing.get_absolute_url()))[0] == 13
    assert shown(get(Client(), reviews_url(listing, "pagina=2"), **HTMX)) == [3, 2, 1]


def test_a_page_with_an_unknown_parameter_is_not_stored(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    listing = ListingFactory()
    reviews_of(listing, 12)
    url = reviews_url(listing, "pagina=2&utm_source=x")
    get(Client(), url)

    with CaptureQueriesContext(connection) as queries:
        get(Client(), url)
    assert review_row_queries(queries)


def test_the_structured_data_names_a_few_of_the_newest_reviews_and_counts_them_all(client):
    listing = ListingFactory()
    reviews_of(listing, 30)

    html = get(client, listing.get_absolute_url())

    found = STRUCTURED_DATA.search(html)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["aggregateRating"]["reviewCount"] == 30
    assert [review["reviewBody"] for review in data["review"]] == [
        f"Review {number}" for number in range(30, 30 - REVIEWS_IN_DATA, -1)
    ]
    assert REVIEWS_IN_DATA <= REVIEWS_PER_PAGE  # never a review the page does not show
