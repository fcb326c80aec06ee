"""The appeal pages: the seller's (signed in, their own statements only), the staff queue and
review, and the decision form that refuses the staff member who took the contested decision."""

import pytest
from django.urls import reverse

from studymarket.catalog.models import ListingStatus
from studymarket.trust.appeals import appeal_create_seller
from studymarket.trust.decisions import notice_take_down
from studymarket.trust.models import Appeal, AppealStatus, Measure
from tests.factories import ListingFactory, UserFactory
from tests.logins import login
from tests.trust.appeal_helpers import seller_of, statement_of
from tests.trust.factories import NoticeFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_a():
    return StaffFactory(email="anna.medewerker@studymarket.test")


@pytest.fixture
def statement(staff_a):
    notice = NoticeFactory(listing=ListingFactory(title="Marketing Samenvatting"))
    notice_take_down(notice_id=notice.pk, actor=staff_a, note="Lijkt overgenomen.")
    return statement_of(notice, Measure.LISTING_TAKEDOWN)


def test_the_seller_appeals_on_the_site(client, statement):
    url = reverse("trust:appeal_create", kwargs={"statement_id": statement.pk})
    assert client.get(url).status_code == 302  # to the login page
    login(client, UserFactory())
    assert client.get(url).status_code == 404  # not their statement

    seller = seller_of(statement.notice)
    login(client, seller)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Document voorlopig offline gehaald" in html
    assert "Lijkt overgenomen." in html
    assert "Bezwaar maken is gratis en kan tot" in html

    empty = client.post(url, {"text": ""})
    assert empty.status_code == 400
    response = client.post(url, {"text": "Dit is mijn eigen samenvatting."})
    assert response.status_code == 302
    assert response["Location"] == url
    appeal = Appeal.objects.get()
    assert (appeal.statement, appeal.appellant, appeal.text) == (
        statement,
        seller,
        "Dit is mijn eigen samenvatting.",
    )
    shown = client.get(url).content.decode()
    assert f"kenmerk B-{appeal.pk}" in shown
    assert "In behandeling" in shown
    assert "Bezwaar indienen" not in shown


def test_staff_decide_in_the_queue_but_not_on_their_own_decision(client, statement, staff_a):
    appeal = appeal_create_seller(statement_id=statement.pk, user=seller_of(statement.notice), text="Oneens.")
    queue = reverse("trust:appeal_queue")
    login(client, UserFactory())
    assert client.get(queue).status_code == 404  # the back office does not exist for a buyer

    login(client, staff_a)
    assert f"B-{appeal.pk}" in client.get(queue).content.decode()
    review = client.get(reverse("trust:appeal_review", kwargs={"appeal_id": appeal.pk})).content.decode()
    assert "Je nam zelf het besluit waartegen dit bezwaar is gemaakt" in review
    assert "notice.listing_taken_down" in review  # the timeline
    decide = reverse("trust:appeal_decide", kwargs={"appeal_id": appeal.pk})
    refused = client.post(decide, {"reasons": "Klopt.", "decision": "toekennen"})
    assert refused.status_code == 400
    assert "Een andere medewerker moet over het bezwaar beslissen." in refused.content.decode()

    staff_b = StaffFactory()
    login(client, staff_b)
    review = client.get(reverse("trust:appeal_review", kwargs={"appeal_id": appeal.pk})).content.decode()
    assert "Toekennen en document herstellen" in review
    assert client.post(decide, {"reasons": "", "decision": "toekennen"}).status_code == 400
    response = client.post(decide, {"reasons": "Eigen werk.", "decision": "toekennen"})
    assert response.status_code == 302
    assert response["Location"] == queue
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.GRANTED
    assert appeal.decided_by == staff_b
    statement.notice.listing.refresh_from_db()
    assert statement.notice.listing.status == ListingStatus.PUBLISHED
    # A second click: said, nothing more happens.
    client.post(decide, {"reasons": "Eigen werk.", "decision": "toekennen"})
    assert "Over dit bezwaar was al zo beslist." in client.get(queue).content.decode()


def test_the_dashboard_links_appeals_and_transparency(client):
    login(client, StaffFactory())
    html = client.get(reverse("support:dashboard")).content.decode()
    assert reverse("trust:appeal_queue") in html
    assert reverse("trust:transparency") in html
