"""Uploading: the whole pipeline runs inline (immediate task backend), each refusal is shown
with its reason, a file over the limit is dropped before it is stored, and a new version
keeps the earlier ones."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils.html import escape

from studymarket.catalog.models import Listing, ListingStatus
from studymarket.documents.models import Document, DocumentVersion, VersionStatus
from studymarket.documents.rejections import reason_text
from studymarket.documents.upload_limits import UploadSizeLimit
from studymarket.selling.tasks import upload_process_task
from tests.factories import CourseFactory, SellerFactory
from tests.images import png_bytes
from tests.logins import MODEL_BACKEND
from tests.pdfs import pdf_bytes
from tests.selling.drafts import describe_data

pytestmark = pytest.mark.django_db

UPLOAD = "/verkopen/uploaden/"


@pytest.fixture
def seller_client(client):
    seller = SellerFactory()
    client.force_login(seller.user, backend=MODEL_BACKEND)
    client.seller = seller
    return client


def tasks_on_commit():
    """Runs what was enqueued on commit (processing, finalizing) as a real commit would; the
    test's own transaction never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def upload(client, content: bytes, name: str = "Samenvatting Marketing.pdf", url: str = UPLOAD, htmx=False):
    """Post a file the way the page does; processing runs inline."""
    with tasks_on_commit():
        return client.post(
            url, {"file": SimpleUploadedFile(name, content)}, headers={"HX-Request": "true"} if htmx else {}
        )


def test_upload_page(seller_client):
    html = seller_client.get(UPLOAD).content.decode()

    assert "<h1>Document uploaden</h1>" in html
    assert 'enctype="multipart/form-data"' in html
    assert (
        'accept=".pdf,.docx,.odt,application/pdf,'
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
        'application/vnd.oasis.opendocument.text"' in html
    )
    assert 'data-max-bytes="52428800"' in html
    assert '<progress id="upload-progress" max="100" value="0"></progress>' in html
    assert "PDF, Word (.docx) of OpenDocument (.odt), tot 50,0\xa0MB." in html
    assert "/static/js/upload.js" in html


def test_upload_processes_the_pdf_and_describing_publishes_it(seller_client):
    response = upload(seller_client, pdf_bytes(pages=12, outline=[(1, "Inleiding", 1), (1, "Besluit", 12)]))

    document = Document.objects.get(seller=seller_client.seller)
    version = document.versions.get()
    url = f"/verkopen/documenten/{document.pk}/"
    assert response.status_code == 302
    assert response["Location"] == url
    assert (version.status, version.page_count, version.original_name) == (
        VersionStatus.ACCEPTED,
        12,
        "Samenvatting Marketing.pdf",
    )
    page = seller_client.get(url).content.decode()
    assert "Je document is verwerkt: 12 pagina's." in page
    assert 'value="Samenvatting Marketing"' in page

    with tasks_on_commit():
        response = seller_client.post(url, describe_data(CourseFactory()))

    listing = Listing.objects.get(document=document)
    assert response.status_code == 302
    assert (listing.status, listing.preview_page_count) == (ListingStatus.PUBLISHED, 2)
    assert all(page.preview_image for page in version.pages.filter(number__lte=2))
    shop = seller_client.get(listing.get_absolute_url()).content.decode()
    assert "Inleiding" in shop
    page = seller_client.get(url).content.decode()
    assert "Jij ontvangt <strong>€ 6,27</strong> per verkoop" in page


def test_htmx_upload_redirects_the_browser(seller_client):
    response = upload(seller_client, pdf_bytes(pages=2), htmx=True)

    document = Document.objects.get(seller=seller_client.seller)
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/verkopen/documenten/{document.pk}/"


def _encrypted_pdf() -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_bytes(pages=2))) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="geheim", owner="geheim"))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "code", "params"),
    [
        ("leeg.pdf", b"", "empty", {}),
        ("foto.pdf", png_bytes(), "not_pdf", {"detected": "PNG"}),
        ("pagina.pdf", b"<html><body>%PDF-1.7</body></html>", "polyglot", {}),
        ("notities.txt", b"gewoon tekst", "not_pdf", {}),
        ("verslag.docx", b"PK\x03\x04 geen echt Word-bestand", "unsupported_type", {}),
    ],
)
def test_upload_refused_before_storing_shows_the_reason(seller_client, name, content, code, params):
    response = upload(seller_client, content, name=name)

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [reason_text(code, params)]
    error = escape(reason_text(code, params))
    assert (
        f'<small id="id_file_error" data-upload-error role="alert">{error}</small>'
        in response.content.decode()
    )
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (pdf_bytes(pages=3)[:400], "truncated"),
        (_encrypted_pdf(), "encrypted"),
    ],
)
def test_upload_refused_by_processing_shows_the_reason(seller_client, content, code):
    response = upload(seller_client, content)

    version = DocumentVersion.objects.get()
    assert response.status_code == 302
    assert (version.status, version.reason_code) == (VersionStatus.REJECTED, code)
    page = seller_client.get(response["Location"]).content.decode()
    assert "We kunnen dit bestand niet online zetten." in page
    assert escape(reason_text(code, version.reason_params)) in page
    assert 'href="/verkopen/uploaden/"' in page  # try another file


