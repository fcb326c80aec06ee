"""The earnings statement as a PDF, drawn with reportlab's platypus (tables that flow over pages):
a summary that adds up from the opening to the closing balance, then every sale, refund,
correction and payout. Amounts as "€ 9,49" and dates as "30 juli 2021" (core.formatting and
Django's date format, in the language of the request).
"""

import io
from datetime import date, datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from studymarket.accounts.models import SellerKind
from studymarket.accounts.trader_numbers import registration_number_display
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.selling.earnings_statement import EarningsStatement, SaleRow, Totals

# DejaVu Sans has the euro sign and the letters of nearly every name and title; reportlab's own
# Vera, where DejaVu is not installed, covers Latin-1 and the euro sign.
_FONTS = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("Vera.ttf", "VeraBd.ttf"),
)
_REGULAR, _BOLD = "StatementSans", "StatementSans-Bold"
_GREY = colors.HexColor("#666666")
_LINE = colors.HexColor("#bbbbbb")


@cache
def _fonts() -> tuple[str, str]:
    for regular, bold in _FONTS:
        if regular.startswith("/") and not (Path(regular).is_file() and Path(bold).is_file()):
            continue
        pdfmetrics.registerFont(TTFont(_REGULAR, regular))
        pdfmetrics.registerFont(TTFont(_BOLD, bold))
        return _REGULAR, _BOLD
    raise RuntimeError("No TrueType font for the statement")  # unreachable: Vera ships with reportlab


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=16, leading=20, spaceAfter=4),
        "heading": ParagraphStyle(
            "heading", fontName=bold, fontSize=11, leading=14, spaceBefore=10, spaceAfter=4
        ),
        "body": ParagraphStyle("body", fontName=regular, fontSize=9, leading=12),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8, leading=10),
        "note": ParagraphStyle("note", fontName=regular, fontSize=7.5, leading=10, textColor=_GREY),
    }


def _day(moment: datetime) -> str:
    return str(date_format(timezone.localtime(moment), "j F Y"))


def _m(money: Money) -> str:
    return money_display(money)


def _table(
    rows: list[list[object]], widths: list[float], *, total: bool = False, numbers_from: int = 1
) -> Table:
    regular, bold = _fonts()
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), regular, 8),
        ("FONT", (0, 0), (-1, 0), bold, 8),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, _LINE),
        ("ALIGN", (numbers_from, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if total:
        style += [("FONT", (0, -1), (-1, -1), bold, 8), ("LINEABOVE", (0, -1), (-1, -1), 0.5, _LINE)]
    table.setStyle(TableStyle(style))
    return table


def _sales_table(rows: list[SaleRow], totals: Totals, cell: ParagraphStyle) -> Table:
    header: list[object] = [
        _("Datum"),
        _("Bestelnummer"),
        _("Document"),
        _("Prijs"),
        _("Btw"),
        _("Commissie"),
        _("Verdiensten"),
    ]
    body: list[list[object]] = [
        [
            _day(r.booked_at),
            r.order_number,
            Paragraph(escape(r.title), cell),
            _m(r.price),
            _m(r.vat),
            _m(r.commission),
            _m(r.earnings),
        ]
        for r in rows
    ]
    footer: list[object] = [
        _("Totaal"),
        "",
        "",
        _m(totals.price),
        _m(totals.vat),
        _m(totals.commission),
        _m(totals.earnings),
    ]
    widths = [24 * mm, 25 * mm, 50 * mm, 18 * mm, 16 * mm, 20 * mm, 21 * mm]
    return _table([header, *body, footer], widths, total=True, numbers_from=3)


def _summary(statement: EarningsStatement) -> Table:
    s = statement
    # The current year's statement ends now; an earlier year's on 31 December.
    made = timezone.localtime(s.made_at).date()
    period_end = str(date_format(made if made.year == s.year else date(s.year, 12, 31), "j F Y"))
    rows: list[list[object]] = [
        [_("Overzicht"), _("Bedrag")],
        [_("Saldo op 1 januari %(year)d") % {"year": s.year}, _m(s.opening_balance)],
        [
            ngettext(
                "%(count)d verkoop, prijs incl. btw", "%(count)d verkopen, prijs incl. btw", len(s.sales)
            )
            % {"count": len(s.sales)},
            _m(s.sales_total.price),
        ],
        [_("Btw (draagt studymarket af)"), _m(-s.sales_total.vat)],
        [_("Commissie op verkopen"), _m(-s.sales_total.commission)],
        [_("Verdiensten uit verkopen"), _m(s.sales_total.earnings)],
        [
            ngettext("%(count)d terugbetaling", "%(count)d terugbetalingen", len(s.refunds))
            % {"count": len(s.refunds)},
            _m(-s.refunds_total.earnings),
        ],
        [_("Correcties"), _m(s.adjustments_total)],
        [_("Jouw verdiensten dit jaar"), _m(s.earnings_total)],
        [_("Uitbetaald naar je rekening"), _m(-s.payouts_total)],
        [_("Saldo op %(date)s") % {"date": period_end}, _m(s.closing_balance)],
        [_("Commissie betaald (verkopen min terugbetalingen)"), _m(s.commission_total)],
    ]
    table = _table(rows, [120 * mm, 40 * mm])
    bold = _fonts()[1]
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 8), (-1, 8), bold, 8),
                ("FONT", (0, 10), (-1, 10), bold, 8),
                ("LINEABOVE", (0, 8), (-1, 8), 0.5, _LINE),
                ("LINEABOVE", (0, 10), (-1, 10), 0.5, _LINE),
            ]
        )
    )
    return table


