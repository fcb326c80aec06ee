""" "Jaaroverzicht": the seller's yearly earnings statement. Its figures come from the ledger and
agree with it after sales, a refund before and one after the release, a payout that was paid and
one that failed, across two years; the PDF and the CSV carry them; only the seller sees theirs."""

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
import time_machine

from studymarket.core.money import Money
from studymarket.ledger.postings import earnings_release_due
from studymarket.selling.earnings_statement import earnings_statement_get, earnings_statement_years
from tests.factories import SellerFactory, UserFactory
from tests.ledger.ledger_helpers import paid_line, payout_make, payout_settle, refund_line, seller_cents
from tests.logins import MODEL_BACKEND

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_balanced")]

AMS = ZoneInfo("Europe/Amsterdam")
URL = "/verkopen/jaaroverzicht/"


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=AMS)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def history():
    """Two years of one seller's money, each step on its own day:

    2025: sales A (€ 9,49) and C (€ 15,00) and B (€ 9,49); B refunded while held; A and C released
    (€ 6,27 + € 9,92 available); a payout of € 10,00 paid, one of € 2,00 failed and came back.
    2026: sale D (€ 9,49, held); A refunded after its release: € 6,19 from available, € 0,08 debt.
    """
    seller = SellerFactory()
    with time_machine.travel(at(2025, 3, 10), tick=False):
        a = paid_line(seller=seller, price_cents=949)
        c = paid_line(seller=seller, price_cents=1500)
        b = paid_line(seller=seller, price_cents=949)
    with time_machine.travel(at(2025, 3, 12), tick=False):
        refund_line(b)
    with time_machine.travel(at(2025, 3, 30), tick=False):
        assert earnings_release_due() == 2
    with time_machine.travel(at(2025, 4, 2), tick=False):
        paid = payout_settle(payout_make(seller, 1000), paid=True)
    with time_machine.travel(at(2025, 4, 3), tick=False):
        failed = payout_settle(payout_make(seller, 200), paid=False)
    with time_machine.travel(at(2026, 1, 15), tick=False):
        d = paid_line(seller=seller, price_cents=949)
        refund_line(a)
    return {"seller": seller, "a": a, "b": b, "c": c, "d": d, "paid": paid, "failed": failed}


def test_the_figures_agree_with_the_ledger(history):
    seller = history["seller"]
    with time_machine.travel(at(2026, 2, 1), tick=False):
        assert earnings_statement_years(seller_id=seller.pk) == [2026, 2025]
        y2025 = earnings_statement_get(seller=seller, year=2025)
        y2026 = earnings_statement_get(seller=seller, year=2026)

    a, b, c = history["a"], history["b"], history["c"]
    assert [(r.order_number, r.price, r.vat, r.commission, r.earnings) for r in y2025.sales] == [
        (a.order.number, Money(949), Money(165), Money(157), Money(627)),
        (c.order.number, Money(1500), Money(260), Money(248), Money(992)),
        (b.order.number, Money(949), Money(165), Money(157), Money(627)),
    ]
    assert [(r.order_number, r.earnings, r.commission) for r in y2025.refunds] == [
        (b.order.number, Money(627), Money(157))
    ]
    assert y2025.sales_total.earnings == Money(2246)
    assert y2025.commission_total == Money(157 + 248)
    assert y2025.earnings_total == Money(627 + 992)
    assert [(p.amount, p.failed, p.reference) for p in y2025.payouts] == [
        (Money(1000), False, f"SM-PAYOUT-{history['paid'].pk}"),
        (Money(200), False, f"SM-PAYOUT-{history['failed'].pk}"),
        (Money(-200), True, f"SM-PAYOUT-{history['failed'].pk}"),
    ]
    assert [p.status for p in y2025.payouts] == ["Uitbetaald", "Mislukt", "Mislukt"]
    assert y2025.payouts_total == Money(1000)
    assert (y2025.opening_balance, y2025.closing_balance) == (Money(0), Money(619))

    # 2026 starts where 2025 ended, and ends at what the seller's accounts hold now.
    assert [r.order_number for r in y2026.sales] == [history["d"].order.number]
    assert [(r.order_number, r.earnings) for r in y2026.refunds] == [(a.order.number, Money(627))]
    assert y2026.earnings_total == Money(0)
    assert y2026.payouts == []
    held, available, debt = seller_cents(seller)
    assert (held, available, debt) == (627, 0, 8)
    assert y2026.opening_balance == y2025.closing_balance
    assert y2026.closing_balance == Money(held + available - debt)
    for statement in (y2025, y2026):
        assert statement.closing_balance == (
            statement.opening_balance + statement.earnings_total - statement.payouts_total
        )


def _pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pdf)
    finally:
        pdf.close()


