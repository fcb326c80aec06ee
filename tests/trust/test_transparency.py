"""The yearly transparency figures (DSA arts 15, 24) on /beheer/transparantie/ and as CSV:
notices by kind, decisions and measures, the median time to a decision, appeals and their
outcomes, suspensions by type — each counted in its own year."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studymarket.trust.appeals import appeal_create_seller, appeal_decide
from studymarket.trust.decisions import notice_reject_unfounded, notice_restore, notice_uphold
from studymarket.trust.models import Measure, Notice, NoticeKind
from studymarket.trust.transparency import transparency_csv, transparency_report
from tests.factories import UserFactory
from tests.logins import login
from tests.trust.appeal_helpers import seller_of, statement_of
from tests.trust.factories import NoticeFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _took(notice: Notice, hours: int) -> None:
    """The notice was decided ``hours`` after it came in."""
    notice.refresh_from_db()
    assert notice.decided_at is not None
    Notice.objects.filter(pk=notice.pk).update(created_at=notice.decided_at - timedelta(hours=hours))


@pytest.fixture
def year(settings):
    settings.TRUST_STRIKES_WARNING = 2
    settings.TRUST_STRIKES_SUSPEND = 3
    return timezone.localtime().year


@pytest.fixture
def world(year, django_capture_on_commit_callbacks):
    staff_a, staff_b = StaffFactory(), StaffFactory()
    upheld = NoticeFactory(kind=NoticeKind.COPYRIGHT)
    restored = NoticeFactory(kind=NoticeKind.COPYRIGHT)
    with django_capture_on_commit_callbacks(execute=True):
        notice_uphold(notice_id=upheld.pk, actor=staff_a)
        notice_restore(notice_id=restored.pk, actor=staff_a)
    unfounded = []
    for _ in range(3):
        notice = NoticeFactory(kind=NoticeKind.OTHER, reporter_email="querulant@example.test")
        with django_capture_on_commit_callbacks(execute=True):
            notice_reject_unfounded(notice_id=notice.pk, actor=staff_a)
        unfounded.append(notice)
    for notice, hours in zip([upheld, restored, *unfounded], [10, 30, 1, 2, 3], strict=True):
        _took(notice, hours)
    appeal = appeal_create_seller(
        statement_id=statement_of(upheld, Measure.LISTING_REMOVAL).pk, user=seller_of(upheld), text="Oneens."
    )
    with django_capture_on_commit_callbacks(execute=True):
        appeal_decide(appeal_id=appeal.pk, actor=staff_b, grant=False, reasons="Het blijft overgenomen.")
    # Last year's notice counts in last year only.
    old = NoticeFactory(kind=NoticeKind.ILLEGAL)
    Notice.objects.filter(pk=old.pk).update(created_at=timezone.now().replace(year=year - 1))
    return staff_a


def _counts(rows):
    return {row.key: row.count for row in rows}


def test_the_figures_of_a_year(world, year):
    report = transparency_report(year=year)
    assert _counts(report.notices_by_kind) == {"copyright": 2, "illegal": 0, "other": 3}
    assert report.notices_total == 5
    assert _counts(report.decisions) == {"upheld": 1, "restored": 1, "unfounded": 3}
    assert _counts(report.measures) == {"listing_takedown": 0, "listing_removal": 1, "account_suspension": 0}
    assert report.automated_measures == 0
    assert report.median_hours_to_decision == 3.0
    by_kind = {k.key: (k.upheld, k.restored, k.unfounded, k.median_hours) for k in report.decisions_by_kind}
    assert by_kind == {"copyright": (1, 1, 0, 20.0), "illegal": (0, 0, 0, None), "other": (0, 0, 3, 2.0)}
    assert _counts(report.appeals_received) == {"seller": 1, "reporter": 0}
    assert _counts(report.appeals_decided) == {"granted": 0, "rejected": 1}
    assert _counts(report.suspensions) == {"seller": 0, "reporter": 1}
    assert report.warnings == 1

    last_year = transparency_report(year=year - 1)
    assert _counts(last_year.notices_by_kind) == {"copyright": 0, "illegal": 1, "other": 0}
    assert last_year.median_hours_to_decision is None


def test_the_page_and_the_csv(client, world, year):
    url = reverse("trust:transparency")
    login(client, UserFactory())
    assert client.get(url).status_code == 404
    login(client, world)
    html = client.get(url, {"jaar": year}).content.decode()
    assert f"Transparantie {year}" in html
    assert '<tr data-key="copyright"><th scope="row">Auteursrecht</th><td>2</td></tr>' in html
    assert '<dd id="t-median-decision">3,0 uur</dd>' in html
    other = '<tr data-key="other"><th scope="row">Iets anders</th>'
    assert other + "<td>0</td><td>0</td><td>3</td><td>2,0 uur</td></tr>" in html
    assert "1 waarschuwing vooraf verstuurd." in html

    response = client.get(reverse("trust:transparency_csv"), {"jaar": year})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="transparantie-{year}.csv"'
    text = response.content.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "Jaar;Onderdeel;Wat;Aantal"
    assert f"{year};Meldingen per soort;Auteursrecht;2" in lines
    assert f"{year};Besluiten op meldingen;Ongegrond;3" in lines
    assert f"{year};Bezwaren beslist;Afgewezen: besluit blijft;1" in lines
    assert f"{year};Doorlooptijd;Mediaan melding tot besluit (uren);3,0" in lines
    assert f"{year};Besluiten: Auteursrecht;Gegrond: definitief offline;1" in lines
    assert f"{year};Besluiten: Auteursrecht;Mediaan melding tot besluit (uren);20,0" in lines
    assert f"{year};Besluiten: Andere illegale inhoud;Mediaan melding tot besluit (uren);" in lines
    assert response.content == transparency_csv(transparency_report(year=year))
