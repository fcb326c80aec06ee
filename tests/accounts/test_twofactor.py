"""Staff two-factor authentication (issue 12, ASVS 6.3.3): a TOTP code after the password before
any /beheer/ page, set-up with a QR code, no replay, throttling, an operator's reset."""

from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from studymarket.accounts.models import User
from studymarket.accounts.twofactor import totp_secret_text
from studymarket.support import urls as support_urls
from tests.factories import UserFactory
from tests.logins import MODEL_BACKEND, PASSWORD, login, totp_code, totp_device

pytestmark = pytest.mark.django_db

VERIFY = "/account/tweestapsverificatie/"
SETUP = "/account/tweestapsverificatie/instellen/"
DASHBOARD = "/beheer/"
UPLOADS = "/beheer/uploads/"
ADMIN_USERS = "/beheer/accounts/user/"
WRONG_CODE = (
    "Deze code klopt niet of is al gebruikt. Typ de code die je app nu toont; staat de klok van je "
    "telefoon goed?"
)


@pytest.fixture
def staff() -> User:
    user: User = UserFactory(email="medewerker@studymarket.test", is_staff=True, is_superuser=True)
    return user


def password_only(client, user: User) -> None:
    """Signed in with the password, no code yet."""
    client.force_login(user, backend=MODEL_BACKEND)


def test_urls():
    assert reverse("accounts:twofactor") == VERIFY
    assert reverse("accounts:twofactor_setup") == SETUP


@pytest.mark.parametrize("url", [DASHBOARD, UPLOADS, "/beheer/grootboek/", ADMIN_USERS])
def test_staff_with_a_device_are_asked_for_the_code_before_any_beheer_page(client, staff, url):
    totp_device(staff)
    password_only(client, staff)

    response = client.get(url, follow=True)

    assert response.redirect_chain[-1][0] == f"{VERIFY}?next={quote(url, safe='')}"
    html = response.content.decode()
    assert "<h1>Tweestapsverificatie</h1>" in html
    assert "Code uit je app" in html
    assert 'autocomplete="one-time-code"' in html


def test_the_right_code_opens_the_back_office_and_the_admin(client, staff):
    device = totp_device(staff)
    password_only(client, staff)

    response = client.post(VERIFY, {"token": totp_code(device), "next": UPLOADS})

    assert response.status_code == 302
    assert response["Location"] == UPLOADS
    assert client.get(UPLOADS).status_code == 200
    assert client.get(DASHBOARD).status_code == 200
    assert client.get(ADMIN_USERS).status_code == 200


def test_a_wrong_code_is_refused_with_a_dutch_reason(client, staff):
    device = totp_device(staff)
    password_only(client, staff)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(VERIFY, {"token": wrong, "next": DASHBOARD})

    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert client.get(DASHBOARD)["Location"].startswith(VERIFY)


def test_a_code_cannot_be_used_twice(client, staff):
    device = totp_device(staff)
    code = totp_code(device)
    password_only(client, staff)
    assert client.post(VERIFY, {"token": code, "next": DASHBOARD}).status_code == 302

    other = type(client)()
    password_only(other, staff)
    response = other.post(VERIFY, {"token": code, "next": DASHBOARD})

    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert other.get(DASHBOARD).status_code == 302


def test_after_a_wrong_code_even_the_right_one_waits(client, staff):
    device = totp_device(staff)
    password_only(client, staff)
    client.post(VERIFY, {"token": "000000" if totp_code(device) != "000000" else "111111"})

    response = client.post(VERIFY, {"token": totp_code(device), "next": DASHBOARD})

    assert response.status_code == 200
    assert (
        "Te veel foute codes na elkaar. Wacht 1 seconden en probeer het dan opnieuw."
        in response.content.decode()
    )
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_staff_without_a_device_set_one_up_with_a_qr_code_and_the_secret(client, staff):
    password_only(client, staff)

    response = client.get(DASHBOARD, follow=True)

    assert response.redirect_chain[-1][0] == f"{SETUP}?next=%2Fbeheer%2F"
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert "<h1>Tweestapsverificatie instellen</h1>" in html
    assert "<svg" in html
    assert f"<code>{totp_secret_text(device)}</code>" in html
    # The same secret on every visit until confirmed: the scanned code stays valid.
    assert f"<code>{totp_secret_text(device)}</code>" in client.get(SETUP).content.decode()
    assert TOTPDevice.objects.filter(user=staff).count() == 1

    response = client.post(SETUP, {"token": totp_code(device), "next": DASHBOARD})

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(DASHBOARD).status_code == 200


