"""Erasing an account (GDPR art. 17), after the person confirmed it with their password and the
signed link in their e-mail (views.py, erasure_links.py).

What goes, and what stays without the name:

- The person: names blanked, the e-mail address replaced by a unique address under the
  reserved ".invalid" domain (never delivered), password unusable, inactive, ``erased_at`` set;
  their sessions, two-factor devices and login-attempt rows (django-axes) deleted; follows,
  cart, follow e-mails, in-site notifications, draft documents and data exports deleted.
- As a buyer: orders, order lines, payments, refunds, entitlements and download records STAY:
  they are the invoices and the sales ledger's sources, which Dutch fiscal law keeps 7 years
  (AWR art. 52; 10 for OSS and in Belgium), art. 17(3)(b). None of them holds a name (an order
  knows its buyer by the pseudonymised user row). The stamped copies' FILES are deleted, since
  they print the buyer's name on every page; their rows and invisible marks stay, so a leak
  found later still leads to an order. Reviews stay, under the pseudonymised account.
- As a seller: the public face goes: display name and slug replaced, bio and avatar removed,
  every listing taken offline and out of search. The documents' files stay, because earlier
  buyers keep what they paid for (their entitlements read the newest version). Payout details
  (account holder, IBAN, BIC, Mollie organisation) are cleared from the profile. Sales, payouts
  and ledger entries stay for the fiscal period; a payout keeps the IBAN it went to (evidence of
  the payment in the books) but not the holder's name, which is also taken out of the SEPA file.
  A business seller's trader information (DSA art. 30) is moved to a restricted record that is
  deleted six months later (art. 30(3)), and cleared from the profile.
- Notices and appeals they filed (DSA arts 16, 20) stay, as the platform must account for its
  decisions, without their name and with the pseudonymous address; statements of reasons about
  them are kept with their name taken out of the text. Audit events stay, their data scrubbed
  of every string that named the person.

When erasure is refused until something is settled: erasure_rules.py.
"""

import logging
import secrets
from datetime import timedelta
from functools import partial
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from studymarket.accounts.models import TRADER_FIELDS, SellerKind, SellerProfile, User
from studymarket.accounts.tokens import tokens_delete_all
from studymarket.catalog.models import Follow, FollowNotification
from studymarket.checkout.models import Cart
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.core.storage import storage_unreachable
from studymarket.library.models import StampedCopy
from studymarket.notifications.services import notifications_delete_all
from studymarket.payments.models import RefundRequest
from studymarket.privacy.erasure_rules import erasure_refusal
from studymarket.privacy.erasure_seller import seller_erase
from studymarket.privacy.export import data_exports_expire
from studymarket.privacy.mail import erased_mail_send
from studymarket.privacy.models import DataExport, DataExportStatus, RetainedTraderRecord
from studymarket.privacy.scrub import REMOVED, audit_events_scrub, person_needles, text_scrub
from studymarket.privacy.states import data_export_transition
from studymarket.reviews.models import Review
from studymarket.trust.models import Appeal, Notice, StatementOfReasons, Strike

logger = logging.getLogger(__name__)

# RFC 2606 reserves .invalid: no mail to it is ever delivered, and no one can register it.
PSEUDONYM_DOMAIN = "verwijderd.invalid"

Files = list[tuple[Storage, str]]


