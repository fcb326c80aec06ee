"""Signing in through the pages, as a person does: the password form, and for staff the
authenticator code the back office asks for next (tests/logins.py does the same for Django's
test client)."""

from django.urls import reverse
from playwright.sync_api import Page, expect

from studymarket.accounts.models import User
from tests.logins import PASSWORD, totp_code, totp_device


def log_in(page: Page, email: str) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def staff_log_in(page: Page, staff: User) -> None:
    device = totp_device(staff)
    log_in(page, staff.email)
    page.goto("/beheer/")
    page.get_by_label("Code uit je app").fill(totp_code(device))
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.locator("h1")).to_have_text("Beheer")
