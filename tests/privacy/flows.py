"""The data-rights steps as a person takes them, through the pages: ask for the data and download
it, then delete the account with the password, the link from the e-mail and the last button."""

import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.logins import PASSWORD

Capture = Callable[..., Any]  # pytest-django's django_capture_on_commit_callbacks


def last_link(pattern: str) -> str:
    """The path of the last e-mail's link that matches ``pattern``."""
    body = str(mail.outbox[-1].body)
    match = re.search(rf"https?://\S*{pattern}\S*", body)
    assert match is not None, body
    return urlparse(match.group(0)).path


def data_download(client: Client, capture: Capture) -> dict[str, Any]:
    """Ask for the data on "Mijn gegevens", follow the e-mail's link, open the ZIP: its files,
    the JSON ones read."""
    with capture(execute=True):
        response = client.post(reverse("privacy:export_request"))
    assert response.status_code == 302
    assert mail.outbox[-1].subject == "Je gegevens staan klaar"
    response = client.get(last_link("/mijn-gegevens/downloaden/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    return {
        name: json.loads(archive.read(name)) if name.endswith(".json") else archive.read(name)
        for name in archive.namelist()
    }


def account_delete(client: Client, capture: Capture) -> None:
    """Password, e-mailed link, last button: the account is erased."""
    with capture(execute=True):
        response = client.post(reverse("privacy:erase"), {"password": PASSWORD})
    assert response.status_code == 200
    assert "Bevestig via je e-mail" in response.content.decode()
    assert mail.outbox[-1].subject == "Bevestig dat je je account wilt verwijderen"
    link = last_link("/account-verwijderen/bevestigen/")
    response = client.get(link)
    assert response.status_code == 200
    assert "Account definitief verwijderen" in response.content.decode()
    with capture(execute=True):
        response = client.post(link)
    assert response.status_code == 200, response.content.decode()
    assert "Je account is verwijderd" in response.content.decode()
