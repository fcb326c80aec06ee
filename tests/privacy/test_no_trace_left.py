"""Issue 13, done when: a buyer downloads their data and deletes their account, after which
`manage.py ledger_check` still prints "ledger balanced" and the buyer's name and e-mail appear
nowhere (every field of every row of every installed model, every stored file). The same for a
seller with sales and a payout: the ledger balanced, the listing offline, the buyer still reads it."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from studymarket.accounts.models import User
from studymarket.accounts.services import seller_payout_details_update
from studymarket.accounts.tasks import password_reset_mail_task
from studymarket.catalog.models import Follow, Listing, ListingStatus
from studymarket.checkout.models import Cart, CartItem
from studymarket.core import clock
from studymarket.ledger.models import Payout, PayoutBatch, PayoutStatus
from studymarket.ledger.payouts.services import payout_batch_create, payout_mark_paid, payout_request
from studymarket.ledger.postings import earnings_release_due
from studymarket.library.models import StampedCopy
from studymarket.library.services import stamped_copy_build
from studymarket.orders.models import OrderLine
from studymarket.orders.services import order_receipt_send
from studymarket.reviews.models import Review
from studymarket.trust.models import Appeal, Notice
from tests.factories import ListingFactory, PaymentFactory, SellerFactory, UserFactory, document_with_pages
from tests.logins import login
from tests.privacy.flows import account_delete, data_download
from tests.privacy.traces import files_naming, rows_naming
from tests.purchases import listing_with_pdf, purchase, version_with_pdf

pytestmark = pytest.mark.django_db

BUYER = {"email": "wilhelmina.zwartkruis@example.nl", "first_name": "Wilhelmina", "last_name": "Zwartkruis"}
SELLER = {"email": "hendrika.blauwvoet@example.be", "first_name": "Hendrika", "last_name": "Blauwvoet"}


def ledger_check_output() -> str:
    out = StringIO()
    call_command("ledger_check", "--no-record", stdout=out)
    return out.getvalue().strip()


def storage_folders(data_dir: Path) -> list[Path]:
    return [data_dir / "private", data_dir / "public"]


def copy_built_for(line: OrderLine) -> StampedCopy:
    copy = StampedCopy.objects.get(entitlement=line.entitlement)
    return stamped_copy_build(stamped_copy_id=copy.pk)


def test_a_buyer_downloads_their_data_deletes_the_account_and_no_trace_is_left(
    data_dir, django_capture_on_commit_callbacks
):
    buyer = UserFactory(**BUYER)
    needles = [BUYER["email"], "Wilhelmina Zwartkruis", "Wilhelmina", "Zwartkruis"]
    listing = listing_with_pdf(title="Account Management Samenvatting")
    line = purchase(buyer=buyer, listing=listing)
    PaymentFactory(order=line.order, paid=True)
    order_receipt_send(order_id=line.order_id)  # the audit log notes the address it went to
    copy = copy_built_for(line)
    assert files_naming(storage_folders(data_dir), ["Wilhelmina Zwartkruis"]) != []  # the stamp
    Review.objects.create(
        listing=listing,
        author=buyer,
        order_line=line,
        rating=5,
        text="Top! Wilhelmina",
        created_at=timezone.now(),
    )
    Follow.objects.create(user=buyer, seller=listing.seller)
    CartItem.objects.create(cart=Cart.objects.create(user=buyer), listing=ListingFactory())
    notice = Notice.objects.create(
        number="M-2026-0001",
        listing=ListingFactory(),
        location="http://testserver/x",
        kind="copyright",
        explanation="Mijn werk.",
        reporter=buyer,
        reporter_name="Wilhelmina Zwartkruis",
        reporter_email=BUYER["email"],
        good_faith=True,
        deadline_at=timezone.now() + timedelta(days=3),
    )
    Appeal.objects.create(notice=notice, appellant=buyer, appellant_email=BUYER["email"], text="Oneens.")
    AccessAttempt.objects.create(
        username=BUYER["email"], ip_address="127.0.0.1", user_agent="x", get_data="", post_data="",
        http_accept="*/*", path_info="/account/inloggen/", failures_since_start=1,
    )  # fmt: skip
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}):
        # A password-reset mail waiting for the worker: its task row holds the address.
        password_reset_mail_task.enqueue(BUYER["email"], "testserver", False, "nl")
    assert DBTaskResult.objects.count() == 1
    client = Client()
    login(client, buyer)
    client.post(reverse("library:download", args=[listing.document_id]))

    data = data_download(client, django_capture_on_commit_callbacks)
    assert data["profile.json"]["account"]["email"] == BUYER["email"]
    assert data["orders.json"][0]["number"] == line.order.number
    assert data["library.json"]["downloads"]
    assert "mark" not in data["library.json"]["stamped_copies"][0]
    assert data["reviews.json"][0]["text"] == "Top! Wilhelmina"
    assert data["payments.json"][0]["status"] == "paid"
    assert "idempotency_key" not in data["payments.json"][0]
    assert "checkout_url" not in data["payments.json"][0]
    assert data["reports.json"]["notices"][0]["number"] == "M-2026-0001"
    assert b"Bewaartermijn" in data["README.txt"]
    assert "bestanden" in data["README.json"]

    export_zip = files_naming(storage_folders(data_dir), ["wilhelmina.zwartkruis@example.nl"])
    assert any(".zip" in hit for hit in export_zip)
    assert len(rows_naming(needles)) > 10  # the search finds them while they are there
    account_delete(client, django_capture_on_commit_callbacks)

    assert mail.outbox[-1].to == [BUYER["email"]]
    assert mail.outbox[-1].subject == "Je account is verwijderd"
    assert ledger_check_output() == "ledger balanced"
    assert rows_naming(needles) == []
    assert files_naming(storage_folders(data_dir), needles) == []
    erased = User.objects.get(pk=buyer.pk)
    assert erased.erased_at is not None
    assert not erased.is_active
    assert not erased.has_usable_password()
    assert erased.email.endswith("@verwijderd.invalid")
    # Kept for the books and for leak tracing, without the name.
    copy.refresh_from_db()
    assert copy.mark
    assert copy.file.name == ""
    assert Review.objects.get(author=buyer).text == "Top! [verwijderd]"
    assert not Follow.objects.filter(user=buyer).exists()
    assert not Cart.objects.filter(user=buyer).exists()
    assert not any(s.get_decoded().get("_auth_user_id") == str(buyer.pk) for s in Session.objects.all())
    assert client.get(reverse("privacy:index")).status_code == 302  # signed out


def test_a_seller_with_sales_and_a_payout_deletes_the_account(data_dir, django_capture_on_commit_callbacks):
    user = UserFactory(**SELLER)
    seller = SellerFactory(
        user=user, display_name="Blauwvoet Samenvattingen", slug="blauwvoet-samenvattingen"
    )
    seller.bio = "Ik ben Hendrika."
    seller.save()
    seller_payout_details_update(
        seller=seller, account_holder="Hendrika Blauwvoet", iban="NL20INGB0001234567", schedule="request"
    )
    listing = ListingFactory(seller=seller, document=document_with_pages(seller=seller, page_count=5))
    assert listing.document.current_version is not None
    version_with_pdf(listing.document.current_version)
    reader = UserFactory()
    purchase(buyer=reader, listing=listing)
    purchase(buyer=UserFactory(), listing=listing)
    earnings_release_due(now=clock.now() + timedelta(days=15))
    staff = UserFactory(is_staff=True)
    payout = payout_request(seller=seller, request_key="p" * 32)
    batch = payout_batch_create(actor=staff)
    assert batch is not None
    assert "Hendrika Blauwvoet" in batch.document
    payout_mark_paid(payout_id=payout.pk, actor=staff)
    needles = [SELLER["email"], "Hendrika Blauwvoet", "Hendrika", "Blauwvoet"]

    client = Client()
    login(client, user)
    data = data_download(client, django_capture_on_commit_callbacks)
    assert data["profile.json"]["seller_profile"]["payout_iban"] == "NL20INGB0001234567"
    assert [p["status"] for p in data["selling.json"]["payouts"]] == [PayoutStatus.PAID]
    assert len(data["selling.json"]["sales"]) == 2
    assert len(rows_naming(needles)) > 5
    account_delete(client, django_capture_on_commit_callbacks)

    assert ledger_check_output() == "ledger balanced"
    assert rows_naming(needles) == []
    assert files_naming(storage_folders(data_dir), needles) == []
    assert Listing.objects.get(pk=listing.pk).status == ListingStatus.UNPUBLISHED
    payout.refresh_from_db()
    assert payout.iban == "NL20INGB0001234567"
    assert payout.account_holder == ""
    assert "[verwijderd]" in PayoutBatch.objects.get(pk=batch.pk).document
    # The buyer still reads what they paid for.
    reader_client = Client()
    login(reader_client, reader)
    assert reader_client.get(reverse("library:read", args=[listing.document_id])).status_code == 200
    assert Payout.objects.filter(seller=seller).count() == 1
