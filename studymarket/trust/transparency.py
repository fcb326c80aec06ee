"""The yearly transparency figures (DSA art. 15, with what art. 24 adds): notices by kind,
the actions taken by kind, the median time from notice to decision, appeals and their outcomes,
and suspensions by type. Read from the notices, statements and appeals themselves and, for the
suspensions and warnings, from the audit log (trust.strikes records them there). A thing counts
in the year it happened, in the platform's time zone.
"""

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.core import clock
from studymarket.core.models import AuditEvent
from studymarket.core.spreadsheets import csv_document, csv_text
from studymarket.trust.models import (
    Appeal,
    AppealStatus,
    Measure,
    Notice,
    NoticeKind,
    NoticeStatus,
    StatementOfReasons,
)
from studymarket.trust.strikes import REPORTER_SUSPENDED, SELLER_SUSPENDED, WARNING_SENT


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class KindDecisions:
    """Art. 15(1)(b): the notices of one kind decided in the year, by outcome, and how long it took."""

    key: str
    label: str
    upheld: int
    restored: int
    unfounded: int
    median_hours: float | None


@dataclass(frozen=True)
class TransparencyReport:
    year: int
    notices_by_kind: list[Row]
    notices_total: int
    decisions: list[Row]  # notices decided in the year, by outcome
    decisions_by_kind: list[KindDecisions]
    measures: list[Row]  # statements of reasons issued, by measure
    automated_measures: int
    median_hours_to_decision: float | None
    appeals_received: list[Row]  # by who appealed
    appeals_decided: list[Row]  # by outcome
    median_hours_to_appeal_decision: float | None
    suspensions: list[Row]  # by type
    warnings: int


