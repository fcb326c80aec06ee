"""Appeals (DSA art. 20): the seller appeals a statement of reasons, the reporter the decision
on their notice; another staff member decides; every party is e-mailed over real SMTP."""

from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from studymarket.catalog.models import ListingStatus
from studymarket.core.models import AuditEvent
from studymarket.trust.appeals import (
    AppealRefused,
    appeal_create_reporter,
    appeal_create_seller,
    appeal_deadline,
    appeal_decide,
    notice_appeal_token,
)
from studymarket.trust.decisions import notice_reject_unfounded, notice_take_down, notice_uphold
from studymarket.trust.models import (
    Appeal,
    AppealStatus,
    Measure,
    Notice,
    NoticeStatus,
    StatementOfReasons,
    Strike,
    StrikeKind,
)
from tests.factories import ListingFactory, UserFactory
from tests.trust.appeal_helpers import body, mails_to, seller_of, statement_of, subjects
from tests.trust.factories import NoticeFactory, StaffFactory

pytestmark = pytest.mark.django_db

REPORTER = "rita@uitgever.test"


@pytest.fixture
def staff_a():
    return StaffFactory(email="anna.medewerker@studymarket.test")


@pytest.fixture
def staff_b():
    return StaffFactory(email="bram.medewerker@studymarket.test")


@pytest.fixture
def taken_down(staff_a, django_capture_on_commit_callbacks, smtp_inbox) -> Notice:
    with django_capture_on_commit_callbacks(execute=True):
        notice = NoticeFactory(listing=ListingFactory(title="Marketing Samenvatting"))
    with django_capture_on_commit_callbacks(execute=True):
        notice_take_down(notice_id=notice.pk, actor=staff_a, note="Lijkt letterlijk overgenomen.")
    smtp_inbox.envelopes.clear()
    notice.refresh_from_db()
    return notice


