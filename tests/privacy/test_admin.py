"""Staff see the data-rights records read-only, without an export's download key."""

import pytest
from django.test import Client

from studymarket.privacy.export import data_export_request
from tests.factories import UserFactory
from tests.logins import login

pytestmark = pytest.mark.django_db


def test_staff_see_exports_but_not_their_download_key():
    export, _ = data_export_request(user=UserFactory())
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    login(client, staff)
    assert client.get("/beheer/privacy/dataexport/").status_code == 200
    page = client.get(f"/beheer/privacy/dataexport/{export.pk}/change/")
    assert page.status_code == 200
    assert export.token not in page.content.decode()
    assert client.get("/beheer/privacy/retainedtraderrecord/").status_code == 200
