"""The e-mails of notice and action, rendered from templates in trust/templates/trust/emails/
and sent after the commit (never inside a transaction). The reporter reads theirs in the
language they reported in; sellers have no stored language, so theirs is the site's default.

Sending is "at most once": each message is built and sent by the one call that made the step it
tells of (the state table lets one call through), or claimed first (a statement's sent_at).
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from studymarket.notifications.models import NotificationKind
from studymarket.notifications.services import notification_create
from studymarket.trust.models import Notice, StatementOfReasons

logger = logging.getLogger(__name__)

MessageFactory = Callable[[], EmailMessage | None]


def site_url(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def appeal_url(*, statement: StatementOfReasons | None = None, notice: Notice | None = None) -> str:
    """The in-site page to appeal a decision (DSA art. 20), built in trust/appeals.py: for a
    statement of reasons, "trust:appeal_create" with its id; for a reporter's notice,
    "trust:notice_appeal_create" with its number. Reversed when the e-mail is written, so
    e-mails written before those pages exist say to answer the e-mail instead ("")."""
    try:
        if statement is not None:
            return site_url(reverse("trust:appeal_create", kwargs={"statement_id": statement.pk}))
        if notice is not None:
            return site_url(reverse("trust:notice_appeal_create", kwargs={"number": notice.number}))
    except NoReverseMatch:
        logger.warning("Appeal page not available yet; the e-mail says to reply instead")
    return ""


def render_message(*, template: str, context: dict[str, Any], to: str, language: str) -> EmailMessage:
    """``template``_subject.txt and ``template``.txt, in ``language``."""
    with translation.override(language):
        context = {**context, "site_name": "studymarket"}
        subject = render_to_string(f"trust/emails/{template}_subject.txt", context).strip()
        return EmailMessage(
            subject=" ".join(subject.split()),
            body=render_to_string(f"trust/emails/{template}.txt", context),
            to=[to],
        )


def mail_after_commit(factory: MessageFactory) -> None:
    """Build and send the message once the current transaction has committed. A failing mail
    server is logged, not raised: the decision stands, and the audit trail shows what was sent."""
    transaction.on_commit(lambda: _send(factory), robust=True)


def _send(factory: MessageFactory) -> None:
    message = factory()
    if message is not None:
        message.send()


def _notice(notice_id: int) -> Notice:
    return Notice.objects.select_related("listing__seller__user").get(pk=notice_id)


def _notice_context(notice: Notice) -> dict[str, Any]:
    return {
        "notice": notice,
        "listing": notice.listing,
        "listing_url": site_url(notice.listing.get_absolute_url()),
    }


def notice_receipt_message(notice_id: int) -> EmailMessage:
    """To the reporter, at once: we have it, its number, what happens next (art. 16(4))."""
    notice = _notice(notice_id)
    return render_message(
        template="notice_receipt",
        context=_notice_context(notice),
        to=notice.reporter_email,
        language=notice.language,
    )


def _notify(notice: Notice, recipient_id: int | None, kind: NotificationKind, url: str, key: str) -> None:
    """The bell's notification that goes with the e-mail, for a person with an account."""
    if recipient_id is not None:
        params = {"number": notice.number, "title": notice.listing.title}
        notification_create(recipient_id=recipient_id, kind=kind, params=params, url=url, key=key)


def reporter_taken_down_message(notice_id: int) -> EmailMessage:
    """To the reporter: the listing is offline while their notice is being decided."""
    notice = _notice(notice_id)
    _notify(notice, notice.reporter_id, NotificationKind.REPORT_TAKEN_DOWN, "", f"notice:{notice.pk}")
    return render_message(
        template="reporter_taken_down",
        context=_notice_context(notice),
        to=notice.reporter_email,
        language=notice.language,
    )


def seller_asked_message(notice_id: int) -> EmailMessage:
    """To the seller: a notice about their document, and a link to answer it inside the site.
    The reporter's name and address are not passed on."""
    notice = _notice(notice_id)
    respond_path = reverse("trust:notice_respond", kwargs={"number": notice.number})
    asked = f"notice:{notice.pk}:{notice.seller_asked_at.timestamp() if notice.seller_asked_at else ''}"
    _notify(notice, notice.listing.seller.user_id, NotificationKind.REPORT, respond_path, asked)
    context = {**_notice_context(notice), "respond_url": site_url(respond_path)}
    return render_message(
        template="seller_asked",
        context=context,
        to=notice.listing.seller.user.email,
        language=settings.LANGUAGE_CODE,
    )


def reporter_decision_message(notice_id: int) -> EmailMessage:
    """To the reporter: what we decided on their notice, why, and how to appeal (art. 16(5))."""
    notice = _notice(notice_id)
    appeal_path = appeal_url(notice=notice).removeprefix(site_url(""))
    _notify(notice, notice.reporter_id, NotificationKind.REPORT_DECIDED, appeal_path, f"notice:{notice.pk}")
    context = {
        **_notice_context(notice),
        "appeal_url": appeal_url(notice=notice),
        "out_of_court_body": settings.TRUST_OUT_OF_COURT_BODY,
        "out_of_court_url": settings.TRUST_OUT_OF_COURT_URL,
    }
    return render_message(
        template="reporter_decision",
        context=context,
        to=notice.reporter_email,
        language=notice.language,
    )


def seller_restored_message(notice_id: int) -> EmailMessage:
    """To the seller: the document taken down on this notice is back online."""
    notice = _notice(notice_id)
    seller_id, listing_path = notice.listing.seller.user_id, notice.listing.get_absolute_url()
    _notify(notice, seller_id, NotificationKind.LISTING_RESTORED, listing_path, f"notice:{notice.pk}")
    return render_message(
        template="seller_restored",
        context=_notice_context(notice),
        to=notice.listing.seller.user.email,
        language=settings.LANGUAGE_CODE,
    )


def statement_message(statement: StatementOfReasons) -> EmailMessage:
    """The statement of reasons (art. 17), to the person whose document or account it restricts."""
    notification_create(
        recipient_id=statement.seller_id,
        kind=NotificationKind.STATEMENT,
        params={"title": statement.listing.title if statement.listing else ""},
        url=appeal_url(statement=statement).removeprefix(site_url("")),
        key=f"statement:{statement.pk}",
    )
    context = {
        "statement": statement,
        "listing": statement.listing,
        "notice": statement.notice,
        "listing_url": site_url(statement.listing.get_absolute_url()) if statement.listing else "",
        "appeal_url": appeal_url(statement=statement),
    }
    return render_message(
        template="statement", context=context, to=statement.seller.email, language=statement.language
    )
