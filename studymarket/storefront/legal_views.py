"""The legal pages of the footer: terms, privacy statement, cookies, contact.

Their texts are templates a lawyer edits without touching code: one per page per language,
``legal/<language>/<page>.html``, each extending ``legal/_page.html``. The view picks the one
for the active language and falls back to Dutch (the language the texts are written in first).
Everything that is a fact of the running site comes from settings, so a text never states a
name, a number or a cookie that is not so: the operator's details, the guarantee window, the
cookies' names.
"""

from datetime import date

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.template.loader import select_template
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

MESSAGES_COOKIE_NAME = CookieStorage.cookie_name


def _setting(name: str, default: int) -> int:
    # Settings of the trust and privacy apps, which are built beside this page: until one
    # exists the text shows the value it will start with.
    return int(getattr(settings, name, default))


def _days(seconds: int | None) -> int | None:
    """A cookie's lifetime in whole days; None for one that ends when the browser is closed."""
    return seconds // 86400 if seconds else None


def _version_date(version: str) -> date | None:
    """The version as a date, shown the Dutch way ("7 december 2026"); None if it is not one."""
    try:
        return date.fromisoformat(version)
    except ValueError:
        return None


def legal_context() -> dict[str, object]:
    """What the legal texts may show about the operator and the site."""
    return {
        "operator": {
            "legal_name": settings.OPERATOR_LEGAL_NAME,
            "address": settings.OPERATOR_ADDRESS,
            "email": settings.OPERATOR_EMAIL,
            "phone": settings.OPERATOR_PHONE,
            "kvk_number": settings.OPERATOR_KVK_NUMBER,
            "vat_number": settings.OPERATOR_VAT_NUMBER,
        },
        "legal_texts_version": settings.LEGAL_TEXTS_VERSION,
        "legal_texts_date": _version_date(settings.LEGAL_TEXTS_VERSION),
        "guarantee_days": settings.GUARANTEE_WINDOW_DAYS,
        "commission_percent": settings.PLATFORM_COMMISSION_PERCENT,
        "payout_minimum_cents": settings.PAYOUT_MINIMUM_CENTS,
        # Notice and action (trust app): the deadlines the terms promise are the ones staff work to.
        "notice_deadline_hours": _setting("TRUST_NOTICE_DEADLINE_HOURS", 72),
        "notice_deadline_hours_illegal": _setting("TRUST_NOTICE_DEADLINE_HOURS_ILLEGAL", 24),
        "seller_response_hours": _setting("TRUST_SELLER_RESPONSE_HOURS", 72),
        "appeal_months": _setting("TRUST_APPEAL_MONTHS", 6),
        "strikes_warning": _setting("TRUST_STRIKES_WARNING", 2),
        "strikes_suspend": _setting("TRUST_STRIKES_SUSPEND", 3),
        "strikes_window_days": _setting("TRUST_STRIKES_WINDOW_DAYS", 365),
        "suspension_days": _setting("TRUST_SUSPENSION_DAYS", 30),
        "trader_retention_days": _setting("PRIVACY_TRADER_RETENTION_DAYS", 183),
        "export_days": _setting("PRIVACY_EXPORT_DAYS", 7),
        # The cookies the site sets, under the names it gives them (settings: __Host- in production).
        "cookies": {
            "session": settings.SESSION_COOKIE_NAME,
            "session_age_days": _days(settings.SESSION_COOKIE_AGE),
            "csrf": settings.CSRF_COOKIE_NAME,
            "csrf_age_days": _days(settings.CSRF_COOKIE_AGE),
            "language": settings.LANGUAGE_COOKIE_NAME,
            # None: the language cookie ends when the browser is closed (Django's default).
            "language_age_days": _days(settings.LANGUAGE_COOKIE_AGE),
            # django.contrib.messages' default storage keeps a message for the next page in a
            # cookie of this name (and in the session when it is too long), until it is shown.
            "messages": MESSAGES_COOKIE_NAME,
        },
    }


def _legal_page(request: HttpRequest, page: str) -> HttpResponse:
    language = get_language() or settings.LANGUAGE_CODE
    names = [f"legal/{language}/{page}.html", f"legal/{settings.LANGUAGE_CODE}/{page}.html"]
    context = {**legal_context(), "legal_page": page}
    return HttpResponse(select_template(names).render(context, request))


@require_GET
def terms(request: HttpRequest) -> HttpResponse:
    return _legal_page(request, "terms")


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return _legal_page(request, "privacy")


@require_GET
def cookies(request: HttpRequest) -> HttpResponse:
    return _legal_page(request, "cookies")


@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    return _legal_page(request, "contact")
