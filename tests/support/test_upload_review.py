import re

import pytest
from django.contrib.messages import get_messages
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.timezone import localtime
from django_tasks_db.models import DBTaskResult

from studymarket.catalog.models import ListingStatus
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.documents.originality import Verdict, originality_check
from studymarket.documents.reasons import Reason
from tests.documents.test_originality import make_version, page_texts, stored
from tests.factories import DocumentFactory, ListingFactory, SellerFactory, UserFactory
from tests.logins import MODEL_BACKEND, login

pytestmark = pytest.mark.django_db

QUEUE = "/beheer/uploads/"
SHARED = "De wet van vraag en aanbod bepaalt de prijs op een vrije markt"
OWN = "Deze alinea schreef de tweede verkoper helemaal zelf"


@pytest.fixture
def earlier() -> DocumentVersion:
    texts = page_texts(1)
    texts[2] = f"{texts[2]} {SHARED}, zegt hoofdstuk drie."
    seller = SellerFactory(display_name="Eerste Verkoper")
    return stored(texts, document=DocumentFactory(seller=seller))


@pytest.fixture
def held(earlier: DocumentVersion) -> DocumentVersion:
    """A near copy of ``earlier``: its first eight pages, two of its own, and a draft listing."""
    copied = [page.text for page in earlier.pages.order_by("number")][:8]
    seller = SellerFactory(display_name="Tweede Verkoper")
    listing = ListingFactory(
        seller=seller, status=ListingStatus.DRAFT, published_at=None, title="Micro-economie"
    )
    version = make_version(
        [*copied, *page_texts(2, pages=1), f"{OWN}. " + page_texts(3, pages=1)[0]],
        document=listing.document,
        number=2,
    )
    assert originality_check(version=version).verdict == Verdict.NEAR
    version.status = VersionStatus.HELD_FOR_REVIEW
    version.save()
    return version


@pytest.fixture
def staff_client(client):
    login(client, UserFactory(is_staff=True))
    return client


def review_url(version: DocumentVersion) -> str:
    return reverse("support:upload_review", args=[version.pk])


def decide_url(version: DocumentVersion) -> str:
    return reverse("support:upload_decide", args=[version.pk])


def test_urls():
    assert reverse("support:upload_queue") == QUEUE
    assert reverse("support:upload_review", args=[7]) == "/beheer/uploads/7/"
    assert reverse("support:upload_decide", args=[7]) == "/beheer/uploads/7/besluit/"


@pytest.mark.parametrize("url", [QUEUE, "/beheer/uploads/1/"])
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/account/inloggen/?next={url}"


def test_anonymous_decision_is_not_taken(client, held):
    response = client.post(decide_url(held), {"decision": "goedkeuren"})

    assert response.status_code == 302
    assert response["Location"].startswith("/account/inloggen/")
    held.refresh_from_db()
    assert held.status == VersionStatus.HELD_FOR_REVIEW


def test_users_who_are_not_staff_are_refused(client, held):
    client.force_login(held.document.seller.user, backend=MODEL_BACKEND)

    assert client.get(QUEUE).status_code == 403
    assert client.get(review_url(held)).status_code == 403
    assert client.post(decide_url(held), {"decision": "goedkeuren"}).status_code == 403
    held.refresh_from_db()
    assert held.status == VersionStatus.HELD_FOR_REVIEW


def test_queue_lists_held_uploads_only(staff_client, held, earlier):
    response = staff_client.get(QUEUE)

    assert response.status_code == 200
    assert list(response.context["versions"]) == [held]
    html = response.content.decode()
    assert f'href="{review_url(held)}">Micro-economie</a>' in html
    assert "Tweede Verkoper" in html
    assert "Eerste Verkoper" not in html
    similarity = round(held.originality_matches.get().similarity * 100)
    assert f"<td>{similarity}%</td>" in html


def test_empty_queue(staff_client):
    response = staff_client.get(QUEUE)

    assert "Er wachten geen uploads op controle." in response.content.decode()


def test_review_page_shows_the_shared_passages_side_by_side(staff_client, held, earlier):
    response = staff_client.get(review_url(held))

    assert response.status_code == 200
    html = response.content.decode()
    # The shared sentence is marked on both sides, on page 3.
    marked = re.findall(r"<mark>([^<]*)</mark>", html)
    assert sum(SHARED in passage for passage in marked) == 2
    assert html.count('id="new-page-3">Pagina 3</h4>') == 1
    assert html.count('id="earlier-page-3">Pagina 3</h4>') == 1
    # What only the new upload has is shown unmarked, on no page of the comparison.
    assert not any(OWN in passage for passage in marked)
    assert 'id="new-page-10"' not in html
    # Who was first, and when.
    date = date_filter(localtime(earlier.created_at), "j F Y")
    assert re.fullmatch(r"\d{1,2} [a-z]+ \d{4}", date)
    assert f"Eerste Verkoper uploadde het eerdere document als eerste, op {date}." in html
    assert response.context["overlap"].new.pages_with_overlap == 8
    assert response.context["overlap"].earlier.pages_with_overlap == 8
    assert 'value="goedkeuren"' in html


def test_approving_publishes_and_finalises_the_listing(
    staff_client, held, db_task_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(decide_url(held), {"decision": "goedkeuren", "note": ""})

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    held.refresh_from_db()
    assert held.status == VersionStatus.ACCEPTED
    task = DBTaskResult.objects.get()
    assert task.task_path == "studymarket.selling.tasks.listing_finalize_task"
    assert task.args_kwargs == {"args": [held.document.listing.pk], "kwargs": {}}
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Goedgekeurd: de upload is gepubliceerd."
    ]


def test_rejecting_records_the_reason(
    staff_client, held, db_task_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            decide_url(held), {"decision": "weigeren", "note": "Letterlijk overgenomen van Eerste Verkoper."}
        )

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == VersionStatus.REJECTED
    assert held.reason_code == Reason.REJECTED_BY_STAFF
    assert held.reason_params == {"note": "Letterlijk overgenomen van Eerste Verkoper."}
    assert not DBTaskResult.objects.exists()


def test_rejecting_without_a_reason_asks_for_one(staff_client, held):
    response = staff_client.post(decide_url(held), {"decision": "weigeren", "note": " "})

    assert response.status_code == 400
    assert "Schrijf op waarom je deze upload weigert." in response.content.decode()
    held.refresh_from_db()
    assert held.status == VersionStatus.HELD_FOR_REVIEW


def test_a_decided_upload_cannot_be_decided_the_other_way(staff_client, held):
    staff_client.post(decide_url(held), {"decision": "weigeren", "note": "Kopie."})

    response = staff_client.post(decide_url(held), {"decision": "goedkeuren"})

    assert response.status_code == 400
    assert "Deze upload wacht niet op controle." in response.content.decode()
    held.refresh_from_db()
    assert held.status == VersionStatus.REJECTED


def test_unknown_upload_is_404(staff_client):
    assert staff_client.get("/beheer/uploads/999999/").status_code == 404
    assert staff_client.post("/beheer/uploads/999999/besluit/", {"decision": "goedkeuren"}).status_code == 404
