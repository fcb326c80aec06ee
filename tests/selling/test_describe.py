"""The describe form: price, preview pages, course and book, and the listing it makes."""

from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from studymarket.catalog.models import Book, Institution, Listing, ListingStatus
from studymarket.documents.models import Document, DocumentVersion, VersionStatus
from studymarket.selling.forms import DescribeForm, academic_year_choices, price_cents_parse
from tests.factories import (
    CourseFactory,
    DocumentFactory,
    InstitutionFactory,
    ProgrammeFactory,
    SellerFactory,
)
from tests.logins import MODEL_BACKEND
from tests.pdfs import pdf_bytes
from tests.selling.drafts import describe_data
from tests.selling.test_upload import tasks_on_commit, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("9,49", 949),
        ("9.49", 949),
        ("€ 9,49", 949),
        ("€9,49", 949),
        (" 9,5 ", 950),
        ("12", 1200),
        ("9,-", 900),
    ],
)
def test_price_parsing(text, cents):
    assert price_cents_parse(text) == cents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "Vul een bedrag in euro's in, bijvoorbeeld 9,49."),
        ("9,499", "Vul een bedrag in euro's in, bijvoorbeeld 9,49."),
        ("1.000,00", "Vul een bedrag in euro's in, bijvoorbeeld 9,49."),
        ("-5", "Vul een bedrag in euro's in, bijvoorbeeld 9,49."),
        ("0,50", "De prijs is minimaal € 1,00."),
        ("200", "De prijs is maximaal € 100,00."),
        ("100,01", "De prijs is maximaal € 100,00."),
    ],
)
def test_price_refused_with_a_reason(text, message):
    with pytest.raises(ValidationError) as caught:
        price_cents_parse(text)
    assert caught.value.messages == [message]


def test_price_limits_accepted():
    assert (price_cents_parse("1,00"), price_cents_parse("100")) == (100, 10000)


@pytest.fixture
def seller_client(client):
    seller = SellerFactory()
    client.force_login(seller.user, backend=MODEL_BACKEND)
    client.seller = seller
    return client


