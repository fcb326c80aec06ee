"""Issue 13 (slice leaks), in Chromium: a buyer's copy turns up elsewhere, re-saved with three
pages cut out; staff go from the back office's dashboard to "Wie heeft dit gelekt?", upload it,
see the order and the buyer, and follow the link to the order's page."""

import subprocess

import pytest
from playwright.sync_api import Page, expect

from studymarket.library.models import StampedCopy
from studymarket.library.services import stamped_copy_build
from tests.browser.test_moderation import staff_log_in
from tests.factories import UserFactory
from tests.purchases import listing_with_pdf, purchase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _files_of_their_own(own_storage: None) -> None:
    """Copies and documents in this test's own folder (tests/conftest.py)."""


def test_staff_trace_a_leaked_copy_to_its_order(browser_page: Page, tmp_path):
    buyer = UserFactory(email="anna@example.nl", first_name="Anna", last_name="de Vries")
    line = purchase(buyer=buyer, listing=listing_with_pdf(pages=10, title="Marketing Samenvatting"))
    copy = StampedCopy.objects.get(entitlement=line.entitlement)
    copy = stamped_copy_build(stamped_copy_id=copy.pk)
    source, leaked = tmp_path / "copy.pdf", tmp_path / "gevonden.pdf"
    with copy.file.open("rb") as stored:
        source.write_bytes(stored.read())
    subprocess.run(
        ["qpdf", "--empty", "--pages", str(source), "1-3,7-z", "--", str(leaked)], check=True, timeout=60
    )
    number = line.order.number

    staff_log_in(browser_page, UserFactory(email="staff@studymarket.nl", is_staff=True))
    browser_page.get_by_role("link", name="Wie heeft dit gelekt?").click()
    expect(browser_page.locator("h1")).to_have_text("Wie heeft dit gelekt?")
    browser_page.get_by_label("Gelekte PDF").set_input_files(str(leaked))
    browser_page.get_by_role("button", name="Natrekken").click()

    expect(browser_page.get_by_role("heading", name=f"Gevonden: bestelling {number}")).to_be_visible()
    expect(browser_page.locator("#leak-buyer")).to_have_text("Anna de Vries (anna@example.nl)")
    expect(browser_page.locator("#leak-document")).to_contain_text("Marketing Samenvatting")
    expect(browser_page.locator("#leak-evidence li[data-matched=yes]")).to_have_count(2)
    browser_page.locator("#leak-order").click()
    expect(browser_page.locator("h1")).to_have_text(f"Bestelling {number}")
