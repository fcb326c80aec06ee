"""Taking a person's name and e-mail address out of text that stays: audit event data, the
text of notices and statements, a SEPA file. What they are replaced with says what happened
("[verwijderd]"), so a reader of the record knows a name was there."""

import re
from collections.abc import Iterable
from html import escape
from typing import Any

from studymarket.accounts.models import SellerProfile, User
from studymarket.core.models import AuditEvent

REMOVED = "[verwijderd]"
# Shorter strings are left alone: scrubbing "Jo" from every record would eat other words.
_MIN_LENGTH = 3


def person_needles(user: User, seller: SellerProfile | None) -> list[str]:
    """Every string that names the person, longest first (a full name before its parts)."""
    values = [user.email, user.get_full_name(), user.first_name, user.last_name]
    if seller is not None:
        values += [
            seller.display_name,
            seller.slug,
            seller.payout_account_holder,
            seller.trader_legal_name,
            seller.trader_email,
            seller.trader_phone,
        ]
    found = {v.strip() for v in values if v and len(v.strip()) >= _MIN_LENGTH}
    return sorted(found, key=len, reverse=True)


def _pattern(needles: Iterable[str]) -> re.Pattern[str] | None:
    forms = {form for needle in needles for form in (needle, escape(needle))}
    if not forms:
        return None
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    # Whole words only: "Anna" goes, "Annabel" stays.
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def text_scrub(text: str, needles: Iterable[str]) -> str:
    pattern = _pattern(needles)
    return pattern.sub(REMOVED, text) if pattern is not None and text else text


def _json_scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(REMOVED, value)
    if isinstance(value, list):
        return [_json_scrub(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _json_scrub(item, pattern) for key, item in value.items()}
    return value


def audit_events_scrub(needles: Iterable[str]) -> int:
    """Scrub the data of every audit event that names the person; how many changed. The events
    stay (they are the history of orders, payouts and decisions), their subject does not.

    Every event is read: its data is free-form JSON that any app may have written a name into,
    and SQLite and PostgreSQL store non-ASCII text in it differently, so a database text search
    could miss one. One pass per erasure, in chunks."""
    pattern = _pattern(needles)
    if pattern is None:
        return 0
    changes: dict[int, Any] = {}
    for pk, data in AuditEvent.objects.values_list("pk", "data").iterator(chunk_size=2000):
        cleaned = _json_scrub(data, pattern) if data else data
        if cleaned != data:
            changes[pk] = cleaned
    # Written after the reading: SQLite gives no isolation between a cursor and writes to its table.
    for pk, cleaned in changes.items():
        AuditEvent.objects.filter(pk=pk).update(data=cleaned)
    return len(changes)