@pytest.mark.parametrize(
    ("price", "line"),
    [
        ("9,49", "Koper betaalt € 9,49 — jij ontvangt € 6,27"),
        ("9.49", "Koper betaalt € 9,49 — jij ontvangt € 6,27"),
        ("€ 100", "Koper betaalt € 100,00 — jij ontvangt € 66,11"),
        ("1", "Koper betaalt € 1,00 — jij ontvangt € 0,66"),
    ],
)
def test_price_preview_line(seller_client, price, line):
    response = seller_client.get(
        reverse("selling:sell_price"), {"price": price}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response.content.decode() == line


def test_price_preview_explains_a_bad_price(seller_client):
    html = seller_client.get(reverse("selling:sell_price"), {"price": "0,50"}).content.decode()
    empty = seller_client.get(reverse("selling:sell_price"), {"price": ""}).content.decode()

    assert html == '<span class="price-error">De prijs is minimaal € 1,00.</span>'
    assert empty == '<span class="muted">Vul een prijs in om te zien wat je per verkoop ontvangt.</span>'


def test_academic_years_are_the_last_six():
    assert [year for year, _ in academic_year_choices(date(2026, 11, 29))] == [
        "2026/2027",
        "2025/2026",
        "2024/2025",
        "2023/2024",
        "2022/2023",
        "2021/2022",
    ]
    assert academic_year_choices(date(2027, 3, 1))[0] == ("2026/2027", "2026/2027")
    assert academic_year_choices(date(2027, 8, 1))[0] == ("2027/2028", "2027/2028")


@pytest.mark.parametrize(
    ("page_count", "default", "maximum"),
    [(1, 1, 1), (3, 1, 2), (4, 2, 3), (14, 2, 13), (15, 3, 14), (30, 3, 29), (31, 4, 30), (102, 4, 101)],
)
def test_preview_choice_limits(page_count, default, maximum):
    course = CourseFactory()
    form = DescribeForm(page_count=page_count)
    field = form.fields["preview_page_count"]
    assert isinstance(field, forms.IntegerField)

    assert (form.preview_default, field.max_value) == (default, maximum)
    assert DescribeForm(describe_data(course, preview_page_count=maximum), page_count=page_count).is_valid()
    too_many = DescribeForm(describe_data(course, preview_page_count=maximum + 1), page_count=page_count)
    assert not too_many.is_valid()
    pages = "voorbeeldpagina" if maximum == 1 else "voorbeeldpagina's"
    assert too_many.errors["preview_page_count"] == [
        f"Kies hoogstens {maximum} {pages}: nooit het hele document."
    ]
    none = DescribeForm(describe_data(course, preview_page_count=0), page_count=page_count)
    assert not none.is_valid()


def test_preview_choice_waits_for_the_page_count():
    form = DescribeForm(page_count=0)

    assert "preview_page_count" not in form.fields
    assert form.preview_rule == (
        "Standaard aantal voorbeeldpagina's: vanaf 31 pagina's 4, vanaf 15 pagina's 3, "
        "vanaf 4 pagina's 2, vanaf 1 pagina 1."
    )


def _processed_document(client, page_count=12):
    """A document uploaded and processed (inline), not described yet."""
    upload(client, pdf_bytes(pages=page_count))
    return Document.objects.filter(seller=client.seller).latest("pk")


def test_describe_form_creates_the_listing_and_publishes_it(seller_client):
    course = CourseFactory(name="Marketing")
    upload(seller_client, pdf_bytes(pages=12))
    document = Document.objects.get()
    url = reverse("selling:sell_document", kwargs={"pk": document.pk})

    page = seller_client.get(url).content.decode()
    assert "Je document is verwerkt: 12 pagina's." in page
    assert 'name="preview_page_count" value="2"' in page  # the default for 12 pages

    with tasks_on_commit():
        response = seller_client.post(
            url, describe_data(course, preview_page_count="3", whole_book_summarized="on")
        )

    assert response.status_code == 302
    assert response["Location"] == url
    listing = Listing.objects.get(document=document)
    assert (listing.title, listing.slug, listing.course, listing.price_cents, listing.preview_page_count) == (
        "Samenvatting Marketing",
        "samenvatting-marketing",
        course,
        949,
        3,
    )
    assert (listing.academic_year, listing.whole_book_summarized, listing.book) == ("2025/2026", True, None)
    # The finalize task ran: the document had a published version, so the listing is public.
    assert listing.status == ListingStatus.PUBLISHED
    page = seller_client.get(url).content.decode()
    assert "Je document is verwerkt en staat online." in page
    assert f'<a href="{listing.get_absolute_url()}">Bekijk het in de winkel</a>' in page
    assert "Jij ontvangt <strong>€ 6,27</strong> per verkoop (de koper betaalt € 9,49)." in page


def test_describing_before_processing_keeps_the_listing_a_draft(seller_client):
    course = CourseFactory()
    document = DocumentFactory(seller=seller_client.seller)
    DocumentVersion.objects.create(
        document=document,
        number=1,
        file="x.pdf",
        original_name="Marketing.pdf",
        sha256="a" * 64,
        size_bytes=9,
    )
    url = reverse("selling:sell_document", kwargs={"pk": document.pk})

    page = seller_client.get(url).content.decode()
    assert 'value="Marketing"' in page  # the title starts as the file's name
    assert "Bezig met verwerken…" in page
    assert 'data-hx-trigger="every 1s"' in page
    assert 'name="preview_page_count"' not in page
    with tasks_on_commit():
        seller_client.post(url, describe_data(course))

    listing = Listing.objects.get(document=document)
    assert (listing.status, listing.preview_page_count) == (ListingStatus.DRAFT, 1)


def test_status_partial_counts_pages_and_stops_polling_when_done(seller_client):
    document = DocumentFactory(seller=seller_client.seller)
    version = DocumentVersion.objects.create(
        document=document,
        number=1,
        file="x.pdf",
        original_name="x.pdf",
        sha256="b" * 64,
        size_bytes=9,
        status=VersionStatus.PROCESSING,
        page_count=102,
        pages_processed=37,
    )
    url = reverse("selling:sell_status", kwargs={"pk": document.pk})

    html = seller_client.get(url, {"pages_known": "0"}, headers={"HX-Request": "true"}).content.decode()
    assert "Pagina 37 van 102 verwerkt…" in html
    assert '<progress value="37" max="102"' in html
    assert 'data-hx-trigger="every 1s"' in html
    # The page count is known now: the preview choice comes along, out of band, once.
    assert '<div id="preview-field" data-hx-swap-oob="true">' in html
    assert 'name="preview_page_count" value="4"' in html
    html = seller_client.get(url, {"pages_known": "1"}).content.decode()
    assert "data-hx-swap-oob" not in html

    version.status = VersionStatus.ACCEPTED
    version.pages_processed = 102
    version.save()
    html = seller_client.get(url, {"pages_known": "1"}).content.decode()
    assert "Je document is verwerkt: 102 pagina's." in html
    assert "data-hx-trigger" not in html


def test_form_errors_are_tied_to_their_fields(seller_client):
    document = _processed_document(seller_client)
    url = reverse("selling:sell_document", kwargs={"pk": document.pk})

    response = seller_client.post(url, {"title": "", "price": "abc", "academic_year": "1999/2000"})

    form = response.context["form"]
    assert form.errors["title"] == ["Dit veld is verplicht."]
    assert form.errors["price"] == ["Vul een bedrag in euro's in, bijvoorbeeld 9,49."]
    assert form.errors["course"] == ["Kies je vak uit de lijst, of voeg een nieuw vak toe."]
    assert form.errors["academic_year"][0].startswith("Selecteer een geldige keuze.")
    html = response.content.decode()
    assert '<small id="id_price_error">Vul een bedrag in euro&#x27;s in, bijvoorbeeld 9,49.</small>' in html
    assert 'aria-invalid="true"' in html
    assert not Listing.objects.exists()


def test_course_autocomplete(seller_client):
    odisee = InstitutionFactory(name="Odisee")
    programme = ProgrammeFactory(institution=odisee, name="Bedrijfsmanagement")
    account = CourseFactory(programme=programme, name="Account Management", code="MAN 3025")
    CourseFactory(programme=programme, name="Boekhouden")
    url = reverse("selling:sell_courses")

    assert "<input" not in seller_client.get(url, {"course_query": "a"}).content.decode()
    html = seller_client.get(url, {"course_query": "acc odisee"}).content.decode()
    assert f'<input type="radio" name="course" value="{account.pk}">' in html
    assert "<strong>Account Management</strong> (MAN 3025)" in html
    assert "Boekhouden" not in html
    # The chosen course stays in the list whatever is searched next.
    html = seller_client.get(url, {"course_query": "boek", "course": account.pk}).content.decode()
    assert f'<input type="radio" name="course" value="{account.pk}" checked>' in html
    assert "Boekhouden" in html
    html = seller_client.get(url, {"course_query": "zzz"}).content.decode()
    assert "Geen vak gevonden voor „zzz”. Voeg het hieronder toe." in html


def test_institution_and_programme_suggestions(seller_client):
    programme = ProgrammeFactory(institution=InstitutionFactory(name="Odisee"), name="Bedrijfsmanagement")
    ProgrammeFactory(institution=InstitutionFactory(name="Hogeschool Gent"), name="Bedrijfskunde")

    institutions = seller_client.get(reverse("selling:sell_institutions"), {"new_institution": "odi"})
    programmes = seller_client.get(
        reverse("selling:sell_programmes"), {"new_institution": "Odisee", "new_programme": "bedr"}
    )

    assert institutions.content.decode().strip() == '<option value="Odisee"></option>'
    assert programmes.content.decode().strip() == f'<option value="{programme.name}"></option>'


def test_a_new_course_is_added_with_its_institution_and_programme(seller_client):
    document = _processed_document(seller_client)
    InstitutionFactory(name="Odisee", slug="odisee")
    data = describe_data(
        CourseFactory(),
        course="",
        new_institution="odisee",
        new_programme="Bedrijfsmanagement",
        new_course_name="Account Management",
        new_course_code="MAN 3025",
    )

    with tasks_on_commit():
        response = seller_client.post(reverse("selling:sell_document", kwargs={"pk": document.pk}), data)

    assert response.status_code == 302
    course = Listing.objects.get(document=document).course
    assert (course.name, course.code, course.programme.name, course.programme.institution.name) == (
        "Account Management",
        "MAN 3025",
        "Bedrijfsmanagement",
        "Odisee",  # the existing institution, found whatever the case
    )
    assert Institution.objects.count() == 2  # Odisee and the factory course's


def test_a_new_institution_needs_its_country(seller_client):
    document = _processed_document(seller_client)
    data = describe_data(
        CourseFactory(),
        course="",
        new_institution="Nieuwe Hogeschool",
        new_programme="X",
        new_course_name="Y",
    )

    response = seller_client.post(reverse("selling:sell_document", kwargs={"pk": document.pk}), data)

    assert response.status_code == 200
    assert response.context["form"].errors["new_institution_country"] == [
        "Kies het land: deze instelling staat nog niet op studymarket."
    ]
    assert not Institution.objects.filter(name="Nieuwe Hogeschool").exists()


def test_book_by_isbn_among_known_books_or_added(seller_client):
    known = Book.objects.create(title="Marketing Management", authors="Kotler", isbn13="9781292092621")
    course = CourseFactory()
    lookup = reverse("selling:sell_book")

    assert "Gevonden: <strong>Marketing Management</strong> · Kotler" in (
        seller_client.get(lookup, {"isbn": "1292092629"}).content.decode()  # its ISBN-10
    )
    assert (
        "Dit boek kennen we nog niet" in seller_client.get(lookup, {"isbn": "9789043036184"}).content.decode()
    )
    assert (
        "Dit is geen geldig ISBN-10 of ISBN-13" in seller_client.get(lookup, {"isbn": "123"}).content.decode()
    )

    first = _processed_document(seller_client)
    with tasks_on_commit():
        seller_client.post(
            reverse("selling:sell_document", kwargs={"pk": first.pk}),
            describe_data(course, isbn="1292092629"),
        )
    assert Listing.objects.get(document=first).book == known

    second = _processed_document(seller_client)
    url = reverse("selling:sell_document", kwargs={"pk": second.pk})
    response = seller_client.post(url, describe_data(course, isbn="9789043036184"))
    assert response.context["form"].errors["book_title"] == [
        "Dit boek kennen we nog niet: vul de titel in, dan voegen we het toe."
    ]
    with tasks_on_commit():
        seller_client.post(
            url, describe_data(course, isbn="9789043036184", book_title="Statistiek", book_authors="Moore")
        )
    book = Listing.objects.get(document=second).book
    assert book is not None
    assert (book.title, book.authors, book.isbn13) == ("Statistiek", "Moore", "9789043036184")


def test_editing_a_published_listing_keeps_it_published(seller_client):
    course = CourseFactory()
    upload(seller_client, pdf_bytes(pages=3))
    url = reverse("selling:sell_document", kwargs={"pk": Document.objects.get().pk})
    with tasks_on_commit():
        seller_client.post(url, describe_data(course))

    page = seller_client.get(url).content.decode()
    assert 'name="price" value="9,49"' in page
    with tasks_on_commit():
        seller_client.post(url, describe_data(course, title="Nieuwe titel", price="12,50"))

    listing = Listing.objects.get()
    assert (listing.title, listing.slug, listing.price_cents, listing.status) == (
        "Nieuwe titel",
        "nieuwe-titel",
        1250,
        ListingStatus.PUBLISHED,
    )


def test_without_javascript_a_course_search_comes_back_with_choices(seller_client):
    account = CourseFactory(name="Account Management")
    document = _processed_document(seller_client)
    url = reverse("selling:sell_document", kwargs={"pk": document.pk})

    response = seller_client.post(url, describe_data(account, course="", course_query="account"))

    html = response.content.decode()
    assert response.context["form"].errors["course"] == [
        "Kies je vak uit de lijst, of voeg een nieuw vak toe."
    ]
    assert f'<input type="radio" name="course" value="{account.pk}">' in html
    assert not Listing.objects.exists()
