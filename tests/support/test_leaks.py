"""Staff's "Wie heeft dit gelekt?" (/beheer/lekken/): upload a leaked PDF, get its order."""

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import escape
from django.utils.timezone import localtime

from studymarket.core.models import AuditEvent
from studymarket.library.models import StampedCopy
from studymarket.library.services import download_record, stamped_copy_build
from tests.factories import UserFactory
from tests.logins import login
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db

PAGE = "/beheer/lekken/"


@pytest.fixture(autouse=True)
def _files_of_their_own(own_storage: None) -> None:
    """Copies and documents in this test's own folder (tests/conftest.py)."""


@pytest.fixture
def staff(client):
    user = UserFactory(email="staff@studymarket.nl", is_staff=True)
    login(client, user)
    return user


@pytest.fixture
def leaked(order_line, tmp_path) -> tuple[bytes, StampedCopy]:
    """Anna's copy, downloaded once, re-saved with qpdf without its last two pages."""
    copy = stamped_copy_build(stamped_copy_id=StampedCopy.objects.get().pk)
    download_record(stamped_copy=copy, ip="192.0.2.1", user_agent="test")
    source, cut = tmp_path / "copy.pdf", tmp_path / "cut.pdf"
    with copy.file.open("rb") as stored:
        source.write_bytes(stored.read())
    subprocess.run(["qpdf", "--empty", "--pages", str(source), "1-3", "--", str(cut)], check=True, timeout=60)
    return cut.read_bytes(), copy


def _post(client, data: bytes, name: str = "gevonden.pdf"):
    return client.post(PAGE, {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})


def test_the_page_is_for_staff_only(client):
    assert client.get(PAGE).status_code == 302  # to the login page
    login(client, UserFactory(email="koper@example.nl"))
    assert client.get(PAGE).status_code == 403
    assert _post(client, pdf_bytes(pages=1)).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="leak.").exists()


def test_the_page_and_the_dashboard_link(client, staff):
    html = client.get(PAGE).content.decode()
    assert "<h1>Wie heeft dit gelekt?</h1>" in html
    assert 'enctype="multipart/form-data"' in html
    dashboard = client.get(reverse("support:dashboard")).content.decode()
    assert f'<a href="{PAGE}" id="dashboard-leaks">Wie heeft dit gelekt?</a>' in dashboard


def test_a_leaked_copy_leads_to_its_order(client, staff, leaked, order_line):
    data, copy = leaked
    response = _post(client, data)

    assert response.status_code == 200
    html = response.content.decode()
    number = order_line.order.number
    assert f"Gevonden: bestelling {number}" in html
    assert f'<a href="/beheer/bestellingen/{number}/" id="leak-order">{number}</a>' in html
    assert '<dd id="leak-buyer">Anna de Vries (anna@example.nl)</dd>' in html
    assert "Account Management Samenvatting" in html
    assert '<dd id="leak-version">1</dd>' in html
    download = copy.downloads.get()
    assert date_filter(localtime(download.downloaded_at), "j F Y H:i") in html
    assert "Onzichtbaar kenmerk in de pagina&#x27;s: gevonden" in html
    assert "Bestelnummer in de zichtbare regel: gevonden" in html
    assert "Kenmerk in de XMP-metadata: niet gevonden" in html  # qpdf --empty dropped it

    event = AuditEvent.objects.get(action="leak.traced")
    assert (event.object_type, event.object_id, event.actor) == ("library.stampedcopy", str(copy.pk), staff)
    assert event.data["found"] is True
    assert event.data["order_number"] == number
    assert event.data["evidence"] == ["content", "visible"]
    assert event.data["file"] == "gevonden.pdf"
    assert len(event.data["sha256"]) == 64


def test_a_pdf_without_our_traces_finds_no_order(client, staff, order_line):
    response = _post(client, pdf_bytes(pages=2))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Geen bestelling gevonden" in html
    assert 'data-found="no"' in html
    event = AuditEvent.objects.get(action="leak.traced")
    assert (event.object_type, event.object_id) == ("accounts.user", str(staff.pk))
    assert event.data["found"] is False


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"GIF89a not a pdf", "Dit is geen PDF-bestand"),
        (b"%PDF-1.7\nbroken beyond repair\n%%EOF\n", "We kunnen dit PDF-bestand niet lezen"),
    ],
)
def test_a_hostile_or_broken_file_gives_a_clear_error(client, staff, data, says):
    response = _post(client, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Dit bestand kunnen we niet veilig lezen: " in html
    assert escape(says) in html
    assert AuditEvent.objects.get(action="leak.unreadable").actor == staff


def test_a_file_over_the_limit_is_refused(client, staff, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = _post(client, pdf_bytes(pages=3))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Dit bestand is groter dan 1000\xa0bytes; zo groot is geen document op studymarket." in html
    assert not AuditEvent.objects.filter(action__startswith="leak.").exists()


def test_no_file_says_what_to_do(client, staff):
    response = client.post(PAGE, {})
    assert response.status_code == 400
    assert "Kies het PDF-bestand dat je wilt natrekken." in response.content.decode()


def test_looking_up_twice_is_harmless(client, staff, leaked):
    data, copy = leaked
    assert _post(client, data).status_code == 200
    assert _post(client, data).status_code == 200
    assert AuditEvent.objects.filter(action="leak.traced").count() == 2
    assert StampedCopy.objects.count() == 1
