"""/api/docs: Swagger UI from the site's own static files (works offline, under the site's
strict CSP: no CDN, no inline script), reading /api/openapi.json."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_everything_from_the_site_itself(client: Client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(sources) == 4
    assert [s for s in sources if not s.startswith("/static/")] == []
    for source in sources:
        assert finders.find(re.sub(r"^/static/|\.[0-9a-f]{12}(?=\.\w+$)", "", source)), source
    assert "<script>" not in html  # every script from a file
    found = re.search(r'data-swagger-settings="([^"]+)"', html)
    assert found is not None
    settings = json.loads(found.group(1).replace("&quot;", '"'))
    assert settings["url"] == "/api/openapi.json"
    assert "script-src 'self'" in response["Content-Security-Policy"]
