"""The demo data: loaded once for this module (it renders ~180 preview images), inside a
transaction that is rolled back at the end; each test runs in a savepoint within it."""

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count, Sum
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation
from PIL import Image

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.isbn import validate_isbn
from studymarket.catalog.models import Book, Course, Institution, Listing, Programme
from studymarket.core.formatting import money_display, time_ago
from studymarket.documents.models import Document, DocumentPage, DocumentVersion, TocEntry, VersionStatus
from studymarket.documents.originality import Verdict, originality_check
from studymarket.documents.pdf import pdf_open
from studymarket.orders.models import Order, OrderLine, OrderStatus
from studymarket.orders.selectors import sales_count_since
from studymarket.reviews.models import Review
from studymarket.storefront.demo import load
from studymarket.storefront.demo.listings import REFERENCE_JSON, reference_facts
from studymarket.storefront.demo.load import DemoLoadResult, demo_data_load
from studymarket.storefront.demo.pdf import FOOTER
from tests.demo.loading import DemoLoad
from tests.factories import DocumentFactory, DocumentVersionFactory

# One worker loads the demo for the whole module (run with `--dist loadgroup`).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_data")]

FACTS = reference_facts()["listing"]
TOC = reference_facts()["table_of_contents"]


@pytest.fixture
def loaded(demo_load: DemoLoad) -> DemoLoadResult:
    return demo_load.result


def _counts() -> dict[str, int]:
    models = (
        User,
        SellerProfile,
        Institution,
        Programme,
        Course,
        Book,
        Document,
        DocumentVersion,
        DocumentPage,
        TocEntry,
        Listing,
        Order,
        OrderLine,
        Review,
    )
    counts = {model.__name__: model.objects.count() for model in models}
    counters = Listing.objects.aggregate(
        Sum("view_count"), Sum("sold_count"), Sum("review_count"), Sum("rating_sum")
    )
    counts.update(counters)
    counts["previews"] = DocumentPage.objects.exclude(preview_image="").count()
    return counts


@pytest.fixture
def reference(loaded) -> Listing:
    return Listing.objects.select_related(
        "document__current_version", "course__programme__institution", "seller"
    ).get(title=FACTS["title"])


def _version(listing: Listing) -> DocumentVersion:
    version = listing.document.current_version
    assert version is not None
    return version


def test_first_load_creates_everything(loaded):
    assert loaded == DemoLoadResult(
        already_loaded=False, listings_created=56, orders_created=724, reviews_created=619
    )


def test_loading_again_changes_nothing(loaded, capsys):
    before = _counts()

    call_command("demo_data")

    assert "already loaded" in capsys.readouterr().out
    assert _counts() == before


def test_loading_again_without_the_shortcut_creates_nothing(loaded, monkeypatch):
    """The natural keys, not only the quick check, keep a second run from duplicating."""
    before = _counts()
    monkeypatch.setattr(load, "_complete", lambda sales: False)

    assert demo_data_load() == DemoLoadResult(already_loaded=False)
    assert _counts() == before


def test_reference_listing_facts(reference):
    version = _version(reference)
    assert reference.description == FACTS["description"]
    assert reference.price_cents == FACTS["price"]["amount_cents"]
    assert reference.language == FACTS["language"]
    assert reference.whole_book_summarized is FACTS["whole_book_summarized"]
    assert reference.academic_year == FACTS["academic_year"]
    assert version.page_count == FACTS["page_count"]
    assert reference.preview_page_count == FACTS["preview_page_count"]
    assert reference.view_count == FACTS["views"]
    assert reference.sold_count == FACTS["sold"]
    assert reference.book is None
    assert reference.course.name == FACTS["course"]
    assert reference.course.programme.institution.name == FACTS["institution"]
    assert (reference.course.programme.institution.country, reference.course.programme.institution.city) == (
        "BE",
        "Brussel",
    )
    assert reference.seller.display_name == FACTS["seller"]
    assert Listing.objects.filter(course=reference.course).count() == FACTS["documents_for_this_course"]
    assert timezone.localtime(reference.published_at).date() == date.fromisoformat(FACTS["uploaded_on"])
    with translation.override("nl"):
        assert reference.get_document_type_display() == FACTS["document_type"]
        assert money_display(reference.price) == FACTS["price"]["shown_as_nl"]
        assert (
            date_filter(timezone.localtime(reference.published_at), "j F Y") == FACTS["shown_upload_date_nl"]
        )


def test_reference_sales_are_three_paid_orders_by_three_buyers(reference):
    lines = OrderLine.objects.filter(listing=reference).select_related("order")
    assert lines.count() == FACTS["sold"]
    assert {line.order.status for line in lines} == {OrderStatus.PAID}
    assert len({line.order.buyer_id for line in lines}) == FACTS["sold"]
    assert {timezone.localtime(line.order.paid_at).year for line in lines} <= {2021, 2022}


def test_reference_review_by_demo_reviewer_who_bought_it(reference):
    (review,) = Review.objects.filter(listing=reference).select_related("author")
    (expected,) = FACTS["reviews"]
    assert review.author.display_name == expected["author"]
    assert review.rating == 5  # the source shows no value: the demo's choice
    assert review.text
    assert OrderLine.objects.filter(
        listing=reference, order__buyer=review.author, order__status=OrderStatus.PAID
    ).exists()
    with translation.override("nl"):
        assert time_ago(review.created_at) == expected["written"]
    assert (reference.review_count, reference.rating_sum) == (1, 5)


