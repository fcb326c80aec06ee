"""Sessions (issue 12; ASVS 7.2.4, 7.4.3, 6.2.2/6.2.3): a new session key at login and after the
staff code, other sessions ended after a password change (this one stays) and after a reset."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from studymarket.accounts.models import User
from tests.factories import UserFactory
from tests.logins import MODEL_BACKEND, PASSWORD, login, totp_code, totp_device

pytestmark = pytest.mark.django_db

CHANGE = "/account/wachtwoord-wijzigen/"
NEW_PASSWORD = "Een geheel nieuwe zin van vandaag!"
# A page that needs a signed-in user: it answers 200 to them and sends anyone else to log in.
SIGNED_IN_PAGE = "/account/verkopen/start/"


def signed_in(client: Client) -> bool:
    return client.get(SIGNED_IN_PAGE).status_code == 200


def test_login_gives_a_new_session_key(client, anna):
    session = client.session
    session["iets"] = "van voor het inloggen"
    session.save()
    before = client.cookies["sessionid"].value

    response = client.post("/account/inloggen/", {"username": anna.email, "password": PASSWORD})

    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert client.session["_auth_user_id"] == str(anna.pk)


def test_the_staff_code_gives_a_new_session_key_too(client):
    staff = UserFactory(is_staff=True)
    device = totp_device(staff)
    client.force_login(staff, backend=MODEL_BACKEND)
    before = client.cookies["sessionid"].value

    assert client.post("/account/tweestapsverificatie/", {"token": totp_code(device)}).status_code == 302

    assert client.cookies["sessionid"].value != before
    assert client.get("/beheer/").status_code == 200


def test_the_change_password_page_asks_for_the_current_password(client, anna):
    login(client, anna)

    html = client.get(CHANGE).content.decode()

    assert "<h1>Wachtwoord wijzigen</h1>" in html
    assert 'name="old_password"' in html
    assert 'name="new_password1"' in html
    assert 'name="new_password2"' in html

    response = client.post(
        CHANGE,
        {
            "old_password": "niet mijn wachtwoord",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    anna.refresh_from_db()
    assert anna.check_password(PASSWORD)


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(client, anna):
    other_device = Client()
    login(client, anna)
    login(other_device, anna)
    assert signed_in(other_device)
    before = client.cookies["sessionid"].value

    response = client.post(
        CHANGE,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [("/", 302)]
    assert "Je wachtwoord is gewijzigd. Op je andere apparaten ben je uitgelogd." in response.content.decode()
    assert signed_in(client)
    assert client.cookies["sessionid"].value != before
    assert not signed_in(other_device)
    assert other_device.get(SIGNED_IN_PAGE)["Location"] == f"/account/inloggen/?next={SIGNED_IN_PAGE}"


def test_a_password_reset_ends_every_session(client, anna):
    other_device = Client()
    login(other_device, anna)
    assert signed_in(other_device)
    uid = urlsafe_base64_encode(force_bytes(anna.pk))
    token = default_token_generator.make_token(anna)

    form_page = client.get(f"/account/wachtwoord-herstellen/{uid}/{token}/", follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response["Location"] == "/account/wachtwoord-herstellen/klaar/"
    anna.refresh_from_db()
    assert anna.check_password(NEW_PASSWORD)
    assert not signed_in(other_device)
    assert not signed_in(client)


def test_logout_ends_the_session_and_its_staff_verification(client):
    staff: User = UserFactory(is_staff=True)
    login(client, staff)
    assert client.get("/beheer/").status_code == 200
    key = client.cookies["sessionid"].value

    client.post("/account/uitloggen/")

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/beheer/").status_code == 302