def test_the_pdf_carries_the_figures(client, history):
    seller = history["seller"]
    client.force_login(seller.user, backend=MODEL_BACKEND)

    with time_machine.travel(at(2026, 2, 1), tick=False):
        response = client.get(f"{URL}2025/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="jaaroverzicht-2025-studymarket.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = _pdf_text(response.content)
    a, b, c = history["a"], history["b"], history["c"]
    for expected in [
        "Jaaroverzicht 2025",
        seller.display_name,
        "Opgemaakt op 1 februari 2026",
        "Saldo op 1 januari 2025 € 0,00",
        "3 verkopen, prijs incl. btw € 33,98",
        "Verdiensten uit verkopen € 22,46",
        "1 terugbetaling € -6,27",
        "Jouw verdiensten dit jaar € 16,19",
        "Uitbetaald naar je rekening € -10,00",
        "Saldo op 31 december 2025 € 6,19",
        "Commissie betaald (verkopen min terugbetalingen) € 4,05",
        f"10 maart 2025 {a.order.number}",
        f"{a.title} € 9,49 € 1,65 € 1,57 € 6,27",
        f"{c.title} € 15,00 € 2,60 € 2,48 € 9,92",
        f"12 maart 2025 {b.order.number}",
        f"2 april 2025 € 10,00 SM-PAYOUT-{history['paid'].pk} Uitbetaald",
        "Mislukt, teruggeboekt op je saldo",
    ]:
        assert expected in text, expected


def test_the_csv_columns_and_rows(client, history):
    seller = history["seller"]
    client.force_login(seller.user, backend=MODEL_BACKEND)

    with time_machine.travel(at(2026, 2, 1), tick=False):
        response = client.get(f"{URL}2025/csv/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="jaaroverzicht-2025-studymarket.csv"'
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    a, b = history["a"], history["b"]
    assert rows[0] == [
        "Soort",
        "Datum",
        "Bestelnummer",
        "Document",
        "Prijs incl. btw",
        "Btw",
        "Commissie",
        "Jouw verdiensten",
        "Uitbetaald",
        "Referentie",
    ]
    assert rows[1] == [
        "Verkoop",
        "10-03-2025",
        a.order.number,
        a.title,
        "9,49",
        "1,65",
        "1,57",
        "6,27",
        "",
        "",
    ]
    assert rows[4] == [
        "Terugbetaling",
        "12-03-2025",
        b.order.number,
        b.title,
        "-9,49",
        "-1,65",
        "-1,57",
        "-6,27",
        "",
        "",
    ]
    assert rows[5] == [
        "Uitbetaling",
        "02-04-2025",
        "",
        "",
        "",
        "",
        "",
        "",
        "10,00",
        f"SM-PAYOUT-{history['paid'].pk}",
    ]
    assert rows[7][0] == "Mislukte uitbetaling"
    assert rows[7][8] == "-2,00"
    assert rows[8] == ["Totaal", "", "", "", "24,49", "4,25", "4,05", "16,19", "10,00", ""]
    assert rows[9][0] == "Saldo 1 januari"
    assert rows[9][7] == "0,00"
    assert rows[10][0] == "Saldo einde periode"
    assert rows[10][7] == "6,19"
    assert len(rows) == 11


def test_the_page_offers_the_years_with_activity(client, history):
    seller = history["seller"]
    client.force_login(seller.user, backend=MODEL_BACKEND)

    with time_machine.travel(at(2026, 2, 1), tick=False):
        html = client.get(URL).content.decode()
        chosen = client.get(URL, {"jaar": "2025"}).content.decode()
        nonsense = client.get(URL, {"jaar": "1999"})

    assert re.findall(r'<option value="(\d+)"', html) == ["2026", "2025"]
    assert '<option value="2026" selected>' in html
    assert 'href="/verkopen/jaaroverzicht/2026/pdf/"' in html
    assert 'href="/verkopen/jaaroverzicht/2025/csv/"' in chosen
    page = _text(chosen)
    assert "Jaaroverzicht 2025" in page
    assert "Jouw verdiensten dit jaar € 16,19" in page
    assert "Uitbetaald naar je rekening € 10,00" in page
    assert "Saldo nu of op 31 december € 6,19" in page
    assert nonsense.status_code == 200
    assert '<option value="2026" selected>' in nonsense.content.decode()


def test_the_dashboard_links_to_it(client):
    seller = SellerFactory()
    client.force_login(seller.user, backend=MODEL_BACKEND)

    html = client.get("/verkopen/").content.decode()

    assert f'<a href="{URL}" role="button" class="secondary" id="statement-link">Jaaroverzicht</a>' in html
    empty = _text(client.get(URL).content.decode())
    assert "Je hebt nog geen verkopen of uitbetalingen." in empty


def test_only_the_seller_gets_their_statement(client, history):
    other = SellerFactory()
    with time_machine.travel(at(2026, 1, 20), tick=False):
        own = paid_line(seller=other, price_cents=499)
    client.force_login(other.user, backend=MODEL_BACKEND)

    with time_machine.travel(at(2026, 2, 1), tick=False):
        # No URL names a seller: another seller's year is simply not theirs.
        assert client.get(f"{URL}2025/pdf/").status_code == 404
        assert client.get(f"{URL}2025/csv/").status_code == 404
        response = client.get(f"{URL}2026/csv/")

    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    assert own.order.number in content
    assert history["d"].order.number not in content
    assert history["a"].order.number not in content

    client.force_login(UserFactory(), backend=MODEL_BACKEND)  # not a seller
    assert client.get(f"{URL}2026/pdf/").status_code == 302
    client.logout()
    response = client.get(f"{URL}2026/pdf/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/inloggen/")
