"""Erasing an account ends the person's sessions everywhere they are kept: sessions are read from
the cache and written through to the database (SESSION_ENGINE cached_db), so a session deleted
from the database alone would go on working from the cache."""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from studymarket.privacy.erasure import account_erase
from tests.factories import UserFactory
from tests.logins import login

pytestmark = pytest.mark.django_db


def _cached(session_key: str) -> object:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return caches[settings.SESSION_CACHE_ALIAS].get(store.cache_key_prefix + session_key)


def test_erasure_ends_every_session_of_the_person_in_the_cache_too():
    person, someone_else = UserFactory(), UserFactory()
    phone, laptop, other = Client(), Client(), Client()
    for client, user in ((phone, person), (laptop, person), (other, someone_else)):
        login(client, user)
    keys = [client.cookies[settings.SESSION_COOKIE_NAME].value for client in (phone, laptop)]
    other_key = other.cookies[settings.SESSION_COOKIE_NAME].value
    assert all(_cached(key) is not None for key in keys)

    assert account_erase(user_id=person.pk)

    for key in keys:
        assert _cached(key) is None
        assert not Session.objects.filter(session_key=key).exists()
    assert laptop.get(reverse("privacy:index")).status_code == 302  # signed out
    assert _cached(other_key) is not None
    assert other.get(reverse("privacy:index")).status_code == 200
