"""Each app that makes an event tells the right person in the site's bell (and no one else),
once, however often its producer runs."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from studymarket.catalog.follows import follow_create, follow_notifications_send
from studymarket.ledger.models import Payout, PayoutStatus
from studymarket.ledger.payouts.states import payout_transition
from studymarket.ledger.postings import earnings_release_due
from studymarket.notifications.models import Notification, NotificationKind
from studymarket.orders.services import order_create, order_mark_paid
from studymarket.payments.refunds import refund_request_create, refund_request_reject
from studymarket.payments.refunds.mail import refund_notify
from studymarket.reviews.services import review_create
from studymarket.trust.decisions import notice_ask_seller, notice_restore, notice_take_down
from studymarket.trust.models import StatementOfReasons
from tests.factories import CourseFactory, ListingFactory, SellerFactory, UserFactory
from tests.ledger.ledger_helpers import now, paid_line, payout_make
from tests.payments.refunding import downloaded, first_line, paid_order
from tests.trust.factories import NoticeFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _told(kind: NotificationKind) -> list[tuple[int, dict, str]]:
    return [(n.recipient_id, n.params, n.url) for n in Notification.objects.filter(kind=kind).order_by("pk")]


# --- Orders: a sale -----------------------------------------------------------------------------


def test_a_paid_order_tells_each_seller_of_their_line_once():
    first, second = (
        ListingFactory(price_cents=949, title="Marketing"),
        ListingFactory(price_cents=500, title="Recht"),
    )
    buyer = UserFactory()
    order = order_create(buyer=buyer, listings=[first, second])

    order_mark_paid(order_id=order.pk)
    order_mark_paid(order_id=order.pk)  # the webhook and the return page both

    assert _told(NotificationKind.SALE) == [
        (
            first.seller.user_id,
            {"title": "Marketing", "amount": 949, "currency": "EUR"},
            "/verkopen/verdiensten/",
        ),
        (
            second.seller.user_id,
            {"title": "Recht", "amount": 500, "currency": "EUR"},
            "/verkopen/verdiensten/",
        ),
    ]
    assert not Notification.objects.filter(recipient=buyer).exists()


def test_history_loaded_after_the_fact_tells_no_one():
    order = order_create(buyer=UserFactory(), listings=[ListingFactory()])

    order_mark_paid(order_id=order.pk, send_receipt=False)

    assert not Notification.objects.exists()


def test_a_document_paid_twice_is_one_sale_for_the_seller():
    listing = ListingFactory()
    buyer = UserFactory()
    order_mark_paid(order_id=order_create(buyer=buyer, listings=[listing]).pk)
    order_mark_paid(order_id=order_create(buyer=buyer, listings=[listing]).pk)

    assert Notification.objects.filter(kind=NotificationKind.SALE).count() == 1


# --- Reviews ------------------------------------------------------------------------------------


def test_a_review_tells_the_seller_with_its_rating():
    line = paid_line()

    review_create(author=line.order.buyer, order_line=line, rating=4, text="Duidelijk.")

    assert _told(NotificationKind.REVIEW) == [
        (
            line.seller.user_id,
            {"title": line.title, "rating": 4},
            f"{line.listing.get_absolute_url()}#reviews",
        )
    ]


def test_a_backdated_review_from_the_demo_tells_no_one():
    line = paid_line()

    review_create(
        author=line.order.buyer,
        order_line=line,
        rating=5,
        text="Top.",
        created_at=timezone.now() - timedelta(days=9),
    )

    assert not Notification.objects.exists()


# --- Follows ------------------------------------------------------------------------------------


def test_a_new_document_tells_its_followers_once_named_after_what_they_follow():
    seller, course = SellerFactory(display_name="Sanne"), CourseFactory(name="Bedrijfskunde")
    by_seller, by_course, other = UserFactory(), UserFactory(), UserFactory()
    follow_create(user=by_seller, seller=seller)
    follow_create(user=by_course, course=course)
    follow_create(user=other, course=CourseFactory())
    listing = ListingFactory(seller=seller, course=course, title="Samenvatting H1-4")

    follow_notifications_send(listing_id=listing.pk)
    follow_notifications_send(listing_id=listing.pk)  # the reconcile sweep queued it again

    url = listing.get_absolute_url()
    assert sorted(_told(NotificationKind.NEW_LISTING_FROM_FOLLOWED)) == sorted(
        [
            (by_seller.pk, {"title": "Samenvatting H1-4", "source": "Sanne", "seller_id": seller.pk}, url),
            (by_course.pk, {"title": "Samenvatting H1-4", "source": "Bedrijfskunde"}, url),
        ]
    )
    assert not Notification.objects.filter(recipient__in=[other, seller.user]).exists()


# --- Refunds ------------------------------------------------------------------------------------


def test_a_refund_tells_the_buyer_and_the_seller(django_capture_on_commit_callbacks):
    line = first_line(paid_order())
    Notification.objects.all().delete()  # the sale's

    with django_capture_on_commit_callbacks(execute=True):
        refund_request_create(buyer=line.order.buyer, order_line=line, reason="poor_quality", explanation="")
    refund_notify(refund_id=line.refunds.get().pk)  # the task again: nobody is told twice

    params = {"title": line.title, "amount": 949, "currency": "EUR"}
    assert _told(NotificationKind.REFUND_BUYER) == [(line.order.buyer_id, params, "/mijn-documenten/")]
    assert _told(NotificationKind.REFUND_SELLER) == [(line.seller.user_id, params, "/verkopen/verdiensten/")]
    assert Notification.objects.count() == 2


def test_a_rejected_request_tells_the_buyer(django_capture_on_commit_callbacks):
    line = first_line(paid_order())
    downloaded(line)
    request = refund_request_create(
        buyer=line.order.buyer, order_line=line, reason="poor_quality", explanation=""
    )

    with django_capture_on_commit_callbacks(execute=True):
        refund_request_reject(request_id=request.pk, actor=UserFactory(is_staff=True), note="Al gedownload.")

    assert _told(NotificationKind.REFUND_REJECTED) == [
        (line.order.buyer_id, {"title": line.title}, f"/betalen/geld-terug/{line.pk}/")
    ]


# --- Notice and action --------------------------------------------------------------------------


def test_a_notice_tells_the_seller_and_the_reporter_with_an_account(django_capture_on_commit_callbacks):
    reporter = UserFactory()
    notice = NoticeFactory(reporter=reporter)
    staff = StaffFactory()
    seller_user_id = notice.listing.seller.user_id

    with django_capture_on_commit_callbacks(execute=True):
        notice_ask_seller(notice_id=notice.pk, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        notice_take_down(notice_id=notice.pk, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        notice_restore(notice_id=notice.pk, actor=staff, note="Eigen werk.")

    params = {"number": notice.number, "title": notice.listing.title}
    assert _told(NotificationKind.REPORT) == [
        (seller_user_id, params, f"/meldingen/{notice.number}/reageren/")
    ]
    assert _told(NotificationKind.REPORT_TAKEN_DOWN) == [(reporter.pk, params, "")]
    ((recipient, decided_params, url),) = _told(NotificationKind.REPORT_DECIDED)
    assert (recipient, decided_params) == (reporter.pk, params)
    assert url.startswith("/meldingen/bezwaar/melding/")
    # The seller: the statement of reasons of the takedown, then their document back online.
    statement = StatementOfReasons.objects.get(notice=notice)
    assert _told(NotificationKind.STATEMENT) == [
        (seller_user_id, {"title": notice.listing.title}, f"/meldingen/bezwaar/besluit/{statement.pk}/")
    ]
    assert _told(NotificationKind.LISTING_RESTORED) == [
        (seller_user_id, params, notice.listing.get_absolute_url())
    ]
    assert not Notification.objects.filter(recipient=staff).exists()


def test_a_reporter_without_an_account_gets_only_the_e_mail(django_capture_on_commit_callbacks):
    notice = NoticeFactory(reporter=None)
    staff = StaffFactory()

    with django_capture_on_commit_callbacks(execute=True):
        notice_take_down(notice_id=notice.pk, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        notice_restore(notice_id=notice.pk, actor=staff)

    assert not Notification.objects.filter(
        kind__in=[NotificationKind.REPORT_TAKEN_DOWN, NotificationKind.REPORT_DECIDED]
    ).exists()


# --- Payouts ------------------------------------------------------------------------------------


def _payout(cents: int = 627) -> Payout:
    line = paid_line(seller=SellerFactory())
    earnings_release_due(now=now() + timedelta(days=15))
    return payout_make(line.seller_id, cents)


def _apply(payout: Payout, to: PayoutStatus, **changes: object) -> None:
    with transaction.atomic():
        locked = Payout.objects.select_for_update().get(pk=payout.pk)
        payout_transition(locked, to=to, changes=changes)


@pytest.mark.usefixtures("ledger_balanced")
def test_a_payout_paid_and_one_failed_tell_the_seller():
    paid, failed = _payout(627), _payout(300)
    for payout in (paid, failed):
        _apply(payout, PayoutStatus.SENT)
    _apply(paid, PayoutStatus.PAID)
    _apply(failed, PayoutStatus.FAILED, failure_reason="IBAN onbekend")

    assert _told(NotificationKind.PAYOUT_PAID) == [
        (paid.seller.user_id, {"amount": 627, "currency": "EUR"}, "/verkopen/verdiensten/")
    ]
    assert _told(NotificationKind.PAYOUT_FAILED) == [
        (failed.seller.user_id, {"amount": 300, "currency": "EUR"}, "/verkopen/verdiensten/")
    ]
    assert not Notification.objects.filter(
        kind=NotificationKind.PAYOUT_PAID, recipient=failed.seller.user
    ).exists()
