""" "Download PDF" says, before the click, that downloading ends the automatic refund of the
satisfaction guarantee, for as long as that is so (issue 16); the library's rule for it agrees
with the guarantee's own (payments.refunds.policy.guarantee_check), which it cannot import."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from studymarket.core import clock
from studymarket.library.models import Download, Entitlement, StampedCopy
from studymarket.library.selectors import guarantee_lost_by_download
from studymarket.library.services import stamped_copy_build
from studymarket.orders.models import Order
from studymarket.payments.refunds.policy import guarantee_check
from tests.logins import login

pytestmark = pytest.mark.django_db

NOTE = "na het downloaden krijg je je geld niet meer automatisch terug met de tevredenheidsgarantie"


def _pages(client, document_id: int) -> dict[str, str]:
    """The three places the button is drawn: the reader, the list, the block htmx refreshes."""
    return {
        "reader": client.get(reverse("library:read", args=[document_id])).content.decode(),
        "index": client.get(reverse("library:index")).content.decode(),
        "status": client.get(reverse("library:copy_status", args=[document_id])).content.decode(),
    }


@pytest.fixture
def ready(order_line):
    stamped_copy_build(stamped_copy_id=StampedCopy.objects.get().pk)
    return order_line


def test_the_button_says_so_before_the_first_download(client, buyer, ready):
    login(client, buyer)
    document_id = ready.entitlement.document_id
    deadline = ready.order.paid_at + timedelta(days=14)
    with translation.override("nl"):
        date = date_format(timezone.localtime(deadline), "j F Y")  # "21 december 2026"

    for where, html in _pages(client, document_id).items():
        assert (
            f'<button type="submit" class="secondary" aria-describedby="guarantee-note-{document_id}">'
            "Download PDF</button>"
        ) in html, where
        assert (
            f'<p class="guarantee-note" id="guarantee-note-{document_id}"><strong>Let op:</strong> {NOTE} '
            f"(tot en met {date}). Online lezen kan wel.</p>"
        ) in html, where


def test_after_a_download_the_note_is_gone(client, buyer, ready):
    login(client, buyer)
    document_id = ready.entitlement.document_id
    assert client.post(reverse("library:download", args=[document_id])).status_code == 200
    for where, html in _pages(client, document_id).items():
        assert "Download PDF</button>" in html, where
        assert NOTE not in html, where


def test_after_the_window_the_note_is_gone(client, buyer, ready):
    at = clock.now() - timedelta(days=15)
    Order.objects.filter(pk=ready.order_id).update(paid_at=at)
    Entitlement.objects.filter(pk=ready.entitlement_id).update(granted_at=at)
    login(client, buyer)
    for where, html in _pages(client, ready.entitlement.document_id).items():
        assert "Download PDF</button>" in html, where
        assert NOTE not in html, where


def test_the_library_rule_agrees_with_the_guarantee(buyer, ready):
    def both() -> tuple[object, object]:
        line = type(ready).objects.select_related("order").get(pk=ready.pk)
        check = guarantee_check(order_line=line)
        entitlement = Entitlement.objects.get(pk=ready.entitlement_id)
        return guarantee_lost_by_download(entitlement=entitlement), (
            check.deadline if check.automatic else None
        )

    fresh = both()
    assert fresh[0] is not None
    assert fresh[0] == fresh[1]

    def paid(at) -> None:
        Order.objects.filter(pk=ready.order_id).update(paid_at=at)
        Entitlement.objects.filter(pk=ready.entitlement_id).update(granted_at=at)

    paid(clock.now() - timedelta(days=14, minutes=-1))
    last_minute = both()
    assert last_minute[0] is not None
    assert last_minute[0] == last_minute[1]

    paid(clock.now() - timedelta(days=14, minutes=1))
    assert both() == (None, None)

    paid(clock.now())
    Download.objects.create(entitlement_id=ready.entitlement_id, stamped_copy=StampedCopy.objects.get())
    assert both() == (None, None)
