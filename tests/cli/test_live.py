"""The command line against a running site (pytest-django's live server, the real API): log
in, upload a PDF that the site processes (tasks run inline in tests) and publishes, find it with
the site's search, and read status, sales and earnings as a seller reads them."""

import re
import stat
from pathlib import Path

import httpx
import pytest
from pytest_django.live_server_helper import LiveServer
from studymarket_cli.main import main

from studymarket.accounts.models import SellerProfile
from studymarket.accounts.tokens import token_create
from studymarket.catalog.models import Course, Listing, ListingStatus
from studymarket.documents.models import Document
from tests.factories import (
    CourseFactory,
    InstitutionFactory,
    ListingFactory,
    OrderLineFactory,
    ProgrammeFactory,
    SellerFactory,
    UserFactory,
)
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Account Management Samenvatting Odisee"
DESCRIPTION = "Alle hoofdstukken van Account Management samengevat, met voorbeelden uit de les."


@pytest.fixture
def seller() -> SellerProfile:
    return SellerFactory(display_name="Sanne Verkoopt", user__first_name="Sanne", user__last_name="Vos")


@pytest.fixture
def token(seller: SellerProfile) -> str:
    return token_create(user=seller.user, name="laptop", scopes=["sell"]).secret


@pytest.fixture
def course() -> Course:
    odisee = InstitutionFactory(name="Odisee")
    return CourseFactory(
        name="Account Management",
        code="MAN 3025",
        programme=ProgrammeFactory(name="Bedrijfsmanagement", institution=odisee),
    )


@pytest.fixture
def signed_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, live_server: LiveServer, token: str) -> None:
    monkeypatch.setenv("STUDYMARKET_URL", live_server.url)
    monkeypatch.setenv("STUDYMARKET_TOKEN", token)
    monkeypatch.setenv("STUDYMARKET_CONFIG", str(tmp_path / "config" / "config.json"))


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "account-management.pdf"
    path.write_bytes(pdf_bytes(pages=12, outline=[(1, "1 Inleiding", 1), (1, "2 De klant", 5)]))
    return path


def test_login_checks_the_token_and_keeps_it_for_the_owner_only(
    monkeypatch, tmp_path, live_server, token, capsys
):
    config = tmp_path / "config" / "config.json"
    monkeypatch.setenv("STUDYMARKET_CONFIG", str(config))
    monkeypatch.delenv("STUDYMARKET_URL", raising=False)
    monkeypatch.delenv("STUDYMARKET_TOKEN", raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: f" {token}\n")

    assert main(["login", "--site", live_server.url]) == 0
    out = capsys.readouterr().out
    assert f"Ingelogd op {live_server.url} als Sanne Vos. De token staat in {config}." in out
    assert stat.S_IMODE(config.stat().st_mode) == 0o600

    # The saved site and token are used from now on.
    assert main(["status"]) == 0
    assert capsys.readouterr().out.startswith("Je hebt nog geen documenten.")

    assert main(["logout"]) == 0
    assert "Uitgelogd" in capsys.readouterr().out
    assert not config.exists()
    assert main(["status"]) == 1


def test_login_with_a_wrong_token_saves_nothing(monkeypatch, tmp_path, live_server, capsys):
    config = tmp_path / "config.json"
    monkeypatch.setenv("STUDYMARKET_CONFIG", str(config))
    monkeypatch.setattr("getpass.getpass", lambda prompt: "smpat_verzonnen")

    assert main(["login", "--site", live_server.url]) == 1
    err = capsys.readouterr().err
    assert "Stuur een geldige persoonlijke toegangstoken mee" in err
    assert f"Maak een nieuwe token op {live_server.url}/account/tokens/" in err
    assert not config.exists()


def test_upload_publishes_a_listing_that_search_finds(signed_in, live_server, course, pdf, seller, capsys):
    code = main(
        [
            "upload",
            str(pdf),
            "--title",
            TITLE,
            "--price",
            "4,99",
            "--course",
            "account management",
            "--year",
            "2025-2026",
            "--description",
            DESCRIPTION,
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    listing = Listing.objects.get(seller=seller)
    assert (listing.title, listing.price_cents, listing.course, listing.academic_year) == (
        TITLE,
        499,
        course,
        "2025/2026",
    )
    assert listing.status == ListingStatus.PUBLISHED
    assert captured.out.splitlines()[-1] == f"Gepubliceerd: {live_server.url}{listing.get_absolute_url()}"
    assert "account-management.pdf" in captured.err  # the progress bar, on stderr

    page = httpx.get(f"{live_server.url}/zoeken/", params={"q": "Account Management Odisee"})
    assert page.status_code == 200
    assert listing.get_absolute_url() in page.text
    found = httpx.get(f"{live_server.url}/api/v1/search", params={"q": "Account Management"}).json()
    assert [item["id"] for item in found["items"]] == [listing.pk]

    assert main(["status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    document_id = listing.document_id
    assert re.fullmatch(rf"\s*{document_id}  Online\s+€ 4,99  {TITLE}", lines[1])

    assert main(["status", str(document_id)]) == 0
    out = capsys.readouterr().out
    assert out == (
        f"Document {document_id}: {TITLE}\n  Status:   Online\n  Online:   ja\n  Prijs:    € 4,99\n"
        f"  Pagina's: 12\n  Adres:    {live_server.url}{listing.get_absolute_url()}\n"
    )


def test_a_course_that_matches_several_lists_them_and_uploads_nothing(signed_in, course, pdf, capsys):
    CourseFactory(name="Account Management 2", programme=course.programme)
    CourseFactory(name="Key Account Management", programme=course.programme)

    assert main(["upload", str(pdf), "--title", TITLE, "--price", "4,99", "--course", "account"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Meerdere vakken passen bij 'account'. Kies er één met --course ID:\n")
    assert f"{course.pk:>6}  Account Management (MAN 3025) — Odisee, Bedrijfsmanagement\n" in err
    assert not Document.objects.exists()


def test_a_file_that_is_no_pdf_is_refused_with_the_reason(signed_in, course, tmp_path, capsys):
    fake = tmp_path / "samenvatting.pdf"
    fake.write_text("Dit is geen PDF maar gewone tekst.")

    assert main(["upload", str(fake), "--title", TITLE, "--price", "4,99", "--course", str(course.pk)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("Dit is geen PDF-bestand.")  # the site's reason, as it words it
    assert not Listing.objects.exists()


def test_sales_and_earnings_as_the_seller_reads_them(signed_in, seller, capsys):
    listing = ListingFactory(seller=seller, title="Marketing Samenvatting", price_cents=499)
    OrderLineFactory(buyer=UserFactory(), listing=listing)
    OrderLineFactory(buyer=UserFactory(), listing=listing)

    assert main(["sales"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert re.fullmatch(r"\d{1,2} \w+ 20\d\d\s+€ 4,99\s+€ 3,30  Marketing Samenvatting", lines[1])
    assert lines[-1] == "2 verkopen, samen € 6,60 voor jou."

    assert main(["earnings"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "In de garantietermijn:        € 6,60",
        "Beschikbaar:                  € 0,00",
        "Uitbetaald:                   € 0,00",
    ]


def test_a_revoked_token_is_refused_with_the_sites_message(signed_in, token, capsys):
    from studymarket.accounts.tokens import PersonalAccessToken, token_revoke

    stored = PersonalAccessToken.objects.get()
    token_revoke(user=stored.user, token_id=stored.pk)

    assert main(["earnings"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Stuur een geldige persoonlijke toegangstoken mee (Authorization: Bearer smpat_…).")