def test_set_up_needs_the_right_first_code(client, staff):
    password_only(client, staff)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)

    response = client.post(SETUP, {"token": "12345a"})

    assert WRONG_CODE in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_a_confirmed_device_is_never_shown_again(client, staff):
    device = totp_device(staff)
    password_only(client, staff)

    response = client.get(SETUP)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert totp_secret_text(device) not in client.get(VERIFY).content.decode()


def test_the_whole_way_in_password_then_code(client, staff):
    device = totp_device(staff)
    response = client.post(
        "/account/inloggen/", {"username": staff.email, "password": PASSWORD, "next": UPLOADS}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{VERIFY}?next=%2Fbeheer%2Fuploads%2F"

    response = client.post(VERIFY, {"token": totp_code(device), "next": UPLOADS}, follow=True)

    assert response.redirect_chain == [(UPLOADS, 302)]
    assert response.status_code == 200


def test_the_admin_login_page_sends_people_to_our_login(client, staff):
    response = client.get(ADMIN_USERS, follow=True)

    assert response.redirect_chain[-1][0] == f"/account/inloggen/?next={quote(ADMIN_USERS, safe='/')}"


def test_buyers_are_not_asked_and_the_back_office_stays_closed_to_them(client):
    buyer = UserFactory()
    login(client, buyer)

    assert client.get(VERIFY)["Location"] == "/"
    assert client.get(SETUP)["Location"] == "/"
    assert client.get(UPLOADS).status_code == 403
    assert client.get(DASHBOARD).status_code == 404
    assert client.get(ADMIN_USERS, follow=True).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    assert client.get(VERIFY)["Location"] == f"/account/inloggen/?next={quote(VERIFY, safe='/')}"
    assert client.get(UPLOADS)["Location"] == f"/account/inloggen/?next={quote(UPLOADS, safe='/')}"


def test_the_code_page_keeps_next_on_this_site(client, staff):
    device = totp_device(staff)
    password_only(client, staff)

    response = client.post(VERIFY, {"token": totp_code(device), "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_an_operator_resets_a_lost_device(client, staff):
    totp_device(staff)
    login(client, staff)
    out = StringIO()

    call_command("twofactor_reset", "Medewerker@studymarket.test", stdout=out)

    assert out.getvalue() == (
        "medewerker@studymarket.test: 1 device(s) removed; "
        "a new one is set up at the next sign-in to /beheer/\n"
    )
    assert not TOTPDevice.objects.filter(user=staff).exists()
    # The session verified with the old device is no longer verified.
    assert client.get(DASHBOARD)["Location"] == f"{SETUP}?next=%2Fbeheer%2F"


def test_reset_of_an_unknown_address_says_so():
    with pytest.raises(CommandError, match="no account with the e-mail address niemand@example.nl"):
        call_command("twofactor_reset", "niemand@example.nl")


def test_every_back_office_view_asks_staff_for_the_code(rf, staff):
    """A guard for views added later: each one under support's URLs sends a staff member whose
    session has no code yet to the code page (the decorators of accounts/decorators.py)."""
    totp_device(staff)
    staff.is_verified = lambda: False  # as OTPMiddleware sets it for a session without a code
    answers = {}
    for pattern in support_urls.urlpatterns:
        request = rf.post("/beheer/iets/")
        request.user = staff
        kwargs = dict.fromkeys(pattern.pattern.converters, 1)
        answers[pattern.name] = pattern.callback(request, **kwargs)["Location"]

    assert answers == dict.fromkeys(answers, f"{VERIFY}?next=%2Fbeheer%2Fiets%2F")