def test_reference_toc_rows(reference):
    entries = TocEntry.objects.filter(version=reference.document.current_version).order_by("position")
    assert [entry.title for entry in entries] == TOC
    assert [entry.level for entry in entries if entry.title.startswith(("Inleiding", "Hoofdstuk"))] == [1] * 6
    assert {entry.level for entry in entries if entry.title[:4] in ("2.3.", "4.2.")} == {3}
    assert entries.get(title="4.1 Selectie van (key) accounts").level == 2


def test_reference_pdf_has_102_pages_and_the_outline(reference):
    version = _version(reference)
    with version.file.open("rb") as handle, pdf_open(handle) as pdf:
        assert pdf.page_count == 102
        outline = pdf.outline()
        title_page = pdf.page_text(1)
    assert [item.title for item in outline] == TOC
    levels = {item.title: item.level for item in outline}
    assert (levels["Inleiding"], levels["Hoofdstuk 4: Geïntegreerde accountplanning"]) == (1, 1)
    assert (
        levels["4.5 Het segmenteren van de leveranciersportfolio: de Kraljic-matrix"],
        levels["2.3.1 De klantenpiramide"],
    ) == (2, 3)
    pages = [item.page or 0 for item in outline]
    assert pages == sorted(pages)
    assert pages[0] > 2  # after the title and contents pages
    assert FACTS["title"] in title_page.replace("\n", " ")


def test_reference_body_text_is_demo_content_and_searchable(reference):
    version = _version(reference)
    pages = DocumentPage.objects.filter(version=version)
    assert pages.count() == 102
    assert all(FOOTER in text for text in pages.values_list("text", flat=True))
    section = TocEntry.objects.get(version=version, title__startswith="4.5 ")
    assert section.page_number is not None
    assert "Kraljic-matrix" in pages.get(number=section.page_number).text.split("4.5 Het segmenteren", 1)[1]


def test_reference_previews_are_pages_1_to_10_only(reference):
    pages = DocumentPage.objects.filter(version=_version(reference)).exclude(preview_image="")
    assert list(pages.values_list("number", flat=True)) == list(range(1, 11))
    for page in pages:
        with page.preview_image.open("rb") as stored:
            image = Image.open(io.BytesIO(stored.read()))
        assert (image.format, image.size) == ("WEBP", (settings.PREVIEW_IMAGE_WIDTH, page.preview_height))


def test_every_listing_has_a_pdf_with_its_page_count_and_previews(loaded):
    for listing in Listing.objects.select_related("document__current_version"):
        version = _version(listing)
        with version.file.open("rb") as handle, pdf_open(handle) as pdf:
            assert pdf.page_count == version.page_count, listing.title
            assert pdf.outline(), listing.title
        assert version.pages.count() == version.page_count
        previews = version.pages.exclude(preview_image="").values_list("number", flat=True)
        assert list(previews) == list(range(1, listing.preview_page_count + 1)), listing.title
        assert listing.preview_page_count < version.page_count or version.page_count == 1


def test_catalogue_is_varied(loaded):
    others = Listing.objects.exclude(title=FACTS["title"]).select_related("document__current_version")
    assert others.count() >= 50
    assert {_version(listing).page_count for listing in others} <= set(range(3, 61))
    assert {listing.price_cents for listing in others} <= set(range(299, 1500))
    assert {listing.language for listing in others} == {"nl", "en"}
    assert len({listing.document_type for listing in others}) >= 5
    assert len({listing.academic_year for listing in others}) >= 4
    countries = Institution.objects.annotate(n=Count("programmes__courses__listings")).filter(n__gt=0)
    assert {institution.country for institution in countries} == {"NL", "BE"}
    assert countries.count() >= 8
    assert SellerProfile.objects.count() >= 5
    assert others.exclude(book=None).count() >= 5
    for isbn in Book.objects.values_list("isbn13", flat=True):
        validate_isbn(isbn or "")
    assert len(set(Review.objects.values_list("rating", flat=True))) >= 3


def test_some_sales_are_recent(loaded):
    assert sales_count_since(days=30) > 0
    assert Order.objects.filter(status=OrderStatus.PAID).count() == OrderLine.objects.count()
    assert Listing.objects.aggregate(Sum("sold_count"))["sold_count__sum"] == OrderLine.objects.count()


def test_demo_copy_of_reference_listing_matches_the_shared_one() -> None:
    """The demo ships its own copy (a fresh clone has no ../shared); it must not drift."""
    shared = Path(__file__).resolve().parents[3] / "shared" / "reference-listing.json"
    if not shared.exists():
        pytest.skip("no ../shared/ beside this checkout")
    ours = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))
    assert ours == json.loads(shared.read_text(encoding="utf-8"))


def test_demo_versions_are_fingerprinted_so_a_copy_is_refused(reference):
    """Issue 12, finding 9: the demo load fingerprints the versions it read itself."""
    assert not DocumentVersion.objects.filter(text_sha256="").exists()
    original = _version(reference)
    assert original.fingerprint_bands.exists()
    # Another seller's upload with the same text (a buyer's copy is another file, same text).
    copy = DocumentVersionFactory(document=DocumentFactory(), status=VersionStatus.PROCESSING)
    DocumentPage.objects.bulk_create(
        DocumentPage(version=copy, number=page.number, text=page.text) for page in original.pages.all()
    )
    assert originality_check(version=copy).verdict == Verdict.EXACT
