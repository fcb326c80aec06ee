"""Password hashing (ADR 0031): Argon2id at OWASP's 19 MiB, 2 passes, 1 lane instead of
Django's 100 MiB, and a hash made with Django's parameters is re-hashed at the next login."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password

from studymarket.accounts.hashers import Argon2idPasswordHasher
from studymarket.accounts.models import User
from tests.logins import PASSWORD

pytestmark = pytest.mark.django_db

HASHER = "studymarket.accounts.hashers.Argon2idPasswordHasher"
# What a production settings module has: the test settings put a fast MD5 hasher first.
PRODUCTION_HASHERS = [HASHER, "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS


def test_ours_is_the_first_hasher_outside_tests():
    assert [h for h in settings.PASSWORD_HASHERS if "MD5" not in h] == PRODUCTION_HASHERS


def test_a_new_hash_is_argon2id_with_19_mib_2_passes_1_lane(production_hashers):
    encoded = make_password(PASSWORD)

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(encoded).verify(PASSWORD, encoded)


def test_a_hash_with_djangos_parameters_is_upgraded_at_login(client, production_hashers):
    old = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    assert "$m=102400,t=2,p=8$" in old
    user = User.objects.create(email="oud@example.nl", password=old)

    response = client.post("/account/inloggen/", {"username": "oud@example.nl", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(PASSWORD)


def test_a_current_hash_is_not_rewritten_at_login(client, production_hashers):
    user = User.objects.create(email="nieuw@example.nl", password=make_password(PASSWORD))
    before = user.password

    client.post("/account/inloggen/", {"username": "nieuw@example.nl", "password": PASSWORD})

    user.refresh_from_db()
    assert user.password == before
    assert not Argon2idPasswordHasher().must_update(before)
