"""Open Graph and Twitter card tags on listing, course and seller pages, and the product cards'
thumbnails of the first page (issue 16)."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studymarket.catalog.models import Listing
from studymarket.documents.models import DocumentPage
from tests.factories import CourseFactory, ListingFactory, SellerFactory

pytestmark = pytest.mark.django_db

SITE = settings.SITE_URL.rstrip("/")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, list[str]] = {}
        self.images: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        key = values.get("property") or values.get("name") or ""
        if tag == "meta" and key.startswith(("og:", "twitter:", "product:")):
            self.tags.setdefault(key, []).append(values["content"])
        if tag == "img":
            self.images.append(values)


def _page(client, path: str) -> _Tags:
    response = client.get(path)
    assert response.status_code == 200, path
    parsed = _Tags()
    parsed.feed(response.content.decode())
    return parsed


def _first_page(listing: Listing) -> DocumentPage:
    return DocumentPage.objects.get(version__document=listing.document, number=1)


def _with_images(listing: Listing) -> Listing:
    """Give page 1 of the listing's document a preview image and a clear thumbnail."""
    page = _first_page(listing)
    page.preview_image.save("preview-1.webp", ContentFile(b"RIFF"), save=False)
    page.thumbnail.save("thumbnail-1.webp", ContentFile(b"RIFF"), save=False)
    page.preview_width, page.preview_height = 1000, 1414
    page.save()
    return listing


def test_listing_page_tags(client):
    listing = _with_images(
        ListingFactory(title="Account Management", description="Alle hoofdstukken.", price_cents=949)
    )
    page = _first_page(listing)

    tags = _page(client, listing.get_absolute_url()).tags

    url = f"{SITE}{listing.get_absolute_url()}"
    assert tags == {
        "og:site_name": ["studymarket"],
        "og:type": ["product"],
        "og:title": ["Account Management"],
        "og:description": ["Alle hoofdstukken."],
        "og:url": [url],
        "og:locale": ["nl_NL"],
        "og:locale:alternate": ["en_GB"],
        "og:image": [f"{SITE}{page.preview_image.url}"],
        "og:image:width": ["1000"],
        "og:image:height": ["1414"],
        "og:image:alt": ["Pagina 1 van Account Management"],
        "product:price:amount": ["9.49"],
        "product:price:currency": ["EUR"],
        "twitter:card": ["summary_large_image"],
        "twitter:title": ["Account Management"],
        "twitter:description": ["Alle hoofdstukken."],
        "twitter:image": [f"{SITE}{page.preview_image.url}"],
    }
    english = _page(client, "/en" + listing.get_absolute_url()).tags
    assert (english["og:locale"], english["og:locale:alternate"]) == (["en_GB"], ["nl_NL"])


def test_without_a_picture_a_small_card_and_a_long_description_cut_after_a_word(client):
    listing = ListingFactory(description="Een heel lange beschrijving " * 20)

    tags = _page(client, listing.get_absolute_url()).tags

    assert "og:image" not in tags
    assert tags["twitter:card"] == ["summary"]
    (description,) = tags["og:description"]
    assert len(description) <= 200
    assert description.endswith("beschrijving…")


def test_course_and_seller_pages_show_their_first_document(client):
    seller = SellerFactory(display_name="SamenvattingenSanne")
    listing = _with_images(ListingFactory(seller=seller, course=CourseFactory(name="Marketing")))
    image = f"{SITE}{_first_page(listing).preview_image.url}"

    course = _page(client, listing.course.get_absolute_url()).tags
    assert course["og:url"] == [f"{SITE}{listing.course.get_absolute_url()}"]
    assert course["og:title"][0].startswith("Marketing · ")
    assert course["og:type"] == ["website"]
    assert course["og:image"] == [image]

    profile = _page(client, seller.get_absolute_url()).tags
    assert profile["og:url"] == [f"{SITE}{seller.get_absolute_url()}"]
    assert profile["og:title"] == ["SamenvattingenSanne"]
    assert profile["og:type"] == ["profile"]
    assert profile["og:image"] == [image]
    assert profile["twitter:card"] == ["summary_large_image"]


@pytest.mark.parametrize("where", ["home", "course", "seller"])
def test_cards_show_the_first_page_without_a_query_per_card(client, where):
    seller = SellerFactory()
    course = CourseFactory()
    first = _with_images(ListingFactory(seller=seller, course=course, title="Met plaatje"))
    path = {"home": "/", "course": course.get_absolute_url(), "seller": seller.get_absolute_url()}[where]

    with CaptureQueriesContext(connection) as one:
        images = [img for img in _page(client, path).images if "thumbnail" in img.get("src", "")]
    assert images == [
        {
            "src": _first_page(first).thumbnail.url,
            "width": "180",
            "height": "255",  # 180 × 1414 / 1000, the first page's proportions
            "alt": "Eerste pagina van Met plaatje",
            "decoding": "async",
        }
    ]

    for _ in range(6):
        _with_images(ListingFactory(seller=seller, course=course))
    cache.clear()
    with CaptureQueriesContext(connection) as seven:
        images = [img for img in _page(client, path).images if "thumbnail" in img.get("src", "")]
    assert len(images) == 7
    assert [img.get("loading") for img in images] == [None] * 4 + ["lazy"] * 3
    assert len(seven) == len(one)


def test_a_blurred_first_page_is_never_shown_on_a_card(client):
    listing = _with_images(ListingFactory(title="Vervaagd"))
    DocumentPage.objects.filter(version=listing.document.current_version, number=1).update(
        thumbnail_blurred=True
    )

    assert not [img for img in _page(client, "/").images if "thumbnail" in img.get("src", "")]
