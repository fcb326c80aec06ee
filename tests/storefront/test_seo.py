"""For search engines: one address per page (slugs, 301s, canonical links, hreflang), meta
descriptions, /sitemap.xml, /robots.txt and schema.org data on listing pages."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from studymarket.catalog.models import Book, Listing, ListingStatus
from studymarket.documents.models import DocumentPage
from studymarket.reviews.services import review_create
from studymarket.storefront import sitemaps
from studymarket.storefront.demo.listings import reference_facts
from studymarket.storefront.seo import json_ld
from tests.factories import (
    CourseFactory,
    InstitutionFactory,
    ListingFactory,
    ProgrammeFactory,
    SellerFactory,
    UserFactory,
    document_with_pages,
)
from tests.purchases import purchase

pytestmark = pytest.mark.django_db

SITE = settings.SITE_URL.rstrip("/")
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
FACTS = reference_facts()["listing"]


class _Head(HTMLParser):
    """The <meta>, <link> and JSON-LD <script> elements of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content", "")
        elif tag == "link":
            self.links.append(values)
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld[-1] += data

    def canonical(self) -> str:
        (link,) = [link for link in self.links if link.get("rel") == "canonical"]
        return link["href"]

    def alternates(self) -> dict[str, str]:
        return {link["hreflang"]: link["href"] for link in self.links if link.get("rel") == "alternate"}


def _head(client, path: str) -> _Head:
    response = client.get(path)
    assert response.status_code == 200, path
    head = _Head()
    head.feed(response.content.decode())
    return head


def _reference_listing() -> Listing:
    """The reference listing's facts (../shared/reference-listing.json) on a factory listing."""
    seller = SellerFactory(display_name=FACTS["seller"])
    course = CourseFactory(
        name=FACTS["course"],
        programme=ProgrammeFactory(institution=InstitutionFactory(name=FACTS["institution"], slug="odisee")),
    )
    listing: Listing = ListingFactory(
        seller=seller,
        course=course,
        document=document_with_pages(seller=seller, page_count=FACTS["page_count"]),
        title=FACTS["title"],
        slug="account-management-samenvatting-odisee",
        description=FACTS["description"],
        price_cents=FACTS["price"]["amount_cents"],
        preview_page_count=FACTS["preview_page_count"],
        academic_year=FACTS["academic_year"],
        whole_book_summarized=FACTS["whole_book_summarized"],
        published_at=datetime(2021, 7, 30, 12, tzinfo=ZoneInfo("Europe/Amsterdam")),
    )
    return listing


# --- Addresses ---------------------------------------------------------------------------------


def test_an_old_slug_redirects_permanently_keeping_language_and_query(client):
    listing = ListingFactory(title="Nieuwe titel", slug="nieuwe-titel")

    dutch = client.get(f"/document/{listing.pk}/oude-titel/?utm_source=mail")
    english = client.get(f"/en/document/{listing.pk}/oude-titel/")

    assert dutch.status_code == english.status_code == 301
    assert dutch["Location"] == f"/document/{listing.pk}/nieuwe-titel/?utm_source=mail"
    assert english["Location"] == f"/en/document/{listing.pk}/nieuwe-titel/"


def test_unknown_or_unpublished_listing_is_404_whatever_the_slug(client):
    draft = ListingFactory(status=ListingStatus.DRAFT)

    assert client.get(f"/document/{draft.pk}/iets/").status_code == 404
    assert client.get("/document/987654/iets/").status_code == 404


def test_listing_canonical_link_drops_the_query_and_alternates_name_both_languages(client):
    listing = ListingFactory()
    path = listing.get_absolute_url()

    head = _head(client, f"{path}?utm_source=nieuwsbrief&pagina=2")

    assert head.canonical() == f"{SITE}{path}"
    assert head.alternates() == {
        "nl": f"{SITE}{path}",
        "en": f"{SITE}/en{path}",
        "x-default": f"{SITE}{path}",
    }
    assert _head(client, f"/en{path}").canonical() == f"{SITE}/en{path}"


def test_other_pages_are_canonical_on_their_path_with_the_page_number_only(client):
    listing = ListingFactory()
    course = listing.course.get_absolute_url()

    assert _head(client, f"{course}?sortering=nieuwste").canonical() == f"{SITE}{course}"
    assert _head(client, f"{course}?pagina=1").canonical() == f"{SITE}{course}"
    assert _head(client, "/").canonical() == f"{SITE}/"
    assert _head(client, "/en/").alternates()["nl"] == f"{SITE}/"


# --- Meta descriptions ---------------------------------------------------------------------------


def test_meta_descriptions_describe_each_kind_of_page(client):
    listing = _reference_listing()
    course = listing.course
    institution = course.programme.institution
    pages = {
        listing.get_absolute_url(): FACTS["description"],
        course.get_absolute_url(): FACTS["course"],
        institution.get_absolute_url(): FACTS["institution"],
        listing.seller.get_absolute_url(): FACTS["seller"],
        reverse("search:search"): "Zoek samenvattingen",
    }
    default = _head(client, reverse("accounts:login")).meta["description"]
    for path, expected in pages.items():
        description = _head(client, path).meta["description"]
        assert expected in description, path
        assert description != default, path
        assert 50 <= len(description) <= 160 or description == FACTS["description"], path


