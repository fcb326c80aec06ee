"""The earnings statement as a spreadsheet: one row per sale, refund, correction and payout,
then the year's totals and balances, in the form Dutch Excel opens by double-click (";" between
fields, a decimal comma, UTF-8 with a byte-order mark, dates as 31-12-2026)."""

from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.core.money import Money
from studymarket.core.spreadsheets import csv_amount, csv_document, csv_text
from studymarket.selling.earnings_statement import EarningsStatement, SaleRow


def _amount(money: Money | None) -> str:
    return "" if money is None else csv_amount(money)


def _day(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y")


def earnings_statement_header() -> list[str]:
    return [
        _("Soort"),
        _("Datum"),
        _("Bestelnummer"),
        _("Document"),
        _("Prijs incl. btw"),
        _("Btw"),
        _("Commissie"),
        _("Jouw verdiensten"),
        _("Uitbetaald"),
        _("Referentie"),
    ]


def _sale(kind: str, row: SaleRow, sign: int) -> list[str]:
    return [
        kind,
        _day(row.booked_at),
        row.order_number,
        csv_text(row.title),
        _amount(Money(sign * row.price.cents, row.price.currency)),
        _amount(Money(sign * row.vat.cents, row.vat.currency)),
        _amount(Money(sign * row.commission.cents, row.commission.currency)),
        _amount(Money(sign * row.earnings.cents, row.earnings.currency)),
        "",
        "",
    ]


def _rows(statement: EarningsStatement) -> list[Sequence[str]]:
    rows: list[Sequence[str]] = [_sale(_("Verkoop"), row, 1) for row in statement.sales]
    rows += [
        _sale(_("Terugboeking") if row.chargeback else _("Terugbetaling"), row, -1)
        for row in statement.refunds
    ]
    rows += [
        [_("Correctie"), _day(a.booked_at), "", csv_text(a.description)]
        + ["", "", "", _amount(a.amount), "", ""]
        for a in statement.adjustments
    ]
    rows += [
        [
            _("Mislukte uitbetaling") if p.failed else _("Uitbetaling"),
            _day(p.booked_at),
            "",
            "",
            "",
            "",
            "",
            "",
            _amount(p.amount),
            csv_text(p.reference),
        ]
        for p in statement.payouts
    ]
    sales, refunds = statement.sales_total, statement.refunds_total
    rows += [
        [
            _("Totaal"),
            "",
            "",
            "",
            _amount(sales.price - refunds.price),
            _amount(sales.vat - refunds.vat),
            _amount(statement.commission_total),
            _amount(statement.earnings_total),
            _amount(statement.payouts_total),
            "",
        ],
        [_("Saldo 1 januari"), "", "", "", "", "", "", _amount(statement.opening_balance), "", ""],
        [_("Saldo einde periode"), "", "", "", "", "", "", _amount(statement.closing_balance), "", ""],
    ]
    return rows


def earnings_statement_csv(statement: EarningsStatement) -> bytes:
    return csv_document(earnings_statement_header(), _rows(statement))
