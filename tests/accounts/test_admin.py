import pytest

from studymarket.accounts.models import User
from studymarket.accounts.services import seller_profile_create
from tests.logins import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    admin = User.objects.create_superuser(email="beheer@example.nl", password="lange zin als wachtwoord")
    login(client, admin)
    return client


def test_staff_can_look_up_users_without_seeing_the_hash(staff_client, anna):
    listing = staff_client.get("/beheer/accounts/user/?q=anna")
    detail = staff_client.get(f"/beheer/accounts/user/{anna.pk}/change/")

    assert listing.status_code == 200
    assert "anna@example.nl" in listing.content.decode()
    assert detail.status_code == 200
    assert anna.password not in detail.content.decode()
    assert "password" not in detail.context["adminform"].form.fields


def test_staff_can_look_up_sellers(staff_client, anna):
    seller_profile_create(user=anna, display_name="Anna Samenvat")

    response = staff_client.get("/beheer/accounts/sellerprofile/?q=samenvat")

    assert response.status_code == 200
    assert "Anna Samenvat" in response.content.decode()


@pytest.mark.parametrize("url", ["/beheer/accounts/user/add/", "/beheer/accounts/sellerprofile/add/"])
def test_admin_cannot_add(staff_client, url):
    assert staff_client.get(url).status_code == 403


def test_admin_cannot_delete(staff_client, anna):
    assert staff_client.get(f"/beheer/accounts/user/{anna.pk}/delete/").status_code == 403


def test_admin_change_form_does_not_save(staff_client, anna):
    staff_client.post(
        f"/beheer/accounts/user/{anna.pk}/change/", {"email": "ander@example.nl", "is_staff": "on"}
    )

    anna.refresh_from_db()
    assert (anna.email, anna.is_staff) == ("anna@example.nl", False)
