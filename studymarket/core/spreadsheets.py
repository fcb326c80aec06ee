"""CSV files as Dutch Excel opens them by double-click: ";" between fields, a decimal comma,
UTF-8 with a byte-order mark. One place for the back office's reports, the transparency figures
and the sellers' yearly statement."""

import csv
import io
from collections.abc import Iterable, Sequence

from studymarket.core.money import Money


def csv_amount(money: Money) -> str:
    """ "1234,50": no currency sign, no thousands separator, a decimal comma, so Dutch Excel
    reads it as a number."""
    return f"{money.to_decimal():f}".replace(".", ",")


def csv_text(value: str) -> str:
    """A name as a spreadsheet cell that stays text: a leading =, +, -, @ would make Excel run
    it as a formula (CSV injection), so such values get a leading apostrophe."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_document(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark and ";" between fields: what Excel with Dutch regional
    settings opens correctly by double-click (the comma is its decimal sign there, and without
    the mark it reads the file as Windows-1252)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
