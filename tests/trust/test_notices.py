"""Receiving a notice (DSA art. 16): the deadline by kind, the receipt e-mail at once, double
submits, the good-faith statement, suspended reporters, and the staff queue's order."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from studymarket.core.models import AuditEvent
from studymarket.trust.models import Notice, NoticeKind, NoticeStatus, Strike, StrikeKind
from studymarket.trust.notices import NoticeRefused, notice_create
from studymarket.trust.selectors import notices_open
from tests.factories import ListingFactory, UserFactory
from tests.trust.factories import NoticeFactory

pytestmark = pytest.mark.django_db


def _report(listing, **fields):
    data = {
        "listing": listing,
        "kind": NoticeKind.COPYRIGHT,
        "explanation": "Pagina 3 tot 40 komen uit mijn boek.",
        "location": "https://studymarket.test/document/1/x/",
        "reporter_name": "Rita Rechthebbende",
        "reporter_email": "Rita@Uitgever.test",
        "good_faith": True,
    }
    return notice_create(**{**data, **fields})


def test_a_notice_gets_a_number_a_deadline_by_kind_and_an_audit_record(settings):
    settings.TRUST_NOTICE_DEADLINE_HOURS = 72
    settings.TRUST_NOTICE_DEADLINE_HOURS_ILLEGAL = 24
    listing = ListingFactory()

    copyright_notice = _report(listing)
    illegal = _report(listing, kind=NoticeKind.ILLEGAL, explanation="Bevat persoonsgegevens van anderen.")

    assert copyright_notice.number.startswith("M-")
    assert len(copyright_notice.number) == 10
    assert copyright_notice.status == NoticeStatus.RECEIVED
    assert copyright_notice.reporter_email == "rita@uitgever.test"
    assert copyright_notice.deadline_at - copyright_notice.created_at == pytest.approx(
        timedelta(hours=72), abs=timedelta(seconds=5)
    )
    assert illegal.deadline_at - illegal.created_at == pytest.approx(
        timedelta(hours=24), abs=timedelta(seconds=5)
    )
    event = AuditEvent.objects.get(action="notice.received", object_id=str(copyright_notice.pk))
    assert event.data == {"kind": "copyright", "listing": listing.pk}


def test_the_reporter_gets_a_receipt_at_once(django_capture_on_commit_callbacks):
    listing = ListingFactory(title="Account Management Samenvatting Odisee")
    with django_capture_on_commit_callbacks(execute=True):
        notice = _report(listing)

    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == ["rita@uitgever.test"]
    assert receipt.subject == f"We hebben je melding {notice.number} ontvangen"
    assert "Hallo Rita Rechthebbende," in receipt.body
    assert "„Account Management Samenvatting Odisee”" in receipt.body
    assert f"Meldingsnummer: {notice.number}" in receipt.body
    assert "Soort melding: Auteursrecht" in receipt.body


def test_the_same_report_sent_twice_is_one_notice(django_capture_on_commit_callbacks):
    listing = ListingFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = _report(listing)
        second = _report(listing)

    assert first.pk == second.pk
    assert Notice.objects.count() == 1
    assert len(mail.outbox) == 1


def test_without_the_good_faith_statement_no_notice_is_taken():
    with pytest.raises(NoticeRefused, match="te goeder trouw"):
        _report(ListingFactory(), good_faith=False)
    assert not Notice.objects.exists()


def test_an_empty_explanation_is_refused():
    with pytest.raises(NoticeRefused, match="Leg uit waarom"):
        _report(ListingFactory(), explanation="   ")


def test_a_suspended_account_cannot_report():
    user = UserFactory(suspended_until=timezone.now() + timedelta(days=3))
    with pytest.raises(NoticeRefused, match="tijdelijk geen meldingen"):
        _report(ListingFactory(), reporter=user, reporter_email=user.email)
    assert not Notice.objects.exists()


def test_an_account_whose_suspension_ended_can_report_again():
    user = UserFactory(suspended_until=timezone.now() - timedelta(minutes=1))
    notice = _report(ListingFactory(), reporter=user, reporter_email=user.email)
    assert notice.reporter == user


def test_an_address_suspended_by_the_strike_rules_cannot_report(settings):
    """trust/strikes.py suspends a reporter after TRUST_STRIKES_SUSPEND manifestly unfounded
    notices; their address is refused, even without an account."""
    settings.TRUST_STRIKES_WARNING = 1
    settings.TRUST_STRIKES_SUSPEND = 2
    from studymarket.trust.strikes import strike_record

    for _ in range(2):
        notice = NoticeFactory(reporter_email="veelmelder@example.test")
        strike_record(notice=notice, kind=StrikeKind.UNFOUNDED_NOTICE)
    assert Strike.objects.filter(email="veelmelder@example.test").count() == 2

    with pytest.raises(NoticeRefused, match="tijdelijk geen meldingen"):
        _report(ListingFactory(), reporter_email="VeelMelder@example.test")


def test_notices_open_lists_undecided_notices_soonest_deadline_first():
    later = NoticeFactory(kind=NoticeKind.COPYRIGHT)
    sooner = NoticeFactory(kind=NoticeKind.ILLEGAL)
    decided = NoticeFactory()
    Notice.objects.filter(pk=decided.pk).update(status=NoticeStatus.UNFOUNDED)

    assert list(notices_open()) == [sooner, later]
    assert sooner.get_staff_url() == f"/beheer/meldingen/{sooner.number}/"