def test_oversize_file_is_dropped_by_the_upload_handler(seller_client, settings, tmp_path):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # Django's handlers would write it to a temporary file...
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)

    for size in (1200 * 1024, 1024 * 1024 + 1):  # ...refused by Content-Length, and by counting
        response = upload(seller_client, b"%PDF-1.7\n" + b"0" * (size - 9))

        assert response.status_code == 200
        assert response.context["form"].errors["file"] == [reason_text("too_large", {"max_mb": 1})]
    assert list(tmp_path.iterdir()) == []  # no temporary file left
    assert not Document.objects.exists()


def test_the_handler_lets_a_file_within_the_limit_through(rf):
    request = rf.post(UPLOAD, {"file": SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 95)})
    limit = UploadSizeLimit.install(request, max_bytes=100)

    assert request.FILES["file"].read() == b"%PDF-" + b"x" * 95
    assert limit.refused == []
    request = rf.post(UPLOAD, {"file": SimpleUploadedFile("b.pdf", b"x" * 101), "other": "kept"})
    limit = UploadSizeLimit.install(request, max_bytes=100)
    assert "file" not in request.FILES
    assert request.POST["other"] == "kept"
    assert limit.refused == ["b.pdf"]


def test_file_names_from_the_seller_are_never_paths(seller_client):
    upload(seller_client, pdf_bytes(pages=1), name="../../etc/passwd.pdf")

    version = DocumentVersion.objects.get()
    assert version.original_name == "passwd.pdf"
    assert "passwd" not in version.file.name


def test_new_version_keeps_earlier_versions(seller_client):
    upload(seller_client, pdf_bytes(pages=5))
    document = Document.objects.get()
    with tasks_on_commit():
        seller_client.post(f"/verkopen/documenten/{document.pk}/", describe_data(CourseFactory()))
    first = document.versions.get()
    url = f"/verkopen/documenten/{document.pk}/nieuwe-versie/"

    page = seller_client.get(url).content.decode()
    assert "<h1>Nieuwe versie uploaden</h1>" in page
    response = upload(seller_client, pdf_bytes(pages=7), name="Marketing v2.pdf", url=url)

    assert response["Location"] == f"/verkopen/documenten/{document.pk}/"
    document.refresh_from_db()
    versions = list(document.versions.order_by("number"))
    assert [(v.number, v.page_count, v.status) for v in versions] == [
        (1, 5, VersionStatus.ACCEPTED),
        (2, 7, VersionStatus.ACCEPTED),
    ]
    assert versions[0] == first
    assert document.current_version == versions[1]  # buyers get the newest
    page = seller_client.get(f"/verkopen/documenten/{document.pk}/").content.decode()
    assert "Marketing v2.pdf" in page
    assert "Samenvatting Marketing.pdf" in page  # the earlier version is listed, and kept


def test_new_version_needs_a_document_on_sale(seller_client):
    upload(seller_client, b"")  # refused: nothing stored
    upload(seller_client, pdf_bytes(pages=3)[:400])  # rejected by processing
    document = Document.objects.get()

    response = seller_client.get(f"/verkopen/documenten/{document.pk}/nieuwe-versie/")

    assert response.status_code == 302
    assert response["Location"] == f"/verkopen/documenten/{document.pk}/"


def test_held_upload_is_explained(seller_client):
    upload(seller_client, pdf_bytes(pages=2))
    version = DocumentVersion.objects.get()
    DocumentVersion.objects.filter(pk=version.pk).update(status=VersionStatus.HELD_FOR_REVIEW)

    page = seller_client.get(f"/verkopen/documenten/{version.document_id}/").content.decode()

    assert "<strong>Je document wacht op controle.</strong>" in page
    assert "Een medewerker bekijkt of het je eigen werk is" in page
    assert 'data-hx-trigger="every 1s"' not in page


def test_failed_processing_can_be_retried(seller_client):
    upload(seller_client, pdf_bytes(pages=2))
    version = DocumentVersion.objects.get()
    DocumentVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.FAILED, reason_code="processing_error", pages_processed=0
    )
    url = f"/verkopen/documenten/{version.document_id}/"

    page = seller_client.get(url).content.decode()
    assert "<strong>Het verwerken is niet gelukt.</strong> " + escape(reason_text("processing_error")) in page
    assert f'<form method="post" action="{url}opnieuw-verwerken/">' in page
    with tasks_on_commit():
        response = seller_client.post(f"{url}opnieuw-verwerken/")

    assert response.status_code == 302
    assert response["Location"] == url
    version.refresh_from_db()
    assert (version.status, version.attempts) == (VersionStatus.ACCEPTED, 2)
    assert "Je document is verwerkt: 2 pagina's." in seller_client.get(url).content.decode()


def test_described_before_processing_is_published_when_processing_ends(seller_client):
    # The upload's processing task is not run yet (its on-commit callback is dropped), as when
    # the worker is busy: the seller describes the document first.
    seller_client.post(UPLOAD, {"file": SimpleUploadedFile("Statistiek.pdf", pdf_bytes(pages=20))})
    version = DocumentVersion.objects.get()
    url = f"/verkopen/documenten/{version.document_id}/"
    with tasks_on_commit():
        seller_client.post(url, describe_data(CourseFactory()))
    listing = Listing.objects.get()
    assert (listing.status, version.status) == (ListingStatus.DRAFT, VersionStatus.UPLOADED)
    assert "Bezig met verwerken…" in seller_client.get(url).content.decode()

    with tasks_on_commit():
        upload_process_task.enqueue(version.pk)

    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
    assert "Je document is verwerkt en staat online." in seller_client.get(url).content.decode()
