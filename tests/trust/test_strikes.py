"""Repeat offenders (DSA art. 23), by rule: a warning at TRUST_STRIKES_WARNING, a suspension at
TRUST_STRIKES_SUSPEND within TRUST_STRIKES_WINDOW_DAYS; for sellers (upheld notices) and for
reporters (manifestly unfounded notices); a suspended seller cannot upload or publish."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from studymarket.accounts.suspension import SellerSuspended
from studymarket.catalog.models import ListingStatus
from studymarket.core import clock
from studymarket.core.models import AuditEvent
from studymarket.selling.services import listing_publish_if_ready, upload_store
from studymarket.trust.appeals import appeal_create_seller, appeal_decide
from studymarket.trust.decisions import notice_reject_unfounded, notice_uphold
from studymarket.trust.models import Measure, StatementOfReasons, Strike, StrikeKind
from studymarket.trust.notices import NoticeRefused
from studymarket.trust.strikes import (
    email_suspended,
    reporter_may_report,
    seller_is_suspended,
    strike_record,
    strike_void,
    strikes_active,
)
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.logins import login
from tests.pdfs import pdf_bytes
from tests.selling.drafts import describe_data
from tests.trust.appeal_helpers import body, mails_to, subjects
from tests.trust.factories import NoticeFactory, StaffFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("data_dir"),
]

RULES = {
    "TRUST_STRIKES_WARNING": 2,
    "TRUST_STRIKES_SUSPEND": 3,
    "TRUST_STRIKES_WINDOW_DAYS": 365,
    "TRUST_SUSPENSION_DAYS": 30,
}


@pytest.fixture(autouse=True)
def _rules(settings):
    for name, value in RULES.items():
        setattr(settings, name, value)


@pytest.fixture
def staff():
    return StaffFactory()


def _upheld(seller, staff, capture):
    notice = NoticeFactory(listing=ListingFactory(seller=seller))
    with capture(execute=True):
        notice_uphold(notice_id=notice.pk, actor=staff, note="Overgenomen.")  # counts the strike
    return notice


def _unfounded(email, staff, capture, reporter=None):
    notice = NoticeFactory(reporter_email=email, reporter=reporter)
    with capture(execute=True):
        notice_reject_unfounded(
            notice_id=notice.pk, actor=staff, note="Niets aan de hand."
        )  # counts the strike
    return notice


def test_a_seller_is_warned_at_two_and_suspended_at_three(
    staff, smtp_inbox, django_capture_on_commit_callbacks, client
):
    seller = SellerFactory()
    user = seller.user
    _upheld(seller, staff, django_capture_on_commit_callbacks)
    assert not [s for s in subjects(smtp_inbox, user.email) if s.startswith("Waarschuwing")]

    _upheld(seller, staff, django_capture_on_commit_callbacks)
    warnings = [
        m
        for m in mails_to(smtp_inbox, user.email)
        if m["Subject"] == "Waarschuwing: je documenten bij studymarket"
    ]
    assert len(warnings) == 1
    assert "bij 3 gegronde meldingen schorsen we je account 30 dagen" in body(warnings[0])
    assert not seller_is_suspended(user)

    third = _upheld(seller, staff, django_capture_on_commit_callbacks)
    user.refresh_from_db()
    assert seller_is_suspended(user)
    assert user.suspended_until is not None
    assert abs(user.suspended_until - (clock.now() + timedelta(days=30))) < timedelta(minutes=1)
    statement = StatementOfReasons.objects.get(measure=Measure.ACCOUNT_SUSPENSION)
    assert (statement.seller, statement.notice, statement.ends_at) == (user, third, user.suspended_until)
    assert statement.sent_at is not None
    suspended_mail = next(
        m for m in mails_to(smtp_inbox, user.email) if m["Subject"] == "Je account is tijdelijk geschorst"
    )
    text = body(suspended_mail)
    assert f"/meldingen/bezwaar/besluit/{statement.pk}/" in text
    assert "artikel 23, lid 1" in text
    assert AuditEvent.objects.filter(action="seller.suspended", object_id=str(user.pk)).count() == 1
    # Exactly one warning was sent, before the suspension (art. 23: "after a prior warning").
    assert AuditEvent.objects.filter(action="strike.warning_sent").count() == 1

    # Recording the third strike again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        strike_record(notice=third, kind=StrikeKind.INFRINGEMENT, actor=staff)
    assert Strike.objects.filter(user=user).count() == 3
    assert StatementOfReasons.objects.filter(measure=Measure.ACCOUNT_SUSPENSION).count() == 1

    # Suspended: no upload, no publishing; the upload page says until when.
    with pytest.raises(SellerSuspended, match="Je account is geschorst tot"):
        upload_store(
            seller=seller, file=SimpleUploadedFile("a.pdf", pdf_bytes(pages=2)), original_name="a.pdf"
        )
    draft = ListingFactory(seller=seller, status=ListingStatus.DRAFT)
    assert listing_publish_if_ready(listing_id=draft.pk).status == ListingStatus.DRAFT
    login(client, user)
    page = client.get("/verkopen/uploaden/")
    assert "Je account is geschorst tot" in page.content.decode()
    assert "Maak gratis bezwaar via de link in de e-mail over je schorsing." in page.content.decode()

    # The seller appeals the suspension; another staff member lifts it.
    appeal = appeal_create_seller(statement_id=statement.pk, user=user, text="Ik had toestemming.")
    other = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        appeal_decide(appeal_id=appeal.pk, actor=other, grant=True, reasons="De toestemming is getoond.")
    user.refresh_from_db()
    assert user.suspended_until is None
    assert not seller_is_suspended(user)
    lifted = mails_to(smtp_inbox, user.email)[-1]
    assert "Je schorsing is opgeheven" in body(lifted)


def test_old_and_voided_strikes_do_not_count(staff, django_capture_on_commit_callbacks):
    seller = SellerFactory()
    first = _upheld(seller, staff, django_capture_on_commit_callbacks)
    second = _upheld(seller, staff, django_capture_on_commit_callbacks)
    Strike.objects.filter(notice=first).update(created_at=timezone.now() - timedelta(days=366))
    strike_void(strike=Strike.objects.get(notice=second), actor=staff)
    _upheld(seller, staff, django_capture_on_commit_callbacks)
    assert len(strikes_active(kind=StrikeKind.INFRINGEMENT, user=seller.user)) == 1
    seller.user.refresh_from_db()
    assert not seller_is_suspended(seller.user)


def test_a_strike_voided_on_appeal_lifts_the_suspension_it_led_to(staff, django_capture_on_commit_callbacks):
    seller = SellerFactory()
    notices = [_upheld(seller, staff, django_capture_on_commit_callbacks) for _ in range(3)]
    seller.user.refresh_from_db()
    assert seller_is_suspended(seller.user)
    strike_void(strike=Strike.objects.get(notice=notices[0]), actor=staff)
    seller.user.refresh_from_db()
    assert not seller_is_suspended(seller.user)
    assert AuditEvent.objects.filter(action="seller.suspension_lifted").count() == 1


def test_a_reporter_of_unfounded_notices_is_warned_then_suspended_by_address(
    staff, smtp_inbox, django_capture_on_commit_callbacks
):
    email = "querulant@example.test"
    _unfounded(email, staff, django_capture_on_commit_callbacks)
    _unfounded(email, staff, django_capture_on_commit_callbacks)
    warning = [
        m for m in mails_to(smtp_inbox, email) if m["Subject"] == "Waarschuwing: je meldingen bij studymarket"
    ]
    assert len(warning) == 1
    assert "bij 3 kennelijk ongegronde meldingen nemen we 30 dagen lang geen meldingen van je aan" in body(
        warning[0]
    )
    assert reporter_may_report(email, None)

    notices = [_unfounded(email, staff, django_capture_on_commit_callbacks)]
    assert email_suspended(email=email)
    assert not reporter_may_report(email, None)
    assert not reporter_may_report(email.upper(), None)
    assert reporter_may_report("iemand.anders@example.test", None)
    until = (timezone.localtime(clock.now() + timedelta(days=30))).day
    suspended = next(m for m in mails_to(smtp_inbox, email) if str(m["Subject"]).startswith("We nemen tot"))
    assert f"{until} " in str(suspended["Subject"])
    assert notices[0].number in body(suspended)
    # trust-core's notice form asks trust.strikes.email_suspended: the notice is refused.
    with pytest.raises(NoticeRefused, match="tijdelijk geen meldingen"):
        NoticeFactory(reporter_email=email)


@override_settings(CLOCK_ADJUSTABLE=True)
def test_a_reporter_suspension_ends_after_its_days(staff, django_capture_on_commit_callbacks):
    email = "querulant@example.test"
    for _ in range(3):
        _unfounded(email, staff, django_capture_on_commit_callbacks)
    assert email_suspended(email=email)
    clock.advance(timedelta(days=31))
    assert not email_suspended(email=email)
    assert reporter_may_report(email, None)


def test_a_reporter_with_an_account_is_counted_by_account_too(staff, django_capture_on_commit_callbacks):
    user = UserFactory(email="rob@example.test")
    _unfounded("rob@example.test", staff, django_capture_on_commit_callbacks, reporter=user)
    _unfounded("rob.tweede@example.test", staff, django_capture_on_commit_callbacks, reporter=user)
    _unfounded("rob.derde@example.test", staff, django_capture_on_commit_callbacks, reporter=user)
    assert not reporter_may_report("rob.vierde@example.test", user)


def test_a_suspended_seller_cannot_publish_from_the_describe_form(client):
    seller = SellerFactory()
    listing = ListingFactory(seller=seller, status=ListingStatus.DRAFT, title="Oude titel")
    seller.user.suspended_until = clock.now() + timedelta(days=3)
    seller.user.save(update_fields=["suspended_until"])
    login(client, seller.user)
    url = reverse("selling:sell_document", kwargs={"pk": listing.document_id})
    response = client.post(url, describe_data(listing.course, title="Nieuwe titel"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Je account is geschorst tot" in html
    listing.refresh_from_db()
    assert (listing.title, listing.status) == ("Oude titel", ListingStatus.DRAFT)