def test_a_long_listing_description_is_cut_for_the_meta_description(client):
    listing = ListingFactory(description="Alle hoofdstukken " * 40)

    description = _head(client, listing.get_absolute_url()).meta["description"]

    assert len(description) == 155
    assert description.endswith("…")


# --- Structured data -------------------------------------------------------------------------------


def test_listing_json_ld_matches_the_reference_listing(client):
    listing = _reference_listing()
    reviewer = UserFactory(email="demo-reviewer@example.test")
    review_create(author=reviewer, order_line=purchase(buyer=reviewer, listing=listing), rating=4, text="Top")
    url = f"{SITE}{listing.get_absolute_url()}"

    (text,) = _head(client, listing.get_absolute_url()).json_ld

    assert json.loads(text) == {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "Account Management Samenvatting Odisee",
        "description": FACTS["description"],
        "sku": str(listing.pk),
        "url": url,
        "category": FACTS["document_type"],
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": "9.49",
            "priceCurrency": FACTS["price"]["currency"],
            "availability": "https://schema.org/InStock",
            "seller": {"@type": "Person", "name": FACTS["seller"]},
        },
        "aggregateRating": {
            "@type": "AggregateRating",
            "ratingValue": "4.0",
            "reviewCount": len(FACTS["reviews"]),
            "bestRating": 5,
            "worstRating": 1,
        },
        # The reviewer by first name and initial, as the page shows them (issue 16, defect 10).
        "review": [
            {
                "@type": "Review",
                "author": {"@type": "Person", "name": FACTS["reviews"][0]["author"]},
                "datePublished": reviewer.reviews.get().created_at.date().isoformat(),
                "reviewRating": {"@type": "Rating", "ratingValue": 4, "bestRating": 5, "worstRating": 1},
                "reviewBody": "Top",
            }
        ],
    }


def test_no_rating_without_reviews_and_an_average_rounded_half_up(client):
    listing = ListingFactory(price_cents=1000)
    data = json.loads(_head(client, listing.get_absolute_url()).json_ld[0])
    assert "aggregateRating" not in data
    assert data["offers"]["price"] == "10.00"

    for rating in (5, 4):
        buyer = UserFactory()
        review_create(author=buyer, order_line=purchase(buyer=buyer, listing=listing), rating=rating, text="")

    data = json.loads(_head(client, listing.get_absolute_url()).json_ld[0])
    assert data["aggregateRating"]["ratingValue"] == "4.5"
    assert data["aggregateRating"]["reviewCount"] == 2


def test_json_ld_cannot_be_broken_out_of(client):
    title = 'Samenvatting </script><script>alert("x")</script> & <!-- co'
    listing = ListingFactory(title=title, description="</SCRIPT>beschrijving")

    html = client.get(listing.get_absolute_url()).content.decode()

    script = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert script
    assert "<" not in script.group(1)
    data = json.loads(script.group(1))
    assert data["name"] == title
    assert data["description"] == "</SCRIPT>beschrijving"
    assert json_ld({"a": "</script>&"}) == '{"a":"\\u003C/script\\u003E\\u0026"}'


def test_json_ld_names_the_preview_images(client, settings):
    listing = ListingFactory()
    DocumentPage.objects.filter(version=listing.document.current_version, number__lte=2).update(
        preview_image="previews/p1.webp"
    )

    data = json.loads(_head(client, listing.get_absolute_url()).json_ld[0])

    assert len(data["image"]) == 2
    assert all(image.startswith(f"{SITE}/") and image.endswith("p1.webp") for image in data["image"])


# --- Sitemap -------------------------------------------------------------------------------------


def _sitemap_locations(client, path: str) -> list[tuple[str, dict[str, str]]]:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    return [
        (
            url.findtext(f"{SM}loc") or "",
            {link.get("hreflang") or "": link.get("href") or "" for link in url.findall(f"{XHTML}link")},
        )
        for url in root.findall(f"{SM}url")
    ]


