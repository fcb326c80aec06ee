"""The rights holder's page: register a work as fingerprints, see the list, withdraw one."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from studymarket.documents.models import RightsHolderMatch, RightsHolderPage, RightsHolderWork
from tests.data_files import stored_files, workspaces
from tests.documents.test_originality import make_version, page_texts
from tests.factories import UserFactory
from tests.logins import login
from tests.support.test_upload_review_pipeline import text_pdf

pytestmark = pytest.mark.django_db

PAGE = "/rechthebbenden/"
SLIDES = page_texts(81, pages=3, words=100)


@pytest.fixture
def lecturer(client):
    user = UserFactory(email="docent@hogeschool.example")
    login(client, user)
    return user


def form(**overrides):
    data = {
        "title": "Tentamen Statistiek 2024",
        "file": SimpleUploadedFile("tentamen.pdf", text_pdf(SLIDES), content_type="application/pdf"),
        "declaration": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_urls():
    assert reverse("rights_holders:works") == PAGE
    assert reverse("rights_holders:work_remove", args=[4]) == "/rechthebbenden/4/verwijderen/"


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == f"/account/inloggen/?next={PAGE}"


def test_registering_keeps_only_fingerprints(client, lecturer):
    response = client.post(PAGE, form())

    assert response.status_code == 302
    assert response["Location"] == PAGE
    work = RightsHolderWork.objects.get()
    assert (work.owner, work.title, work.page_count) == (lecturer, "Tentamen Statistiek 2024", 3)
    assert RightsHolderPage.objects.filter(work=work).count() == 3
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "„Tentamen Statistiek 2024” is geregistreerd (3 pagina's). We hebben alleen de vingerafdrukken "
        "bewaard; het bestand is verwijderd."
    ]
    assert stored_files("private") == []
    assert stored_files("public") == []
    assert workspaces() == []


def test_a_double_submit_registers_once(client, lecturer):
    client.post(PAGE, form())
    client.post(PAGE, form())

    assert RightsHolderWork.objects.count() == 1


def test_the_list_shows_own_works_with_held_uploads(client, lecturer):
    mine = RightsHolderWork.objects.create(
        owner=lecturer, title="Slides week 1", page_count=12, sha256="1" * 64
    )
    RightsHolderWork.objects.create(owner=UserFactory(), title="Van een ander", page_count=3, sha256="2" * 64)
    RightsHolderMatch.objects.create(version=make_version(page_texts(82, pages=1)), work=mine, similarity=0.9)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert list(response.context["works"]) == [mine]
    html = response.content.decode()
    assert "<td>Slides week 1<br><small" in html  # made before the fingerprinting changed
    assert "<td>12</td>" in html
    assert "Van een ander" not in html
    assert f'action="/rechthebbenden/{mine.pk}/verwijderen/"' in html


def test_the_declaration_is_required(client, lecturer):
    response = client.post(PAGE, form(declaration=None))

    assert response.status_code == 400
    assert "Bevestig dat je de rechthebbende bent" in response.content.decode()
    assert not RightsHolderWork.objects.exists()


def test_a_file_that_is_not_a_pdf_is_refused_with_the_uploads_reason(client, lecturer):
    response = client.post(PAGE, form(file=SimpleUploadedFile("foto.pdf", b"\xff\xd8\xff" + b"0" * 50)))

    assert response.status_code == 400
    assert "Dit is geen PDF-bestand (het lijkt een JPEG-bestand)." in response.content.decode()
    assert not RightsHolderWork.objects.exists()


def test_removing_a_work(client, lecturer):
    client.post(PAGE, form())
    work = RightsHolderWork.objects.get()

    response = client.post(f"/rechthebbenden/{work.pk}/verwijderen/")

    assert response.status_code == 302
    work.refresh_from_db()
    assert work.removed_at is not None
    assert not RightsHolderPage.objects.filter(work=work).exists()
    assert list(client.get(PAGE).context["works"]) == []
    # And it can be registered again.
    client.post(PAGE, form())
    assert RightsHolderWork.objects.filter(removed_at__isnull=True).count() == 1


def test_another_persons_work_cannot_be_removed(client, lecturer):
    other = RightsHolderWork.objects.create(owner=UserFactory(), title="Niet van jou", sha256="3" * 64)

    assert client.post(f"/rechthebbenden/{other.pk}/verwijderen/").status_code == 404
    assert client.get(f"/rechthebbenden/{other.pk}/verwijderen/").status_code == 405
    other.refresh_from_db()
    assert other.removed_at is None


def test_registrations_are_limited_per_account(client, lecturer, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rights_holder_user": "1/d"}
    client.post(PAGE, form(file=SimpleUploadedFile("a.pdf", b"\xff\xd8\xff" + b"0" * 50)))

    response = client.post(PAGE, form())

    assert response.status_code == 429
    assert not RightsHolderWork.objects.exists()
