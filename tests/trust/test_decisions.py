"""Staff decisions on a notice: take down at once, ask the seller, the seller's answer, restore,
reject as unfounded; each twice to show a double click is harmless. Upholding (refunds) is in
test_uphold.py."""

import pytest
from django.core import mail
from django.utils import timezone

from studymarket.catalog.models import Listing, ListingStatus
from studymarket.catalog.states import listing_restore
from studymarket.core.models import AuditEvent
from studymarket.selling.services import listing_publish, listing_unpublish
from studymarket.trust.decisions import (
    NoticeDecisionRefused,
    notice_ask_seller,
    notice_reject_unfounded,
    notice_restore,
    notice_seller_respond,
    notice_take_down,
)
from studymarket.trust.models import Measure, NoticeStatus, StatementOfReasons, Strike, StrikeKind
from studymarket.trust.selectors import notice_timeline
from tests.factories import ListingFactory, UserFactory
from tests.trust.factories import NoticeFactory, StaffFactory, seller_user

pytestmark = pytest.mark.django_db


def _status(listing: Listing) -> str:
    return str(Listing.objects.values_list("status", flat=True).get(pk=listing.pk))


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def notice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = NoticeFactory(listing=ListingFactory(title="Marketing Samenvatting"))
    mail.outbox.clear()
    return made


def test_take_down_takes_the_listing_offline_and_sends_a_statement(
    notice, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice_take_down(notice_id=notice.pk, actor=staff, note="Overeenkomst met het boek is duidelijk.")
    with django_capture_on_commit_callbacks(execute=True):
        again = notice_take_down(notice_id=notice.pk, actor=staff)  # a double click

    notice.listing.refresh_from_db()
    assert notice.listing.status == ListingStatus.TAKEN_DOWN
    assert again.taken_down_at is not None
    assert again.listing_status_before == ListingStatus.PUBLISHED
    assert again.status == NoticeStatus.RECEIVED  # an interim measure: still open
    statement = StatementOfReasons.objects.get()
    assert statement.measure == Measure.LISTING_TAKEDOWN
    assert statement.seller == seller_user(notice.listing)
    assert statement.listing == notice.listing
    assert statement.notice == notice
    assert statement.automated is False
    assert "Auteurswet" in statement.legal_ground
    assert "Algemene voorwaarden, artikel 7.1" in statement.terms_clause
    assert statement.explanation == "Overeenkomst met het boek is duidelijk."
    assert notice.number in statement.facts
    assert statement.sent_at is not None
    # The seller gets the statement of reasons; the reporter hears the listing is offline for now.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [seller_user(notice.listing).email, notice.reporter_email]
    )
    sent = next(m for m in mail.outbox if m.to == [seller_user(notice.listing).email])
    to_reporter = next(m for m in mail.outbox if m.to == [notice.reporter_email])
    assert to_reporter.subject == f"Je melding {notice.number}: het document is voorlopig offline gehaald"
    assert "Dit is nog geen besluit." in to_reporter.body
    assert sent.subject == "„Marketing Samenvatting” is offline gehaald: de reden"
    assert "1. Maatregel: Document voorlopig offline gehaald" in sent.body
    assert "Kopers die het al hebben, houden toegang." in sent.body
    assert "6. Bezwaar maken:" in sent.body
    assert f"/meldingen/bezwaar/besluit/{statement.pk}/" in sent.body  # the appeal page (trust.appeals)
    assert (
        AuditEvent.objects.filter(action="listing.taken_down", object_id=str(notice.listing_id)).count() == 1
    )


def test_the_seller_cannot_republish_a_taken_down_listing(notice, staff):
    notice_take_down(notice_id=notice.pk, actor=staff)

    listing_publish(listing=notice.listing)  # the seller's "Publiceren" (selling)
    assert _status(notice.listing) == ListingStatus.TAKEN_DOWN
    listing_unpublish(listing_id=notice.listing.pk, actor=seller_user(notice.listing))
    assert _status(notice.listing) == ListingStatus.TAKEN_DOWN


def test_listing_restore_only_moves_a_taken_down_listing():
    listing = ListingFactory(status=ListingStatus.PUBLISHED)
    assert listing_restore(listing_id=listing.pk, to=ListingStatus.PUBLISHED) is None
    with pytest.raises(ValueError, match="not restored to taken_down"):
        listing_restore(listing_id=listing.pk, to=ListingStatus.TAKEN_DOWN)