def _who(statement: EarningsStatement, body: ParagraphStyle) -> list[Flowable]:
    seller = statement.seller
    lines = [escape(seller.display_name)]
    if seller.seller_kind == SellerKind.BUSINESS and seller.trader_legal_name:
        lines.append(escape(seller.trader_legal_name))
        if seller.trader_registration_number:
            lines.append(
                _("KvK- of ondernemingsnummer: %(number)s")
                % {"number": registration_number_display(seller.trader_registration_number)}
            )
        if seller.trader_vat_number:
            lines.append(_("Btw-nummer: %(number)s") % {"number": escape(seller.trader_vat_number)})
    lines.append(_("Opgemaakt op %(date)s") % {"date": _day(statement.made_at)})
    return [Paragraph(line, body) for line in lines]


def earnings_statement_pdf(statement: EarningsStatement) -> bytes:
    styles = _styles()
    cell = styles["cell"]
    story: list[Flowable] = [
        Paragraph(_("Jaaroverzicht %(year)d") % {"year": statement.year}, styles["title"]),
        *_who(statement, styles["body"]),
        Spacer(0, 4 * mm),
        _summary(statement),
    ]
    story += [Paragraph(_("Verkopen"), styles["heading"])]
    story += (
        [_sales_table(statement.sales, statement.sales_total, cell)]
        if statement.sales
        else [Paragraph(_("Geen verkopen in dit jaar."), styles["body"])]
    )
    if statement.refunds:
        story += [
            Paragraph(_("Terugbetalingen"), styles["heading"]),
            _sales_table(statement.refunds, statement.refunds_total, cell),
        ]
    if statement.adjustments:
        rows: list[list[object]] = [[_("Datum"), _("Omschrijving"), _("Bedrag")]]
        rows += [
            [_day(a.booked_at), Paragraph(escape(a.description), cell), _m(a.amount)]
            for a in statement.adjustments
        ]
        rows.append([_("Totaal"), "", _m(statement.adjustments_total)])
        story += [
            Paragraph(_("Correcties"), styles["heading"]),
            _table(rows, [28 * mm, 110 * mm, 26 * mm], total=True, numbers_from=2),
        ]
    story.append(Paragraph(_("Uitbetalingen"), styles["heading"]))
    if statement.payouts:
        rows = [[_("Datum"), _("Bedrag"), _("Referentie"), _("Status")]]
        rows += [
            [
                _day(p.booked_at),
                _m(p.amount),
                p.reference,
                _("Mislukt, teruggeboekt op je saldo") if p.failed else p.status,
            ]
            for p in statement.payouts
        ]
        rows.append([_("Totaal"), _m(statement.payouts_total), "", ""])
        table = _table(rows, [28 * mm, 26 * mm, 50 * mm, 60 * mm], total=True)
        table.setStyle(TableStyle([("ALIGN", (2, 0), (-1, -1), "LEFT")]))
        story.append(table)
    else:
        story.append(Paragraph(_("Geen uitbetalingen in dit jaar."), styles["body"]))
    story += [
        Spacer(0, 6 * mm),
        Paragraph(
            _(
                "Alle bedragen in euro. De prijs is wat de koper betaalde, inclusief btw; studymarket "
                "draagt die btw af. De commissie is de vergoeding van studymarket per verkoop. Je "
                "verdiensten zijn de prijs min btw en commissie. Een verkoop telt in het jaar waarin hij "
                "betaald is, een terugbetaling in het jaar waarin het geld terugging, een uitbetaling in "
                "het jaar waarin we hem maakten. Het saldo is wat studymarket je nog verschuldigd is "
                "(in de garantietermijn en beschikbaar, min wat je nog moet verrekenen)."
            ),
            styles["note"],
        ),
    ]
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Jaaroverzicht %(year)d") % {"year": statement.year},
        author="studymarket",
    )
    document.build(story)
    return out.getvalue()
