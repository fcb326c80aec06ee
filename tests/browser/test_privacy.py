"""A buyer in Chromium: "Mijn gegevens" → download their data (the ZIP) → "Account verwijderen"
with their password → the link from the e-mail → the account is gone and they are signed out."""

import json
import re
import zipfile
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import Page, expect

from studymarket.accounts.models import User
from tests.factories import UserFactory
from tests.logins import MODEL_BACKEND, PASSWORD
from tests.purchases import listing_with_pdf, purchase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _mailed_path(pattern: str) -> str:
    match = re.search(rf"https?://\S*{pattern}\S*", str(mail.outbox[-1].body))
    assert match is not None, mail.outbox[-1].body
    return urlparse(match.group(0)).path


def test_a_buyer_downloads_their_data_and_deletes_the_account(browser_page: Page, live_server, tmp_path):
    page = browser_page
    buyer = UserFactory(email="wilhelmina@example.nl", first_name="Wilhelmina", last_name="Zwartkruis")
    line = purchase(buyer=buyer, listing=listing_with_pdf(title="Account Management Samenvatting"))
    _log_in(page, live_server, buyer)

    page.goto("/")
    page.get_by_role("link", name="Mijn gegevens").click()
    expect(page.get_by_role("heading", name="Mijn gegevens", exact=True)).to_be_visible()
    page.get_by_role("button", name="Mijn gegevens downloaden").click()
    expect(page.get_by_text("We maken een bestand met je gegevens.")).to_be_visible()
    # The worker ran the task when the request committed (tasks run inline in tests).
    assert mail.outbox[-1].subject == "Je gegevens staan klaar"
    page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Downloaden").click()
    download = download_info.value
    assert download.suggested_filename.startswith("studymarket-gegevens-")
    path = tmp_path / "gegevens.zip"
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        profile = json.loads(archive.read("profile.json"))
        orders = json.loads(archive.read("orders.json"))
    assert profile["account"]["last_name"] == "Zwartkruis"
    assert [order["number"] for order in orders] == [line.order.number]

    page.get_by_role("button", name="Account verwijderen").click()
    page.get_by_label("Je wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Stuur de bevestigingslink").click()
    expect(page.get_by_role("heading", name="Bevestig via je e-mail")).to_be_visible()
    page.goto(_mailed_path("/account-verwijderen/bevestigen/"))
    page.get_by_role("button", name="Account definitief verwijderen").click()
    expect(page.get_by_role("heading", name="Je account is verwijderd")).to_be_visible()
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()  # signed out

    erased = User.objects.get(pk=buyer.pk)
    assert erased.erased_at is not None
    assert erased.last_name == ""
    assert mail.outbox[-1].to == ["wilhelmina@example.nl"]
    assert mail.outbox[-1].subject == "Je account is verwijderd"
