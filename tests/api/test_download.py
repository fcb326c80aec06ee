"""GET /api/v1/library/{listing_id}/download gives the buyer their stamped PDF exactly as the
site's download does (library.services: the same copy, recorded as a download, which ends the
automatic refund), 202 while it is being made; nobody else gets a byte."""

import pytest
from django.test import Client

from studymarket.library.models import Download, StampedCopy
from studymarket.library.services import entitlement_revoke, stamped_copy_build
from studymarket.orders.models import OrderLine
from tests.api.tokens import bearer, call
from tests.factories import SellerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _path(line: OrderLine) -> str:
    return f"/api/v1/library/{line.listing_id}/download"


def test_the_buyer_gets_the_stamped_copy_and_it_counts_as_a_download(client: Client, order_line: OrderLine):
    token = bearer(order_line.order.buyer, "read")
    library = call(client, "GET", "/api/v1/library", token).json()
    (item,) = library["items"]
    assert item["guarantee_until"] is not None
    assert item["guarantee_note"].startswith("Let op: na het downloaden krijg je je geld niet meer")
    assert item["download_url"] == f"http://testserver{_path(order_line)}"

    pending = call(client, "GET", _path(order_line), token)
    assert pending.status_code == 202
    assert pending["Retry-After"] == "2"
    assert not Download.objects.exists()

    copy = stamped_copy_build(stamped_copy_id=StampedCopy.objects.get().pk)
    response = call(client, "GET", _path(order_line), token)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="account-management-samenvatting-{order_line.order.number}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    with copy.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert list(Download.objects.values_list("entitlement_id", flat=True)) == [order_line.entitlement_id]
    # Downloaded: the guarantee's automatic refund is over, so no more note.
    (after,) = call(client, "GET", "/api/v1/library", token).json()["items"]
    assert (after["guarantee_until"], after["guarantee_note"]) == (None, "")


def test_nobody_else_gets_it_and_a_refund_ends_it(client: Client, order_line: OrderLine):
    stamped_copy_build(stamped_copy_id=StampedCopy.objects.get().pk)
    seller = order_line.listing.seller
    for token in (
        bearer(UserFactory(), "read"),
        bearer(seller.user, "read"),
        bearer(SellerFactory().user, "read"),
    ):
        response = call(client, "GET", _path(order_line), token)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    assert order_line.entitlement_id is not None
    assert entitlement_revoke(entitlement_id=order_line.entitlement_id, reason="refund")
    buyer = bearer(order_line.order.buyer, "read")
    assert call(client, "GET", _path(order_line), buyer).status_code == 404
    assert call(client, "GET", "/api/v1/library", buyer).json() == {"items": [], "count": 0}
    assert not Download.objects.exists()