def account_erase(*, user_id: int, language: str = "") -> bool:
    """Erase the account (see the module's docstring); True if this call erased it, False when
    it was erased already (a second click on the link). Raises ApplicationError when it may not
    be erased yet (erasure_rules). The last e-mail goes to the old address after the commit,
    sent directly: no queued task may keep the address."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        if user.erased_at is not None:
            return False
        refusal = erasure_refusal(user=user)
        if refusal is not None:
            raise ApplicationError(refusal)
        address = user.email
        seller = SellerProfile.objects.select_for_update().filter(user=user).first()
        needles = person_needles(user, seller)
        pseudonym = f"verwijderd-{secrets.token_hex(8)}"
        pseudonym_email = f"{pseudonym}@{PSEUDONYM_DOMAIN}"
        files: Files = []
        if seller is not None:
            _trader_record_keep(seller)
            files += seller_erase(seller=seller, pseudonym=pseudonym, needles=needles)
        files += _buyer_erase(user, needles)
        _reports_pseudonymise(user, needles, pseudonym_email)
        _access_end(user)
        audit_events_scrub(needles)
        user.email = pseudonym_email
        user.first_name = ""
        user.last_name = ""
        user.set_unusable_password()
        user.is_active = False
        user.erased_at = timezone.now()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        audit_record(action="account.erased", obj=user, seller=seller is not None)
        transaction.on_commit(partial(_files_delete, files))
    try:
        erased_mail_send(address=address, language=language)
    except Exception as error:  # the erasure stands
        # No traceback: a mail server's refusal quotes the address this erasure just removed.
        logger.error("The erasure e-mail of user %s could not be sent: %s", user_id, type(error).__name__)
    return True


def _trader_record_keep(seller: SellerProfile) -> None:
    if seller.seller_kind != SellerKind.BUSINESS:
        return
    data: dict[str, str | None] = {name: getattr(seller, name) for name in TRADER_FIELDS}
    data["trader_self_certified_at"] = (
        seller.trader_self_certified_at.isoformat() if seller.trader_self_certified_at else None
    )
    RetainedTraderRecord.objects.create(
        seller_profile_id=seller.pk,
        data=data,
        retained_until=timezone.now() + timedelta(days=settings.PRIVACY_TRADER_RETENTION_DAYS),
    )


def trader_records_purge() -> int:
    """Delete the trader records past their time (DSA art. 30(3)); how many."""
    deleted, _ = RetainedTraderRecord.objects.filter(retained_until__lte=timezone.now()).delete()
    return deleted


def _buyer_erase(user: User, needles: list[str]) -> Files:
    files: Files = []
    # The copies print the buyer's name: their files go, their rows and marks stay.
    copies = StampedCopy.objects.filter(entitlement__buyer=user).exclude(file="")
    for copy in copies:
        files.append((copy.file.storage, copy.file.name))
    copies.update(file="", size_bytes=0)
    for export_id in DataExport.objects.filter(user=user, status=DataExportStatus.PENDING).values_list(
        "pk", flat=True
    ):
        data_export_transition(export_id=export_id, status=DataExportStatus.FAILED, reason="account erased")
    data_exports_expire(user_id=user.pk)
    Cart.objects.filter(user=user).delete()
    Follow.objects.filter(user=user).delete()
    FollowNotification.objects.filter(user=user).delete()
    notifications_delete_all(user_id=user.pk)
    for review in Review.objects.filter(author=user).exclude(text=""):
        Review.objects.filter(pk=review.pk).update(text=text_scrub(review.text, needles))
    for request in RefundRequest.objects.filter(buyer=user).exclude(explanation=""):
        RefundRequest.objects.filter(pk=request.pk).update(
            explanation=text_scrub(request.explanation, needles)
        )
    return files


def _reports_pseudonymise(user: User, needles: list[str], pseudonym_email: str) -> None:
    notices = Notice.objects.filter(reporter=user) | Notice.objects.filter(reporter_email__iexact=user.email)
    notices.update(reporter_name=REMOVED, reporter_email=pseudonym_email)
    appeals = Appeal.objects.filter(appellant=user) | Appeal.objects.filter(
        appellant_email__iexact=user.email
    )
    appeals.update(appellant_email=pseudonym_email)
    Strike.objects.filter(email__iexact=user.email).update(email=pseudonym_email)
    for statement in StatementOfReasons.objects.filter(seller=user):
        for field in ("scope", "facts", "legal_ground", "terms_clause", "explanation", "redress"):
            setattr(statement, field, text_scrub(getattr(statement, field), needles))
        statement.save()
    for appeal in Appeal.objects.filter(appellant_email=pseudonym_email):
        Appeal.objects.filter(pk=appeal.pk).update(
            text=text_scrub(appeal.text, needles), outcome=text_scrub(appeal.outcome, needles)
        )


def _access_end(user: User) -> None:
    """Sessions, two-factor devices and the login throttle's rows (which hold the address)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    key = str(user.pk)
    # Database sessions are signed blobs: each one is read to find the person's.
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=1000)
        if session.get_decoded().get("_auth_user_id") == key
    ]
    # Through the session engine, so a cached session (cached_db) leaves the cache too.
    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    for session_key in ended:
        session_store(session_key).delete()
    TOTPDevice.objects.filter(user=user).delete()
    tokens_delete_all(user=user)  # API tokens (slice "api")
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()
    # Task rows keep their arguments: a password-reset mail is queued with the address. A row a
    # worker is running stays (it is finishing); the rest of them go.
    mentions = (
        Q(args_kwargs__icontains=user.email)
        | Q(return_value__icontains=user.email)
        | Q(traceback__icontains=user.email)
    )
    DBTaskResult.objects.filter(mentions).exclude(status=TaskResultStatus.RUNNING).delete()


def _files_delete(files: Files) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception as error:
            # A disk error, or the object store down: the erasure itself stands (it is committed).
            if not isinstance(error, OSError) and not storage_unreachable(error):
                raise
            logger.exception("Could not delete an erased account's file")
