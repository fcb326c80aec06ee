"""Through the real pipeline: a lecturer registers slides, a student uploads a summary that
copies some of them, staff see the overlap with the work's page numbers and decide in one click."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from studymarket.documents.models import RightsHolderMatch, VersionStatus
from studymarket.documents.reasons import Reason
from studymarket.documents.rights_holders import rights_holder_work_register
from studymarket.selling.services import upload_store
from studymarket.support.forms import PRESET_NOTES, PRESET_RIGHTS
from tests.documents.test_originality import page_texts
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.logins import login
from tests.support.test_upload_review_pipeline import text_pdf

pytestmark = pytest.mark.django_db

SLIDES = page_texts(71, pages=5, words=120)
OWN = page_texts(72, pages=3, words=120)


@pytest.fixture
def work():
    lecturer = UserFactory(email="docent@hogeschool.example", first_name="Anna", last_name="Docent")
    return rights_holder_work_register(
        owner=lecturer,
        title="Hoorcolleges Marketing",
        file=SimpleUploadedFile("slides.pdf", text_pdf(SLIDES)),
    )


@pytest.fixture
def held(work, mailoutbox, django_capture_on_commit_callbacks):
    seller = SellerFactory(display_name="Student Verkoper")
    listing = ListingFactory(seller=seller, title="Samenvatting Marketing")
    # The summary: its own page, then slides 2, 3 and 4, then two more of its own.
    pages = [OWN[0], SLIDES[1], SLIDES[2], SLIDES[3], OWN[1], OWN[2]]
    with django_capture_on_commit_callbacks(execute=True):
        version = upload_store(
            seller=seller,
            file=ContentFile(text_pdf(pages)),
            original_name="samenvatting.pdf",
            document=listing.document,
        )
    version.refresh_from_db()
    assert version.status == VersionStatus.HELD_FOR_REVIEW
    assert [m.subject for m in mailoutbox] == [
        'Een upload die lijkt op "Hoorcolleges Marketing" is tegengehouden'
    ]
    mailoutbox.clear()
    return version


@pytest.fixture
def staff_client(client):
    login(client, UserFactory(is_staff=True))
    return client


def test_the_review_shows_the_uploads_passages_with_the_works_page_numbers(staff_client, held, work):
    response = staff_client.get(f"/beheer/uploads/{held.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    rights = response.context["rights"]
    assert [(page.number, page.work_pages) for page in rights.pages] == [(2, [2]), (3, [3]), (4, [4])]
    assert 'data-work-pages="2"' in html
    assert "Staat in het werk op pagina 3." in html
    assert '<dd id="rights-work-pages">2, 3, 4</dd>' in html
    # The upload's copied text is marked; its own pages are not shown.
    marked = " ".join(re.findall(r"<mark>(.*?)</mark>", html, flags=re.DOTALL))
    assert SLIDES[1].split()[10] in marked
    assert 'id="rights-page-1"' not in html
    assert "Anna Docent" in html
    assert "Materiaal van rechthebbende" in html
    assert "Weigeren: materiaal van rechthebbende" in html
    # Nothing of the work's own text is kept: only what the upload holds can be shown.
    assert response.context["overlap"] is None


def test_one_click_refusal_for_the_rights_holder(
    staff_client, held, mailoutbox, django_capture_on_commit_callbacks
):
    url = f"/beheer/uploads/{held.pk}/besluit/"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"decision": "weigeren", "preset": PRESET_RIGHTS})
    with django_capture_on_commit_callbacks(execute=True):
        again = staff_client.post(url, {"decision": "weigeren", "preset": PRESET_RIGHTS})

    assert response.status_code == again.status_code == 302
    held.refresh_from_db()
    assert held.status == VersionStatus.REJECTED
    assert held.reason_code == Reason.REJECTED_BY_STAFF
    assert held.reason_params == {"note": str(PRESET_NOTES[PRESET_RIGHTS])}
    [mail] = mailoutbox
    assert mail.to == ["docent@hogeschool.example"]
    assert mail.subject == 'Besluit over een upload die lijkt op "Hoorcolleges Marketing": geweigerd'
    assert "hem geweigerd" in mail.body
    assert RightsHolderMatch.objects.get(version=held).decision_notified_at is not None


def test_approval_tells_the_rights_holder_where_to_report(
    staff_client, held, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://studymarket.example"
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/beheer/uploads/{held.pk}/besluit/", {"decision": "goedkeuren"})

    held.refresh_from_db()
    assert held.status == VersionStatus.ACCEPTED
    [mail] = mailoutbox
    assert mail.subject.endswith(": gepubliceerd")
    listing = held.document.listing
    assert f"https://studymarket.example{listing.get_absolute_url()}" in mail.body


def test_a_near_duplicate_without_a_rights_holder_queues_no_mail(staff_client, held, mailoutbox):
    RightsHolderMatch.objects.all().delete()

    staff_client.post(f"/beheer/uploads/{held.pk}/besluit/", {"decision": "goedkeuren"})

    assert mailoutbox == []
