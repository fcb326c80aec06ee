"""Issue 12, finding 5: weak passwords ("wachtwoord123", "aaaaaaaaaaaa", "qwertyuiopas") were
accepted. Django's lists plus a Dutch list and zxcvbn (accounts.passwords), each refusal with
one Dutch explanation, at sign-up, on the reset form and wherever validate_password runs."""

import re

import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.core import mail
from django.core.exceptions import ValidationError

from studymarket.accounts.models import User
from studymarket.accounts.passwords import dutch_common_word, dutch_words
from studymarket.storefront.demo.people import DEMO_PASSWORD
from tests.logins import PASSWORD

SIGNUP_URL = "/account/aanmelden/"
ADVICE = "Kies bijvoorbeeld een zin van vier of meer losse woorden die niet bij elkaar horen."
DUTCH_WORD = (
    "Dit wachtwoord is een veelgebruikt woord, met hooguit cijfers of tekens erbij. "
    "Zulke wachtwoorden worden als eerste geraden. " + ADVICE
)
REPEATS = "Dit wachtwoord herhaalt steeds dezelfde tekens, zoals „aaaa” of „abcabc”. " + ADVICE
KEYBOARD = "Dit wachtwoord is een rij toetsen op het toetsenbord, zoals „qwerty” of „azerty”. " + ADVICE
SEQUENCE = "Dit wachtwoord is een reeks, zoals „abcd” of „1234”. " + ADVICE


def refusals(password: str, user: User | None = None) -> list[str]:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def signup(client, password: str):
    return client.post(
        SIGNUP_URL,
        {
            "email": "bram@example.nl",
            "first_name": "Bram",
            "last_name": "de Vries",
            "password": password,
            "password_confirm": password,
        },
    )


@pytest.mark.django_db
def test_wachtwoord123_is_refused_at_signup_with_a_dutch_explanation(client):
    response = signup(client, "wachtwoord123")

    assert response.status_code == 200
    assert response.context["form"].errors == {"password": [DUTCH_WORD]}
    assert "Dit wachtwoord is een veelgebruikt woord, met hooguit cijfers of tekens erbij." in (
        response.content.decode()
    )
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("wachtwoord123", DUTCH_WORD),
        ("aaaaaaaaaaaa", REPEATS),
        ("qwertyuiopas", KEYBOARD),
        ("azertyuiopqs", KEYBOARD),
        ("abcdefghijkl", SEQUENCE),
        ("welkomwelkom", REPEATS),
    ],
)
@pytest.mark.django_db
def test_the_reported_weak_passwords_are_refused_at_signup(client, password, message):
    response = signup(client, password)

    assert response.context["form"].errors == {"password": [message]}
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    "password",
    [
        "Wachtwoord2024",
        "WACHTWOORD!!!!",
        "w4chtw00rd123",
        "wacht-woord-99",
        "2024welkom!!!",
        "feyenoord1908",
        "Ajax-Amsterdam1900",
        "schatje12345",
        "ikhouvanjou123",
        "zomervakantie!",
    ],
)
def test_dutch_words_with_digits_years_symbols_or_swaps_are_refused(password):
    assert refusals(password) == [DUTCH_WORD]


def test_the_dutch_list_ships_with_a_few_hundred_words_and_no_variants():
    words = dutch_words()

    assert len(words) >= 300
    assert {"wachtwoord", "welkom", "geheim", "voetbal", "ajax", "feyenoord", "zomer", "winter"} <= words
    assert {"liefde", "schatje"} <= words
    # Digits and years are the validator's business, not the list's.
    assert not [word for word in words if re.search(r"\d", word)]


def test_a_list_word_inside_a_longer_sentence_is_no_dutch_word():
    assert dutch_common_word("welkom in mijn lange zin") is None
    assert dutch_common_word("demo-wachtwoord-2026") is None


def test_breached_passwords_are_refused_offline():
    # In zxcvbn's frequency lists of leaked passwords; in neither Django's list nor the Dutch one.
    for password in ("letmeinplease", "michaeljordan", "Liverpool1892"):
        assert refusals(password) == [
            "Dit wachtwoord, of het grootste deel ervan, staat in lijsten van uitgelekte wachtwoorden. "
            + ADVICE
        ]


def test_the_site_name_counts_against_the_password():
    assert refusals("mystudymarket") == [
        "Dit wachtwoord lijkt te veel op je naam, je e-mailadres of de naam van deze site. " + ADVICE
    ]


def test_the_users_own_name_is_refused_once():
    user = User(email="marloes.dekker@example.nl", first_name="Marloes", last_name="Dekker")

    # Django's similarity rule explains it; "marloes" is on the Dutch list too, which stays quiet.
    assert refusals("Marloes1990!!", user=user) == ["Het wachtwoord lijkt te veel op de voornaam."]
    assert refusals("Dekker.Marloes!", user=user) == ["Het wachtwoord lijkt te veel op de e-mailadres."]


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        DEMO_PASSWORD,
        "een lang en geheim wachtwoord",
        "lange zin als wachtwoord",
        "een nieuw lang wachtwoord",
        "bench-wachtwoord-2026",
        "paraplu fiets wolk schaakbord",
        "x" * 40 + "Zq8!paraplu",  # over zxcvbn's 72 characters is fine too
        "een zin van honderd tekens " * 4,
    ],
)
def test_strong_passwords_the_tests_and_the_demo_use_pass(password):
    assert refusals(password) == []


def test_each_refusal_has_one_explanation():
    # The older rules speak for themselves; the new ones stay quiet about what they refuse.
    assert refusals("kort-genoeg") == ["Dit wachtwoord is te kort. Gebruik minstens 12 tekens."]
    assert refusals("qwerty123456") == ["Dit wachtwoord is te algemeen."]
    assert refusals("123456789012") == ["Dit wachtwoord bevat alleen cijfers."]


def test_signup_help_text_names_the_new_rules(client, db):
    html = client.get(SIGNUP_URL).content.decode()

    assert (
        "Je wachtwoord mag geen veelgebruikt woord zijn, ook niet met cijfers of een jaartal erbij." in html
    )
    assert "rij toetsen (zoals qwerty)" in html


@pytest.mark.django_db
def test_the_reset_form_refuses_a_weak_new_password(client, anna):
    client.post("/account/wachtwoord-vergeten/", {"email": "anna@example.nl"})
    [message] = mail.outbox
    link = re.search(r"http://testserver(/account/wachtwoord-herstellen/\S+/\S+/)", str(message.body))
    assert link
    set_password_url = client.get(link.group(1))["Location"]

    response = client.post(
        set_password_url, {"new_password1": "wachtwoord123", "new_password2": "wachtwoord123"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"new_password2": [DUTCH_WORD]}


@pytest.mark.django_db
def test_a_password_change_refuses_a_weak_new_password(anna):
    form = PasswordChangeForm(
        anna,
        {"old_password": PASSWORD, "new_password1": "qwertyuiopas", "new_password2": "qwertyuiopas"},
    )

    assert not form.is_valid()
    assert form.errors == {"new_password2": [KEYBOARD]}
