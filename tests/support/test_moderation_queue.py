"""One staff queue for everything held: near-duplicates, rights-holder matches and open reports."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from studymarket.documents.models import RightsHolderMatch, VersionStatus
from studymarket.documents.originality import Verdict, originality_check
from studymarket.trust.models import Notice, NoticeKind, NoticeStatus
from tests.documents.test_originality import make_version, page_texts, stored
from tests.factories import DocumentFactory, ListingFactory, SellerFactory, UserFactory
from tests.logins import login

pytestmark = pytest.mark.django_db

QUEUE = "/beheer/uploads/"


@pytest.fixture
def staff_client(client):
    login(client, UserFactory(is_staff=True))
    return client


def held_near_duplicate(*, hours_ago: int):
    earlier = stored(page_texts(61), document=DocumentFactory(seller=SellerFactory(display_name="Eerste")))
    copy = make_version(
        [page.text for page in earlier.pages.order_by("number")][:8],
        document=ListingFactory(
            title="Kopie Micro", seller=SellerFactory(display_name="Kopieerder")
        ).document,
        number=2,
    )
    assert originality_check(version=copy).verdict == Verdict.NEAR
    held_at = timezone.now() - timedelta(hours=hours_ago)
    type(copy).objects.filter(pk=copy.pk).update(status=VersionStatus.HELD_FOR_REVIEW, processed_at=held_at)
    return copy


def held_for_rights_holder(*, hours_ago: int, work):
    version = make_version(
        page_texts(62, pages=3),
        document=ListingFactory(
            title="Slides Marketing", seller=SellerFactory(display_name="Student")
        ).document,
        number=2,
    )
    RightsHolderMatch.objects.create(
        version=version, work=work, similarity=0.8, work_pages=[1, 2], upload_pages=[1]
    )
    held_at = timezone.now() - timedelta(hours=hours_ago)
    type(version).objects.filter(pk=version.pk).update(
        status=VersionStatus.HELD_FOR_REVIEW, processed_at=held_at
    )
    return version


def notice(*, deadline_in_hours: int, status=NoticeStatus.RECEIVED, number="M-0001"):
    listing = ListingFactory(title="Gemeld Document")
    return Notice.objects.create(
        number=number,
        listing=listing,
        location=f"https://studymarket.example/d/{listing.pk}/",
        kind=NoticeKind.COPYRIGHT,
        explanation="Dit zijn mijn slides.",
        reporter_name="Dr. Jansen",
        reporter_email="jansen@hogeschool.example",
        good_faith=True,
        status=status,
        deadline_at=timezone.now() + timedelta(hours=deadline_in_hours),
    )


@pytest.fixture
def work():
    from studymarket.documents.models import RightsHolderWork

    return RightsHolderWork.objects.create(
        owner=UserFactory(first_name="Docent", last_name="Jansen"),
        title="Hoorcolleges",
        page_count=4,
        sha256="a" * 64,
    )


def test_everything_held_is_in_one_list_nearest_deadline_first(staff_client, settings, work):
    settings.MODERATION_HELD_UPLOAD_HOURS = 48
    near = held_near_duplicate(hours_ago=10)  # deadline in 38 hours
    rights = held_for_rights_holder(hours_ago=47, work=work)  # deadline in 1 hour
    report = notice(deadline_in_hours=5)
    notice(deadline_in_hours=1, status=NoticeStatus.UPHELD, number="M-0002")  # decided: not listed

    response = staff_client.get(QUEUE)

    assert response.status_code == 200
    items = response.context["items"]
    assert [item.url for item in items] == [
        f"/beheer/uploads/{rights.pk}/",
        report.get_staff_url(),
        f"/beheer/uploads/{near.pk}/",
    ]
    assert [[label for _, label in item.kinds] for item in items] == [
        ["Materiaal van rechthebbende"],
        ["Melding: Auteursrecht"],
        ["Lijkt op eerdere upload"],
    ]
    html = response.content.decode()
    assert f'<a href="{report.get_staff_url()}">M-0001 · Gemeld Document</a>' in html
    assert "Dr. Jansen" in html
    assert "<td>80%</td>" in html
    assert "3 zaken wachten op een besluit" in html
    rows = re.findall(r'<tr data-kind="([a-z_ ]+)">', html)
    assert rows == ["rights_holder", "notice", "near_duplicate"]


def test_an_overdue_item_is_marked(staff_client, work):
    held_for_rights_holder(hours_ago=72, work=work)

    html = staff_client.get(QUEUE).content.decode()

    assert '<strong class="overdue">te laat</strong>' in html


def test_an_upload_held_for_both_reasons_is_one_item_with_both_kinds(staff_client, work):
    near = held_near_duplicate(hours_ago=1)
    RightsHolderMatch.objects.create(
        version=near, work=work, similarity=0.4, work_pages=[3], upload_pages=[2]
    )

    items = staff_client.get(QUEUE).context["items"]

    assert len(items) == 1
    assert [kind for kind, _ in items[0].kinds] == ["near_duplicate", "rights_holder"]
    assert items[0].similarity == max(0.4, near.originality_matches.get().similarity)


def test_nothing_waiting(staff_client):
    html = staff_client.get(QUEUE).content.decode()

    assert "Er wachten geen uploads op controle. Er staan geen meldingen open." in html
