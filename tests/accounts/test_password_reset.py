import re

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

pytestmark = pytest.mark.django_db

RESET_URL = "/account/wachtwoord-vergeten/"
NEW_PASSWORD = "een nieuw lang wachtwoord"


def test_reset_urls():
    assert reverse("accounts:password_reset") == RESET_URL
    assert reverse("accounts:password_reset_done") == "/account/wachtwoord-vergeten/verstuurd/"
    assert reverse("accounts:password_reset_complete") == "/account/wachtwoord-herstellen/klaar/"


def request_link(client, email: str) -> str:
    response = client.post(RESET_URL, {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/account/wachtwoord-vergeten/verstuurd/"
    assert len(mail.outbox) == 1
    match = re.search(
        r"http://testserver(/account/wachtwoord-herstellen/[^/\s]+/[^/\s]+/)", str(mail.outbox[0].body)
    )
    assert match
    return match.group(1)


def test_reset_mail_is_dutch_text_with_html_alternative(client, anna):
    request_link(client, "Anna@example.nl")

    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["anna@example.nl"]
    assert message.subject == "Nieuw wachtwoord voor studymarket"
    assert message.body.startswith("Hallo,\n\nIemand (hopelijk jij) heeft gevraagd om een nieuw wachtwoord")
    assert "anna@example.nl" in message.body
    assert "Heb je dit niet zelf gevraagd?" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert 'href="http://testserver/account/wachtwoord-herstellen/' in str(html)


def test_reset_link_sets_new_password_that_logs_in(client, anna):
    link = request_link(client, "anna@example.nl")

    form_page = client.get(link, follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    assert set_password_url.endswith("/set-password/")
    assert form_page.context["validlink"] is True
    assert 'autocomplete="new-password"' in form_page.content.decode()

    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/account/wachtwoord-herstellen/klaar/"
    assert "Je nieuwe wachtwoord is opgeslagen." in client.get(done["Location"]).content.decode()

    login = client.post("/account/inloggen/", {"username": "anna@example.nl", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(anna.pk)


def test_reset_link_works_once(client, anna):
    link = request_link(client, "anna@example.nl")
    set_password_url = client.get(link)["Location"]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link)

    assert again.context["validlink"] is False
    assert "Deze link werkt niet meer" in again.content.decode()


def test_reset_rejects_weak_new_password(client, anna):
    link = request_link(client, "anna@example.nl")
    set_password_url = client.get(link)["Location"]

    response = client.post(
        set_password_url, {"new_password1": "qwerty123456", "new_password2": "qwerty123456"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"new_password2": ["Dit wachtwoord is te algemeen."]}


def test_reset_for_unknown_address_sends_nothing_and_says_the_same(client, db):
    response = client.post(RESET_URL, {"email": "niemand@example.nl"})

    assert response.status_code == 302
    assert response["Location"] == "/account/wachtwoord-vergeten/verstuurd/"
    assert mail.outbox == []
