"""The dashboard reads a fixed number of queries however many documents the seller has: its
selector reads only the columns the page shows (selling.selectors), so a column it forgot would
cost a query per row, which this test catches."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from studymarket.catalog.models import ListingStatus
from studymarket.documents.models import DocumentVersion, VersionStatus
from tests.factories import DocumentFactory, DocumentVersionFactory, ListingFactory, SellerFactory
from tests.logins import MODEL_BACKEND

pytestmark = pytest.mark.django_db


def _dashboard_queries(client: Client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("selling:sell_dashboard"))
    assert response.status_code == 200
    return len(context), response.content.decode()


def test_the_dashboard_takes_the_same_queries_for_many_documents(client):
    seller = SellerFactory()
    first = ListingFactory(seller=seller, title="Samenvatting Marketing", price_cents=949)
    DocumentVersion.objects.filter(document=first.document).update(status=VersionStatus.ACCEPTED)
    client.force_login(seller.user, backend=MODEL_BACKEND)
    one, _html = _dashboard_queries(client)

    second = ListingFactory(seller=seller, title="Statistiek", status=ListingStatus.UNPUBLISHED)
    DocumentVersion.objects.filter(document=second.document).update(status=VersionStatus.ACCEPTED)
    DocumentVersionFactory(document=second.document, number=2, status=VersionStatus.PROCESSING)
    DocumentVersionFactory(
        document=DocumentFactory(seller=seller), original_name="scan.pdf", status=VersionStatus.REJECTED
    )
    many, html = _dashboard_queries(client)

    assert many == one
    assert '<span class="pill">Online</span>' in html
    assert '<span class="pill">Wordt verwerkt</span>' in html  # the newest version of "Statistiek"
    assert '<small class="muted">versie 2</small>' in html
    assert '<span class="pill">Geweigerd</span>' in html
    assert "scan.pdf" in html
    assert "<td>€ 9,49</td>" in html
