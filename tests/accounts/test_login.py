import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.logins import MODEL_BACKEND, PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = "/account/inloggen/"
WRONG_LOGIN = "Het e-mailadres of het wachtwoord klopt niet. Let op hoofdletters in je wachtwoord."
LOCKED_OUT = (
    "Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw of stel je wachtwoord opnieuw in."
)


def test_account_urls():
    assert reverse("accounts:login") == LOGIN_URL
    assert reverse("accounts:logout") == "/account/uitloggen/"


def test_login_page_labels_email_and_links_signup_and_reset(client):
    html = client.get(f"{LOGIN_URL}?next=/account/verkopen/start/").content.decode()

    assert "<h1>Inloggen</h1>" in html
    assert '<label for="id_username">E-mailadres</label>' in html
    assert 'type="email" name="username"' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="current-password"' in html
    assert 'href="/account/wachtwoord-vergeten/"' in html
    assert 'href="/account/aanmelden/?next=/account/verkopen/start/"' in html


def test_login_with_email_in_any_case(client, anna):
    response = client.post(LOGIN_URL, {"username": "Anna@Example.NL", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(anna.pk)


def test_login_returns_to_next(client, anna):
    response = client.post(
        LOGIN_URL, {"username": "anna@example.nl", "password": PASSWORD, "next": "/account/verkopen/start/"}
    )

    assert response["Location"] == "/account/verkopen/start/"


def test_login_with_wrong_password_fails(client, anna):
    response = client.post(LOGIN_URL, {"username": "anna@example.nl", "password": "niet het wachtwoord"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": [WRONG_LOGIN]}
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_out_even_the_right_password(client, anna):
    wrong = {"username": "anna@example.nl", "password": "niet het wachtwoord"}
    statuses = [client.post(LOGIN_URL, wrong).status_code for _ in range(4)]

    locked = client.post(LOGIN_URL, wrong)
    after = client.post(LOGIN_URL, {"username": "anna@example.nl", "password": PASSWORD})

    assert statuses == [200, 200, 200, 200]
    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    html = locked.content.decode()
    assert LOCKED_OUT in html
    assert 'href="/account/wachtwoord-vergeten/"' in html
    assert after.status_code == 429
    assert "_auth_user_id" not in client.session
    # The right password while locked out counts as one more failure.
    assert AccessAttempt.objects.get().failures_since_start == 6


def test_lockout_is_per_email_address(client, anna):
    for _ in range(5):
        client.post(LOGIN_URL, {"username": "someone@example.nl", "password": "niet het wachtwoord"})

    response = client.post(LOGIN_URL, {"username": "anna@example.nl", "password": PASSWORD})

    assert response.status_code == 302


def test_logout_refuses_get(client, anna):
    client.force_login(anna, backend=MODEL_BACKEND)

    response = client.get("/account/uitloggen/")

    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(anna.pk)


def test_logout_by_post(client, anna):
    client.force_login(anna, backend=MODEL_BACKEND)

    response = client.post("/account/uitloggen/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
