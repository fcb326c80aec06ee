import pytest
from django.urls import reverse

from studymarket.accounts.models import User
from tests.factories import UserFactory
from tests.logins import MODEL_BACKEND

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/account/aanmelden/"


def signup_data(**overrides: str) -> dict[str, str]:
    return {
        "email": "Bram@Example.NL",
        "first_name": "Bram",
        "last_name": "de Vries",
        "password": "lange zin als wachtwoord",
        "password_confirm": "lange zin als wachtwoord",
        **overrides,
    }


def test_signup_url():
    assert reverse("accounts:signup") == SIGNUP_URL


def test_signup_page_has_labelled_fields_with_autocomplete(client):
    response = client.get(SIGNUP_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Account aanmaken</h1>" in html
    assert '<label for="id_email">E-mailadres</label>' in html
    assert 'autocomplete="email"' in html
    assert html.count('autocomplete="new-password"') == 2
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'aria-describedby="id_password_helptext"' in html


def test_signup_creates_user_logs_in_and_goes_home(client):
    response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get()
    assert user.email == "bram@example.nl"
    assert (user.first_name, user.last_name) == ("Bram", "de Vries")
    assert user.check_password("lange zin als wachtwoord")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_returns_to_next(client):
    response = client.post(f"{SIGNUP_URL}?next=/account/verkopen/start/", signup_data())

    assert response["Location"] == "/account/verkopen/start/"


def test_signup_next_in_post_body_is_kept(client):
    response = client.post(SIGNUP_URL, {**signup_data(), "next": "/account/verkopen/start/"})

    assert response["Location"] == "/account/verkopen/start/"


def test_signup_ignores_next_to_another_site(client):
    response = client.post(f"{SIGNUP_URL}?next=https://evil.example/steal", signup_data())

    assert response["Location"] == "/"


def test_signup_page_carries_next_to_form_and_login_link(client):
    html = client.get(f"{SIGNUP_URL}?next=/account/verkopen/start/").content.decode()

    assert '<input type="hidden" name="next" value="/account/verkopen/start/">' in html
    assert 'href="/account/inloggen/?next=/account/verkopen/start/"' in html


def test_signup_rejects_short_password(client):
    response = client.post(SIGNUP_URL, signup_data(password="kort-genoeg", password_confirm="kort-genoeg"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password": ["Dit wachtwoord is te kort. Gebruik minstens 12 tekens."]
    }
    assert User.objects.count() == 0


def test_signup_rejects_common_password(client):
    response = client.post(SIGNUP_URL, signup_data(password="qwerty123456", password_confirm="qwerty123456"))

    assert response.context["form"].errors == {"password": ["Dit wachtwoord is te algemeen."]}
    assert User.objects.count() == 0


def test_signup_rejects_mismatched_passwords(client):
    response = client.post(SIGNUP_URL, signup_data(password_confirm="een andere lange zin"))

    assert response.context["form"].errors == {"password_confirm": ["De wachtwoorden komen niet overeen."]}
    assert User.objects.count() == 0


def test_signup_rejects_existing_email_in_other_case(client):
    UserFactory(email="bram@example.nl")

    response = client.post(SIGNUP_URL, signup_data(email="BRAM@example.nl"))

    assert response.context["form"].errors == {"email": ["Er bestaat al een account met dit e-mailadres."]}
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


def test_signup_error_is_tied_to_its_field(client):
    UserFactory(email="bram@example.nl")

    html = client.post(SIGNUP_URL, signup_data()).content.decode()

    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email_error"' in html
    assert '<small id="id_email_error">Er bestaat al een account met dit e-mailadres.</small>' in html
    assert '<div class="notice notice-error" role="alert">' in html


def test_signup_when_logged_in_goes_home(client, anna):
    client.force_login(anna, backend=MODEL_BACKEND)

    response = client.get(SIGNUP_URL)

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signup_shows_email_and_password_errors_together(client):
    UserFactory(email="bram@example.nl")

    response = client.post(SIGNUP_URL, signup_data(password="qwerty123456", password_confirm="qwerty123456"))

    assert response.context["form"].errors == {
        "email": ["Er bestaat al een account met dit e-mailadres."],
        "password": ["Dit wachtwoord is te algemeen."],
    }
