"""Issue 12, ASVS 2.4.1 / 6.3.1: sign-up is limited per client IP (RATE_LIMITS["signup_ip"]);
over the limit the answer is 429 with a Dutch page that says when to try again."""

import pytest

from studymarket.accounts.models import User

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/account/aanmelden/"
STRONG = "lange zin als wachtwoord"


def signup(client, n: int, ip: str = "198.51.100.20", **headers: str):
    return client.post(
        SIGNUP_URL,
        {"email": f"student{n}@example.nl", "password": STRONG, "password_confirm": STRONG},
        REMOTE_ADDR=ip,
        **headers,
    )


@pytest.fixture
def three_per_hour(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup_ip": "3/h"}


def test_signups_under_the_limit_go_through(client, three_per_hour):
    for n in range(3):
        client.logout()
        assert signup(client, n).status_code == 302

    assert User.objects.count() == 3


def test_over_the_limit_is_429_with_a_dutch_page(client, three_per_hour):
    for n in range(3):
        client.logout()
        signup(client, n)
    client.logout()

    response = signup(client, 3)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    html = response.content.decode()
    assert "<h1>Even rustig aan</h1>" in html
    assert "Je doet dit te vaak achter elkaar. Probeer het over " in html
    assert User.objects.count() == 3


def test_another_ip_is_not_affected(client, three_per_hour):
    for n in range(4):
        client.logout()
        signup(client, n)
    client.logout()

    assert signup(client, 9, ip="192.0.2.9").status_code == 302
    assert User.objects.filter(email="student9@example.nl").exists()


def test_an_htmx_request_gets_the_fragment(client, three_per_hour):
    for n in range(3):
        client.logout()
        signup(client, n)
    client.logout()

    response = signup(client, 3, HTTP_HX_REQUEST="true")

    assert response.status_code == 429
    html = response.content.decode()
    assert "<html" not in html
    assert '<p class="notice notice-error" role="alert">Je doet dit te vaak achter elkaar.' in html


def test_the_default_limit_allows_a_class_behind_one_address(client):
    # 20 an hour from one IP (a student house, a lecture hall's NAT) by default.
    for n in range(20):
        client.logout()
        assert signup(client, n).status_code == 302
    client.logout()
    assert signup(client, 20).status_code == 429


def test_the_checkouts_inline_signup_counts_too(client, three_per_hour, settings):
    # The same function signs up on the checkout page (accounts.signup.signup_form_submit).
    from django.test import RequestFactory

    from studymarket.accounts.forms import SignupForm
    from studymarket.accounts.signup import signup_form_submit
    from studymarket.core.ratelimits import RateLimited

    for n in range(3):
        client.logout()
        signup(client, n)
    request = RequestFactory().post("/winkelwagen/afrekenen/", REMOTE_ADDR="198.51.100.20")
    form = SignupForm({"email": "nog1@example.nl", "password": STRONG, "password_confirm": STRONG})
    assert form.is_valid()

    with pytest.raises(RateLimited):
        signup_form_submit(request, form)
    assert not User.objects.filter(email="nog1@example.nl").exists()
