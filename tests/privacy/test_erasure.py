"""Erasure (GDPR art. 17): the password, the signed link (expiring, bound to the account), the
last button; refused for staff and while money is still moving; harmless to repeat."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from studymarket.accounts.models import SellerKind, User
from studymarket.core.models import AuditEvent
from studymarket.ledger.payouts.services.requests import payout_request
from studymarket.payments.models import RefundReason, RefundRequest
from studymarket.privacy.erasure import account_erase, trader_records_purge
from studymarket.privacy.erasure_links import erasure_token_make
from studymarket.privacy.models import RetainedTraderRecord
from tests.factories import SellerFactory, UserFactory
from tests.logins import PASSWORD, login, totp_device
from tests.privacy.flows import last_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna():
    return UserFactory(email="anna@example.nl", first_name="Anna", last_name="de Vries")


def signed_in(user: User) -> Client:
    client = Client()
    login(client, user)
    return client


def test_a_wrong_password_sends_nothing(anna):
    response = signed_in(anna).post(reverse("privacy:erase"), {"password": "niet mijn wachtwoord"})
    assert response.status_code == 200
    assert "Dit wachtwoord klopt niet. Probeer het opnieuw." in response.content.decode()
    assert mail.outbox == []


def test_password_attempts_are_limited(anna, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "erasure_password_user": "2/h"}
    client = signed_in(anna)
    statuses = [client.post(reverse("privacy:erase"), {"password": "fout"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_link_opens_a_page_that_erases_only_on_its_button(anna):
    client = signed_in(anna)
    client.post(reverse("privacy:erase"), {"password": PASSWORD})
    assert mail.outbox[0].to == ["anna@example.nl"]
    link = last_link("/account-verwijderen/bevestigen/")
    assert Client().get(link).status_code == 200  # a mail scanner following it changes nothing
    anna.refresh_from_db()
    assert anna.erased_at is None
    assert AuditEvent.objects.filter(action="account.erasure_requested", object_id=str(anna.pk)).exists()


def test_following_the_link_twice_is_harmless(anna):
    link = reverse("privacy:erase_confirm", args=[erasure_token_make(user=anna)])
    client = signed_in(anna)
    assert client.post(link).status_code == 200
    again = client.post(link)
    assert again.status_code == 400
    assert "Is je account al verwijderd, dan hoef je niets meer te doen." in again.content.decode()
    assert AuditEvent.objects.filter(action="account.erased", object_id=str(anna.pk)).count() == 1
    assert account_erase(user_id=anna.pk) is False


def test_an_expired_or_edited_link_erases_nothing(anna, settings):
    token = erasure_token_make(user=anna)
    edited = Client().post(reverse("privacy:erase_confirm", args=[token[:-2] + "xx"]))
    assert edited.status_code == 400
    settings.PRIVACY_ERASURE_LINK_HOURS = 0
    expired = Client().post(reverse("privacy:erase_confirm", args=[token]))
    assert expired.status_code == 400
    assert "De link is verlopen" in expired.content.decode()
    anna.refresh_from_db()
    assert anna.erased_at is None


def test_a_password_change_ends_the_links_sent_before_it(anna):
    token = erasure_token_make(user=anna)
    anna.set_password("Een ander lang wachtwoord van vandaag!")
    anna.save()
    assert Client().post(reverse("privacy:erase_confirm", args=[token])).status_code == 400


def test_staff_cannot_erase_themselves(anna):
    staff = UserFactory(is_staff=True)
    totp_device(staff)
    response = signed_in(staff).get(reverse("privacy:erase"))
    assert "vraag een andere beheerder" in response.content.decode().lower()
    response = Client().post(reverse("privacy:erase_confirm", args=[erasure_token_make(user=staff)]))
    assert response.status_code == 409
    assert TOTPDevice.objects.filter(user=staff).exists()
    assert User.objects.get(pk=staff.pk).erased_at is None


def test_an_open_refund_request_holds_the_erasure_until_settled(order_line):
    RefundRequest.objects.create(
        order_line=order_line,
        buyer=order_line.order.buyer,
        reason=RefundReason.POOR_QUALITY,
        within_window=True,
        downloaded=False,
    )
    client = signed_in(order_line.order.buyer)
    response = client.post(reverse("privacy:erase"), {"password": PASSWORD})
    assert response.status_code == 409
    assert "Wacht tot het is afgehandeld" in response.content.decode()
    assert mail.outbox == []


def test_a_payout_on_its_way_holds_the_erasure(django_capture_on_commit_callbacks):
    from tests.ledger.test_payouts_services import seller_with_available

    seller = seller_with_available(lines=2)
    payout_request(seller=seller, request_key="q" * 32)
    response = signed_in(seller.user).get(reverse("privacy:erase"))
    assert "Er is een uitbetaling onderweg naar je rekening." in response.content.decode()


def test_earnings_still_held_hold_the_erasure():
    from tests.ledger.ledger_helpers import paid_line

    seller = SellerFactory()
    paid_line(seller=seller)
    response = signed_in(seller.user).get(reverse("privacy:erase"))
    assert "€ 6,27 aan verdiensten in de garantietermijn" in response.content.decode()


def test_a_traders_details_are_kept_apart_for_six_months_then_deleted(settings):
    seller = SellerFactory(
        seller_kind=SellerKind.BUSINESS,
        trader_legal_name="Bijles BV",
        trader_email="info@bijles.example",
        trader_registration_number="12345678",
    )
    assert account_erase(user_id=seller.user_id)
    seller.refresh_from_db()
    assert seller.trader_legal_name == ""
    assert seller.trader_registration_number == ""
    record = RetainedTraderRecord.objects.get(seller_profile_id=seller.pk)
    assert record.data["trader_legal_name"] == "Bijles BV"
    assert record.retained_until.date() == (timezone.now() + timedelta(days=183)).date()
    assert trader_records_purge() == 0
    RetainedTraderRecord.objects.update(retained_until=timezone.now() - timedelta(seconds=1))
    assert trader_records_purge() == 1