def _bounds(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def transparency_years() -> list[int]:
    """The years with notices, newest first; at least the current one."""
    first = Notice.objects.aggregate(first=Min("created_at"))["first"]
    this_year = timezone.localtime(clock.now()).year
    start = min(timezone.localtime(first).year, this_year) if first else this_year
    return list(range(this_year, start - 1, -1))


def _median_hours(pairs: Iterable[tuple[datetime, datetime | None]]) -> float | None:
    hours = [(end - start) / timedelta(hours=1) for start, end in pairs if end is not None]
    return round(statistics.median(hours), 1) if hours else None


def _rows(counts: Counter[str], choices: Iterable[tuple[str, object]]) -> list[Row]:
    return [Row(key=str(value), label=str(label), count=counts.get(value, 0)) for value, label in choices]


def _kind_decisions(
    kind: str, label: object, decided: list[tuple[str, datetime, datetime | None, str]]
) -> KindDecisions:
    mine = [(status, created, done) for status, created, done, k in decided if k == kind]
    counts = Counter(status for status, _c, _d in mine)
    return KindDecisions(
        key=kind,
        label=str(label),
        upheld=counts.get(NoticeStatus.UPHELD, 0),
        restored=counts.get(NoticeStatus.RESTORED, 0),
        unfounded=counts.get(NoticeStatus.UNFOUNDED, 0),
        median_hours=_median_hours([(c, d) for _s, c, d in mine]),
    )


def transparency_report(*, year: int) -> TransparencyReport:
    start, end = _bounds(year)
    received = Notice.objects.filter(created_at__gte=start, created_at__lt=end)
    by_kind = Counter(received.values_list("kind", flat=True))
    decided = list(
        Notice.objects.filter(decided_at__gte=start, decided_at__lt=end).values_list(
            "status", "created_at", "decided_at", "kind"
        )
    )
    outcomes = [
        (s.value, s.label) for s in (NoticeStatus.UPHELD, NoticeStatus.RESTORED, NoticeStatus.UNFOUNDED)
    ]
    statements = StatementOfReasons.objects.filter(created_at__gte=start, created_at__lt=end)
    appeals = Appeal.objects.filter(created_at__gte=start, created_at__lt=end)
    appeals_decided = list(
        Appeal.objects.filter(decided_at__gte=start, decided_at__lt=end).values_list(
            "status", "created_at", "decided_at"
        )
    )
    events = AuditEvent.objects.filter(created_at__gte=start, created_at__lt=end)
    return TransparencyReport(
        year=year,
        notices_by_kind=_rows(by_kind, NoticeKind.choices),
        notices_total=sum(by_kind.values()),
        decisions=_rows(Counter(status for status, _c, _d, _k in decided), outcomes),
        decisions_by_kind=[_kind_decisions(value, label, decided) for value, label in NoticeKind.choices],
        measures=_rows(Counter(statements.values_list("measure", flat=True)), Measure.choices),
        automated_measures=statements.filter(automated=True).count(),
        median_hours_to_decision=_median_hours([(c, d) for _s, c, d, _k in decided]),
        appeals_received=[
            Row(
                "seller",
                _("Door verkopers (tegen een motivering)"),
                appeals.filter(statement__isnull=False).count(),
            ),
            Row(
                "reporter",
                _("Door melders (tegen een besluit op hun melding)"),
                appeals.filter(statement__isnull=True).count(),
            ),
        ],
        appeals_decided=_rows(
            Counter(status for status, _c, _d in appeals_decided),
            [(s.value, s.label) for s in (AppealStatus.GRANTED, AppealStatus.REJECTED)],
        ),
        median_hours_to_appeal_decision=_median_hours([(c, d) for _s, c, d in appeals_decided]),
        suspensions=[
            Row(
                "seller",
                _("Verkopers: herhaald illegale inhoud (artikel 23, lid 1)"),
                events.filter(action=SELLER_SUSPENDED).count(),
            ),
            Row(
                "reporter",
                _("Melders: herhaald kennelijk ongegronde meldingen (artikel 23, lid 2)"),
                events.filter(action=REPORTER_SUSPENDED).count(),
            ),
        ],
        warnings=events.filter(action=WARNING_SENT).count(),
    )


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def transparency_csv(report: TransparencyReport) -> bytes:
    """One row per figure: section; what; number — semicolons and a decimal comma, with a BOM,
    so Excel with Dutch settings opens it as the back office's other reports."""
    lines: list[list[object]] = []
    sections = [
        (_("Meldingen per soort"), report.notices_by_kind),
        (_("Besluiten op meldingen"), report.decisions),
        (_("Maatregelen (motiveringen)"), report.measures),
        (_("Bezwaren ingediend"), report.appeals_received),
        (_("Bezwaren beslist"), report.appeals_decided),
        (_("Schorsingen"), report.suspensions),
    ]
    for section, rows in sections:
        for row in rows:
            lines.append([report.year, section, csv_text(row.label), row.count])
    for kind in report.decisions_by_kind:
        section = _("Besluiten: %(kind)s") % {"kind": kind.label}
        for status, count in (
            (NoticeStatus.UPHELD, kind.upheld),
            (NoticeStatus.RESTORED, kind.restored),
            (NoticeStatus.UNFOUNDED, kind.unfounded),
        ):
            lines.append([report.year, section, csv_text(str(status.label)), count])
        lines.append(
            [report.year, section, _("Mediaan melding tot besluit (uren)"), _hours(kind.median_hours)]
        )
    lines.append(
        [report.year, _("Maatregelen"), _("Met geautomatiseerde middelen"), report.automated_measures]
    )
    lines.append([report.year, _("Schorsingen"), _("Waarschuwingen vooraf"), report.warnings])
    lines.append(
        [
            report.year,
            _("Doorlooptijd"),
            _("Mediaan melding tot besluit (uren)"),
            _hours(report.median_hours_to_decision),
        ]
    )
    lines.append(
        [
            report.year,
            _("Doorlooptijd"),
            _("Mediaan bezwaar tot besluit (uren)"),
            _hours(report.median_hours_to_appeal_decision),
        ]
    )
    return csv_document([_("Jaar"), _("Onderdeel"), _("Wat"), _("Aantal")], lines)