def test_ask_seller_then_the_seller_answers_on_the_site(notice, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice_ask_seller(notice_id=notice.pk, actor=staff)
        notice_ask_seller(notice_id=notice.pk, actor=staff)  # a double click: one e-mail

    assert len(mail.outbox) == 1
    asked = mail.outbox[0]
    assert asked.to == [seller_user(notice.listing).email]
    assert asked.subject == "Reageer op een melding over „Marketing Samenvatting”"
    assert f"/meldingen/{notice.number}/reageren/" in asked.body
    assert notice.reporter_email not in asked.body
    assert notice.reporter_name not in asked.body

    answered = notice_seller_respond(
        notice_id=notice.pk, seller=seller_user(notice.listing), text="Eigen werk."
    )
    again = notice_seller_respond(notice_id=notice.pk, seller=seller_user(notice.listing), text="Eigen werk.")
    assert answered.status == again.status == NoticeStatus.SELLER_RESPONDED
    assert again.seller_response == "Eigen werk."
    assert again.seller_responded_at is not None
    assert AuditEvent.objects.filter(action="notice.seller_responded").count() == 1


def test_only_the_seller_may_answer(notice, staff):
    notice_ask_seller(notice_id=notice.pk, actor=staff)
    with pytest.raises(NoticeDecisionRefused, match="Alleen de verkoper"):
        notice_seller_respond(notice_id=notice.pk, seller=UserFactory(), text="Ik ben het niet.")


def test_the_seller_cannot_answer_before_being_asked(notice):
    with pytest.raises(NoticeDecisionRefused, match="niet om een reactie"):
        notice_seller_respond(notice_id=notice.pk, seller=seller_user(notice.listing), text="Hallo")


def test_only_staff_decide(notice):
    with pytest.raises(NoticeDecisionRefused, match="Alleen medewerkers"):
        notice_take_down(notice_id=notice.pk, actor=UserFactory())


def test_restore_brings_the_listing_back_and_tells_both(notice, staff, django_capture_on_commit_callbacks):
    notice_take_down(notice_id=notice.pk, actor=staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notice_restore(notice_id=notice.pk, actor=staff, note="Eigen samenvatting, geen overname.")
    with django_capture_on_commit_callbacks(execute=True):
        restored = notice_restore(notice_id=notice.pk, actor=staff)  # a double click

    notice.listing.refresh_from_db()
    assert notice.listing.status == ListingStatus.PUBLISHED
    assert restored.status == NoticeStatus.RESTORED
    assert restored.decided_by == staff
    assert restored.decided_at is not None
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [notice.reporter_email, seller_user(notice.listing).email]
    )
    to_reporter = next(m for m in mail.outbox if m.to == [notice.reporter_email])
    assert to_reporter.subject == f"Ons besluit over je melding {notice.number}"
    assert "Het document blijft beschikbaar." in to_reporter.body
    assert "Eigen samenvatting, geen overname." in to_reporter.body
    assert "Ben je het niet eens met dit besluit?" in to_reporter.body
    assert "/meldingen/bezwaar/melding/" in to_reporter.body
    assert not Strike.objects.exists()


def test_restore_puts_an_unpublished_listing_back_unpublished(staff):
    notice = NoticeFactory(listing=ListingFactory(status=ListingStatus.UNPUBLISHED))
    notice_take_down(notice_id=notice.pk, actor=staff)
    notice_restore(notice_id=notice.pk, actor=staff)
    notice.listing.refresh_from_db()
    assert notice.listing.status == ListingStatus.UNPUBLISHED


def test_restore_keeps_an_erased_sellers_listing_offline(staff):
    notice = NoticeFactory(listing=ListingFactory())
    notice_take_down(notice_id=notice.pk, actor=staff)
    seller = notice.listing.seller.user
    seller.erased_at = timezone.now()
    seller.save(update_fields=["erased_at"])
    notice_restore(notice_id=notice.pk, actor=staff)
    notice.listing.refresh_from_db()
    assert notice.listing.status == ListingStatus.UNPUBLISHED


def test_a_listing_held_down_by_another_notice_stays_down(staff):
    listing = ListingFactory()
    first, second = NoticeFactory(listing=listing), NoticeFactory(listing=listing)
    notice_take_down(notice_id=first.pk, actor=staff)
    notice_take_down(notice_id=second.pk, actor=staff)

    notice_restore(notice_id=first.pk, actor=staff)
    assert _status(listing) == ListingStatus.TAKEN_DOWN

    notice_restore(notice_id=second.pk, actor=staff)
    assert _status(listing) == ListingStatus.PUBLISHED
    # One statement: the second takedown found the listing down already.
    assert StatementOfReasons.objects.count() == 1


def test_unfounded_gives_the_reporter_a_strike(notice, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice_reject_unfounded(notice_id=notice.pk, actor=staff, note="Geen enkele overeenkomst.")
        notice_reject_unfounded(notice_id=notice.pk, actor=staff)  # a double click

    strike = Strike.objects.get()
    assert (strike.kind, strike.email, strike.notice) == (
        StrikeKind.UNFOUNDED_NOTICE,
        notice.reporter_email,
        notice,
    )
    reporter_mails = [m for m in mail.outbox if m.to == [notice.reporter_email]]
    assert len(reporter_mails) == 1
    assert "kennelijk ongegrond" in reporter_mails[0].body


def test_a_decided_notice_refuses_another_decision(notice, staff):
    notice_restore(notice_id=notice.pk, actor=staff)
    with pytest.raises(NoticeDecisionRefused, match="al beslist"):
        notice_reject_unfounded(notice_id=notice.pk, actor=staff)
    with pytest.raises(NoticeDecisionRefused, match="al beslist"):
        notice_take_down(notice_id=notice.pk, actor=staff)
    with pytest.raises(NoticeDecisionRefused, match="al beslist"):
        notice_ask_seller(notice_id=notice.pk, actor=staff)


def test_the_timeline_shows_the_notice_its_statement_and_the_listing(
    notice, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice_take_down(notice_id=notice.pk, actor=staff)
    notice_restore(notice_id=notice.pk, actor=staff)

    actions = [event.action for event in notice_timeline(notice=notice)]
    assert actions == [
        "notice.received",
        "listing.taken_down",
        "notice.listing_taken_down",
        "statement.created",
        "statement.sent",
        "notice.restored",
        "listing.restored",
    ]