def test_seller_appeals_a_takedown_and_another_staff_member_restores(
    taken_down, staff_a, staff_b, smtp_inbox, django_capture_on_commit_callbacks
):
    seller = seller_of(taken_down)
    statement = statement_of(taken_down, Measure.LISTING_TAKEDOWN)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = appeal_create_seller(statement_id=statement.pk, user=seller, text="Ik schreef dit zelf.")
    assert subjects(smtp_inbox, seller.email) == [f"We hebben je bezwaar ontvangen (kenmerk B-{appeal.pk})"]
    assert "Bezwaar maken is gratis." in body(mails_to(smtp_inbox, seller.email)[0])

    # The staff member who took the document down may not decide the appeal.
    with pytest.raises(AppealRefused, match="Een andere medewerker moet over het bezwaar beslissen"):
        appeal_decide(appeal_id=appeal.pk, actor=staff_a, grant=True, reasons="Klopt.")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.OPEN

    smtp_inbox.envelopes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decided, moved = appeal_decide(
            appeal_id=appeal.pk,
            actor=staff_b,
            grant=True,
            reasons="De verkoper toont aan dat het eigen werk is.",
        )
    assert moved
    assert decided.status == AppealStatus.GRANTED
    assert decided.decided_by == staff_b
    taken_down.refresh_from_db()
    taken_down.listing.refresh_from_db()
    assert taken_down.status == NoticeStatus.RESTORED
    assert taken_down.decided_by == staff_b
    assert taken_down.listing.status == ListingStatus.PUBLISHED

    to_seller = mails_to(smtp_inbox, seller.email)
    decision = next(
        m for m in to_seller if m["Subject"] == f"Je bezwaar is toegekend (kenmerk B-{appeal.pk})"
    )
    text = body(decision)
    assert "Je document staat weer online." in text
    assert "De verkoper toont aan dat het eigen werk is." in text
    assert "door de Digitale Dienstencoördinator erkende geschilleninstantie" in text
    assert "artikel 21" in text
    assert len(to_seller) == 2  # the decision, and trust-core's "back online"
    to_reporter = mails_to(smtp_inbox, REPORTER)
    assert [str(m["Subject"]) for m in to_reporter] == [f"Ons besluit over je melding {taken_down.number}"]

    actions = set(
        AuditEvent.objects.filter(object_type="trust.appeal", object_id=str(appeal.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == {"appeal.received", "appeal.granted"}

    # A second click: quietly nothing; the other way: refused.
    assert appeal_decide(appeal_id=appeal.pk, actor=staff_b, grant=True, reasons="Nogmaals.")[1] is False
    with pytest.raises(AppealRefused, match="al beslist"):
        appeal_decide(appeal_id=appeal.pk, actor=staff_b, grant=False, reasons="Toch niet.")


def test_a_rejected_appeal_keeps_the_listing_down(
    taken_down, staff_b, smtp_inbox, django_capture_on_commit_callbacks
):
    seller = seller_of(taken_down)
    statement = statement_of(taken_down, Measure.LISTING_TAKEDOWN)
    appeal = appeal_create_seller(statement_id=statement.pk, user=seller, text="Oneens.")
    with django_capture_on_commit_callbacks(execute=True):
        appeal_decide(
            appeal_id=appeal.pk, actor=staff_b, grant=False, reasons="Hoofdstuk 2 is letterlijk gelijk."
        )
    taken_down.listing.refresh_from_db()
    assert taken_down.listing.status == ListingStatus.TAKEN_DOWN
    decision = mails_to(smtp_inbox, seller.email)[-1]
    assert decision["Subject"] == f"Je bezwaar is afgewezen (kenmerk B-{appeal.pk})"
    assert "ons besluit blijft staan" in body(decision)
    assert "Hoofdstuk 2 is letterlijk gelijk." in body(decision)


def test_an_appeal_sent_twice_is_one_and_only_the_seller_may_appeal(taken_down):
    seller = seller_of(taken_down)
    statement = statement_of(taken_down, Measure.LISTING_TAKEDOWN)
    first = appeal_create_seller(statement_id=statement.pk, user=seller, text="Oneens.")
    again = appeal_create_seller(statement_id=statement.pk, user=seller, text="Oneens.")
    assert again.pk == first.pk
    assert Appeal.objects.count() == 1
    with pytest.raises(AppealRefused, match="Alleen wie dit besluit kreeg"):
        appeal_create_seller(statement_id=statement.pk, user=UserFactory(), text="Ik ook.")
    with pytest.raises(AppealRefused, match="Schrijf waarom"):
        appeal_create_seller(
            statement_id=StatementOfReasons.objects.create(
                seller=seller,
                measure=Measure.LISTING_TAKEDOWN,
                scope="-",
                facts="-",
                explanation="-",
                redress="-",
            ).pk,
            user=seller,
            text="   ",
        )


@override_settings(TRUST_APPEAL_MONTHS=6)
def test_an_appeal_after_six_months_is_refused(taken_down):
    seller = seller_of(taken_down)
    statement = statement_of(taken_down, Measure.LISTING_TAKEDOWN)
    StatementOfReasons.objects.filter(pk=statement.pk).update(sent_at=timezone.now() - timedelta(days=186))
    with pytest.raises(AppealRefused, match="De termijn voor bezwaar is voorbij"):
        appeal_create_seller(statement_id=statement.pk, user=seller, text="Te laat.")
    StatementOfReasons.objects.filter(pk=statement.pk).update(sent_at=timezone.now() - timedelta(days=170))
    assert (
        appeal_create_seller(statement_id=statement.pk, user=seller, text="Op tijd.").status
        == AppealStatus.OPEN
    )


def test_a_granted_appeal_against_a_removal_brings_the_listing_back_and_voids_the_strike(
    staff_a, staff_b, smtp_inbox, django_capture_on_commit_callbacks
):
    notice = NoticeFactory(listing=ListingFactory(title="Recht Samenvatting"))
    with django_capture_on_commit_callbacks(execute=True):
        notice_uphold(notice_id=notice.pk, actor=staff_a, note="Letterlijk overgenomen.")
    seller = seller_of(notice)
    appeal = appeal_create_seller(
        statement_id=statement_of(notice, Measure.LISTING_REMOVAL).pk, user=seller, text="Ik heb toestemming."
    )
    # Upholding was staff A's decision: A may not decide, B may.
    with pytest.raises(AppealRefused):
        appeal_decide(appeal_id=appeal.pk, actor=staff_a, grant=True, reasons="-")
    smtp_inbox.envelopes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appeal_decide(
            appeal_id=appeal.pk, actor=staff_b, grant=True, reasons="De toestemming van de auteur is getoond."
        )

    notice.refresh_from_db()
    notice.listing.refresh_from_db()
    assert notice.status == NoticeStatus.UPHELD  # its history stays
    assert notice.listing.status == ListingStatus.PUBLISHED
    assert Strike.objects.get(notice=notice).voided_at is not None
    assert subjects(smtp_inbox, REPORTER) == [f"Ons besluit over je melding {notice.number} is herzien"]
    assert "De toestemming van de auteur is getoond." in body(mails_to(smtp_inbox, REPORTER)[0])
    assert "Je document staat weer online." in body(mails_to(smtp_inbox, seller.email)[0])


def test_the_reporter_contests_an_unfounded_decision_through_the_signed_link(
    client, staff_a, staff_b, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = NoticeFactory(listing=ListingFactory(title="Statistiek Samenvatting"))
    with django_capture_on_commit_callbacks(execute=True):
        notice_reject_unfounded(notice_id=notice.pk, actor=staff_a, note="Geen overeenkomst gevonden.")
    notice.refresh_from_db()
    decision_mail = mails_to(smtp_inbox, REPORTER)[-1]
    link = next(word for word in body(decision_mail).split() if "/meldingen/bezwaar/melding/" in word)
    path = link.split("://", 1)[-1].split("/", 1)[1]
    assert path.endswith(f"{notice_appeal_token(notice.number)}/")

    page = client.get("/" + path)
    assert page.status_code == 200
    assert "Bezwaar maken" in page.content.decode()
    tampered = "/" + path.replace(notice.number, "M-AAAAAAAA")
    assert client.get(tampered).status_code == 404

    smtp_inbox.envelopes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/" + path, {"text": "Pagina 3 tot 9 komen uit mijn syllabus."})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.notice, appeal.statement, appeal.appellant_email) == (notice, None, REPORTER)
    assert subjects(smtp_inbox, REPORTER) == [f"We hebben je bezwaar ontvangen (kenmerk B-{appeal.pk})"]
    assert (
        client.post("/" + path, {"text": "Nog eens."}).status_code == 200
    )  # shows the appeal, files nothing
    assert Appeal.objects.count() == 1

    smtp_inbox.envelopes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appeal_decide(appeal_id=appeal.pk, actor=staff_b, grant=True, reasons="De syllabus komt overeen.")
    assert Strike.objects.get(notice=notice, kind=StrikeKind.UNFOUNDED_NOTICE).voided_at is not None
    again = Notice.objects.exclude(pk=notice.pk).get()
    assert again.status == NoticeStatus.RECEIVED
    assert again.listing == notice.listing
    assert notice.number in again.explanation
    reporter_subjects = subjects(smtp_inbox, REPORTER)
    assert f"Je bezwaar is toegekend (kenmerk B-{appeal.pk})" in reporter_subjects
    decided = next(m for m in mails_to(smtp_inbox, REPORTER) if "toegekend" in str(m["Subject"]))
    assert f"als nieuwe melding {again.number}" in body(decided)


def test_the_reporter_cannot_contest_an_upheld_or_open_notice(staff_a):
    notice = NoticeFactory()
    with pytest.raises(AppealRefused, match="nog niet beslist"):
        appeal_create_reporter(notice_id=notice.pk, text="Waarom duurt het zo lang?")
    notice_uphold(notice_id=notice.pk, actor=staff_a)
    with pytest.raises(AppealRefused, match="gegrond verklaard"):
        appeal_create_reporter(notice_id=notice.pk, text="Oneens.")


@pytest.mark.parametrize(
    ("informed", "deadline"),
    [
        ("2026-01-15 10:00", "2026-07-15 10:00"),
        ("2026-08-31 09:00", "2027-02-28 09:00"),  # no 31 February: its last day
        ("2026-12-01 00:00", "2027-06-01 00:00"),
    ],
)
def test_the_appeal_period_is_six_calendar_months(settings, informed, deadline):
    settings.TRUST_APPEAL_MONTHS = 6
    zone = timezone.get_current_timezone()

    def local(text: str) -> datetime:
        return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=zone)

    assert appeal_deadline(local(informed)) == local(deadline)