def _index(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"
    root = ET.fromstring(response.content)
    return [entry.findtext(f"{SM}loc") or "" for entry in root.findall(f"{SM}sitemap")]


def test_sitemap_lists_every_public_page_in_both_languages(client, django_assert_max_num_queries):
    book = Book.objects.create(title="Account management", isbn13="9789043036115")
    listing = ListingFactory(book=book)
    draft = ListingFactory(status=ListingStatus.DRAFT, book=Book.objects.create(title="Zonder", isbn13=None))
    CourseFactory()  # nothing on sale: no page worth crawling
    course, programme = listing.course, listing.course.programme
    institution = programme.institution

    index = _index(client)

    assert index == [
        f"{SITE}/sitemap-{section}.xml"
        for section in ("documenten", "instellingen", "opleidingen", "vakken", "verkopers", "boeken")
    ]
    expected = {
        "documenten": listing.get_absolute_url(),
        "instellingen": institution.get_absolute_url(),
        "opleidingen": programme.get_absolute_url(),
        "vakken": course.get_absolute_url(),
        "verkopers": listing.seller.get_absolute_url(),
        "boeken": "/boek/9789043036115/",
    }
    for section, path in expected.items():
        alternates = {"nl": f"{SITE}{path}", "en": f"{SITE}/en{path}", "x-default": f"{SITE}{path}"}
        with django_assert_max_num_queries(2):  # a count and one page of rows, nothing per row
            locations = _sitemap_locations(client, f"/sitemap-{section}.xml")
        assert locations == [
            (f"{SITE}{path}", alternates),
            (f"{SITE}/en{path}", alternates),
        ], section
    assert draft.get_absolute_url() not in client.get("/sitemap-documenten.xml").content.decode()


def test_sitemap_leaves_out_empty_sections_and_unknown_ones_are_404(client):
    ListingFactory()

    assert f"{SITE}/sitemap-boeken.xml" not in _index(client)
    assert client.get("/sitemap-gebruikers.xml").status_code == 404
    assert client.get("/sitemap-documenten.xml?p=2").status_code == 404


def test_sitemap_pages_cut_the_query_not_the_whole_table(client, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(sitemaps.ListingSitemap, "limit", 3)  # 3 addresses a page: pages split a listing
    listings = sorted(ListingFactory.create_batch(4), key=lambda listing: listing.pk)
    every = [(f"{SITE}{lang}{listing.get_absolute_url()}") for listing in listings for lang in ("", "/en")]

    assert [loc for loc in _index(client) if "documenten" in loc] == [
        f"{SITE}/sitemap-documenten.xml",
        f"{SITE}/sitemap-documenten.xml?p=2",
        f"{SITE}/sitemap-documenten.xml?p=3",
    ]
    pages = []
    for page in (1, 2, 3):
        with django_assert_max_num_queries(2):  # a count and one slice of rows
            pages.append(
                [loc for loc, _alternates in _sitemap_locations(client, f"/sitemap-documenten.xml?p={page}")]
            )
    assert pages == [every[0:3], every[3:6], every[6:8]]


def test_sitemap_uses_the_site_address_not_the_host_header(client, settings):
    settings.ALLOWED_HOSTS = ["*"]  # a proxy that passes any Host header on
    listing = ListingFactory()

    body = client.get("/sitemap-documenten.xml", HTTP_HOST="evil.example").content.decode()
    index = client.get("/sitemap.xml", HTTP_HOST="evil.example").content.decode()

    assert f"{SITE}{listing.get_absolute_url()}" in body
    assert "evil.example" not in body + index


# --- robots.txt ----------------------------------------------------------------------------------


def _robots(client) -> RobotFileParser:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    parser = RobotFileParser()
    parser.parse(response.content.decode().splitlines())
    return parser


def test_robots_allows_the_public_pages_and_names_the_sitemap(client):
    listing = ListingFactory(book=Book.objects.create(title="Boek", isbn13="9789043036115"))
    robots = _robots(client)

    public = [
        "/",
        "/en/",
        listing.get_absolute_url(),
        "/en" + listing.get_absolute_url(),
        listing.course.get_absolute_url(),
        listing.course.programme.get_absolute_url(),
        listing.course.programme.institution.get_absolute_url(),
        listing.seller.get_absolute_url(),
        "/boek/9789043036115/",
        reverse("search:search") + "?q=account",
        "/sitemap.xml",
        "/media/previews/p1.webp",
        "/static/css/studymarket.css",
    ]
    for path in public:
        assert robots.can_fetch("Googlebot", f"{SITE}{path}"), path
    assert robots.site_maps() == [f"{SITE}/sitemap.xml"]


def test_robots_disallows_the_back_office_accounts_checkout_and_reading(client):
    listing = ListingFactory()
    robots = _robots(client)

    private = [
        "/beheer/",
        reverse("support:dashboard"),
        reverse("admin:index"),
        reverse("accounts:login"),
        "/en" + reverse("accounts:login"),
        reverse("checkout:cart"),
        reverse("checkout:checkout"),
        reverse("library:index"),
        reverse("library:read", kwargs={"document_id": listing.document_id}),
        reverse("library:download", kwargs={"document_id": listing.document_id}),
        "/en" + reverse("library:read", kwargs={"document_id": listing.document_id}),
        reverse("selling:sell_dashboard"),
        reverse("catalog:follow_seller", kwargs={"slug": listing.seller.slug}),
        reverse("search:autocomplete") + "?q=acc",
        "/webhooks/mollie/",
    ]
    for path in private:
        assert not robots.can_fetch("Googlebot", f"{SITE}{path}"), path
    assert urlsplit(reverse("library:read", kwargs={"document_id": 1})).path.startswith("/mijn-documenten/")
