"""Following a seller or a course, and the e-mail to followers when a new document appears there.

Services (writes) and selectors (reads) of one small sub-domain, kept together because each is a
few lines. The e-mail is sent at most once per user per listing (``FollowNotification``), in the
language the user followed in, with an opt-out link that works without logging in: a signed token
naming the user and what they follow (``follow_optout_token``), no expiry, since an old e-mail's
link must still work.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.models import Course, Follow, FollowNotification, Listing, ListingStatus
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.notifications.models import NotificationKind
from studymarket.notifications.services import notifications_create

logger = logging.getLogger(__name__)

_OPTOUT_SALT = "studymarket.catalog.follow-optout"

# follow_notifications_reconcile: a listing's e-mails are looked at again once the task has had
# this long to send them, and for this long after publication (later, the news is stale).
FOLLOW_NOTIFICATION_STALE = timedelta(minutes=10)
FOLLOW_NOTIFICATION_WINDOW = timedelta(days=2)


# --- Following -------------------------------------------------------------------------------


def _target(*, seller: SellerProfile | None, course: Course | None) -> Q:
    if (seller is None) == (course is None):
        raise ValueError("Follow exactly one of a seller or a course")
    return Q(seller=seller) if seller is not None else Q(course=course)


def _language(language: str) -> str:
    """The given language if the site offers it, else "" (the default language)."""
    code = (language or "")[:2].lower()
    return code if code in {code for code, _name in settings.LANGUAGES} else ""


def follow_create(
    *, user: User, seller: SellerProfile | None = None, course: Course | None = None, language: str = ""
) -> Follow:
    """``user`` follows the seller or the course (exactly one). "Already following" returns the
    follow as it is, its language brought up to date; ``language`` is the page's language, in
    which the e-mails about it are written."""
    _target(seller=seller, course=course)  # exactly one of them
    if seller is not None and seller.user_id == user.pk:
        raise ApplicationError(_("Je kunt jezelf niet volgen."))
    language = _language(language)
    lookup: dict[str, SellerProfile | Course | None] = (
        {"seller": seller} if seller is not None else {"course": course}
    )
    with transaction.atomic():
        # get_or_create catches the unique constraint when two clicks race.
        follow, created = Follow.objects.get_or_create(user=user, **lookup, defaults={"language": language})
        if created:
            audit_record(action="follow.created", obj=follow, actor=user)
        elif language and follow.language != language:
            follow.language = language
            follow.save(update_fields=["language"])
    return follow


def follow_delete(*, user: User, seller: SellerProfile | None = None, course: Course | None = None) -> bool:
    """``user`` no longer follows the seller or the course; True if they did. "Not following"
    returns quietly."""
    follows = Follow.objects.filter(_target(seller=seller, course=course), user=user)
    return _follows_delete(follows, actor=user) > 0


def follow_delete_all(*, user: User) -> int:
    """``user`` follows nothing any more (the "stop all e-mails" of the opt-out page)."""
    return _follows_delete(Follow.objects.filter(user=user), actor=user)


def _follows_delete(follows: QuerySet[Follow], *, actor: User | None) -> int:
    with transaction.atomic():
        rows = list(follows.select_for_update())
        for follow in rows:
            audit_record(action="follow.deleted", obj=follow, actor=actor)
        Follow.objects.filter(pk__in=[follow.pk for follow in rows]).delete()
    return len(rows)


@dataclass(frozen=True)
class FollowState:
    following: bool
    follower_count: int


def follow_state_get(
    *, user: object, seller: SellerProfile | None = None, course: Course | None = None
) -> FollowState:
    """Whether ``user`` (anyone, logged in or not) follows the seller or the course, and how many
    people do."""
    follows = Follow.objects.filter(_target(seller=seller, course=course))
    following = isinstance(user, User) and follows.filter(user=user).exists()
    return FollowState(following=following, follower_count=follows.count())


# --- Opting out from an e-mail ------------------------------------------------------------------


@dataclass(frozen=True)
class OptOut:
    """What an opt-out link names, as it is now: the user, the sellers and courses whose e-mail
    it came in that they still follow, and how many other follows they have."""

    user: User
    sellers: list[SellerProfile]
    courses: list[Course]
    other_count: int


def follow_optout_token(*, user_id: int, seller_ids: list[int], course_ids: list[int]) -> str:
    """The signed token of an opt-out link (URL-safe, no expiry)."""
    payload = {"u": user_id, "s": sorted(seller_ids), "c": sorted(course_ids)}
    return signing.dumps(payload, salt=_OPTOUT_SALT, compress=True)


def follow_optout_get(*, token: str) -> OptOut:
    """What ``token`` names, as it is now (what the user no longer follows is left out);
    raises ApplicationError for a token we did not sign or a user who is gone."""
    try:
        payload = signing.loads(token, salt=_OPTOUT_SALT)
        user = User.objects.get(pk=int(payload["u"]))
        seller_ids = [int(pk) for pk in payload["s"]]
        course_ids = [int(pk) for pk in payload["c"]]
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        raise ApplicationError(
            _(
                "Deze afmeldlink klopt niet. Kopieer de hele link uit de e-mail, of log in en "
                "ontvolg op de pagina van de verkoper of het vak."
            )
        ) from None
    follows = Follow.objects.filter(user=user)
    named = Q(seller__in=seller_ids) | Q(course__in=course_ids)
    return OptOut(
        user=user,
        sellers=list(
            SellerProfile.objects.filter(
                pk__in=follows.filter(seller__in=seller_ids).values("seller")
            ).order_by("display_name")
        ),
        courses=list(
            Course.objects.filter(pk__in=follows.filter(course__in=course_ids).values("course"))
            .select_related("programme__institution")
            .order_by("name")
        ),
        other_count=follows.exclude(named).count(),
    )


def follow_optout_apply(*, optout: OptOut, everything: bool = False) -> int:
    """Unfollow what the e-mail was about, or ``everything`` the user follows; the number of
    follows ended. Repeating it is harmless."""
    follows = Follow.objects.filter(user=optout.user)
    if not everything:
        follows = follows.filter(
            Q(seller__in=[seller.pk for seller in optout.sellers])
            | Q(course__in=[course.pk for course in optout.courses])
        )
    return _follows_delete(follows, actor=None)


# --- The e-mail about a new document -----------------------------------------------------------


@dataclass(frozen=True)
class _Recipient:
    user: User
    language: str
    follows_seller: bool
    follows_course: bool


def _recipients(listing: Listing) -> dict[int, _Recipient]:
    """Who follows the listing's seller or course (not the seller themself), by user id; the
    language is that of their most recent follow among these."""
    follows = (
        Follow.objects.filter(Q(seller_id=listing.seller_id) | Q(course_id=listing.course_id))
        .filter(user__is_active=True)
        .exclude(user_id=listing.seller.user_id)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    recipients: dict[int, _Recipient] = {}
    for follow in follows:
        earlier = recipients.get(follow.user_id)
        recipients[follow.user_id] = _Recipient(
            user=follow.user,
            language=follow.language or (earlier.language if earlier else ""),
            follows_seller=follow.seller_id is not None or bool(earlier and earlier.follows_seller),
            follows_course=follow.course_id is not None or bool(earlier and earlier.follows_course),
        )
    return recipients


def follow_notifications_send(*, listing_id: int) -> int:
    """E-mail everyone who follows the listing's seller or course about it, at most once per
    user per listing; the number of e-mails this call sent. Safe to repeat and to run twice at
    once: each e-mail is claimed before it is sent.

    At most once, as order_receipt_send: a notification row is claimed (sent_at set) and
    committed BEFORE the mail server is called; a failed send gives the claim back, so running
    the task again sends what is left. Only a crash between claim and send loses an e-mail.
    Failures do not stop the others; the call raises at the end if any failed.
    """
    listing = (
        Listing.objects.select_related(
            "seller", "course__programme__institution", "document__current_version"
        )
        .filter(pk=listing_id, status=ListingStatus.PUBLISHED)
        .first()
    )
    if listing is None:  # taken offline before the task ran: nothing to announce
        return 0
    recipients = _recipients(listing)
    FollowNotification.objects.bulk_create(
        [FollowNotification(user_id=user_id, listing=listing) for user_id in recipients],
        ignore_conflicts=True,
    )
    _followers_notify(listing, recipients)
    pending = FollowNotification.objects.filter(
        listing=listing, user_id__in=list(recipients), sent_at__isnull=True
    ).order_by("pk")
    sent, failed = 0, 0
    for notification in pending:
        claimed_at = timezone.now()
        if not FollowNotification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(
            sent_at=claimed_at
        ):
            continue  # another run claimed it
        recipient = recipients[notification.user_id]
        try:
            _notification_message(listing, recipient).send()
        except Exception:
            FollowNotification.objects.filter(pk=notification.pk, sent_at=claimed_at).update(sent_at=None)
            logger.exception("Follow notification %s could not be sent", notification.pk)
            failed += 1
        else:
            sent += 1
    if failed:
        raise RuntimeError(f"{failed} follow notification(s) for listing {listing_id} could not be sent")
    return sent


def _followers_notify(listing: Listing, recipients: dict[int, _Recipient]) -> None:
    """The bell's notification of the new document, once per follower (keyed by the listing),
    whether or not their e-mail goes out; named after the seller if they follow the seller."""
    # The seller's id goes along: an erased seller's name is replaced (privacy.erasure_seller).
    seller: dict[str, object] = {
        "title": listing.title,
        "source": listing.seller.display_name,
        "seller_id": listing.seller_id,
    }
    course: dict[str, object] = {"title": listing.title, "source": listing.course.name}
    by_source = [
        (seller, [pk for pk, r in recipients.items() if r.follows_seller]),
        (course, [pk for pk, r in recipients.items() if not r.follows_seller]),
    ]
    for params, user_ids in by_source:
        notifications_create(
            recipient_ids=user_ids,
            kind=NotificationKind.NEW_LISTING_FROM_FOLLOWED,
            params=params,
            url=listing.get_absolute_url(),
            key=f"listing:{listing.pk}",
        )


def follow_notifications_reconcile() -> list[int]:
    """Queue the e-mails about a new document again where they were lost: listings published in
    the last FOLLOW_NOTIFICATION_WINDOW (and not in the last FOLLOW_NOTIFICATION_STALE, which is
    the task's own time) with a follower who followed before publication and has no e-mail sent
    about it (the task never ran, or a send failed). Returns the listing ids queued.

    A follower whose e-mail was claimed but never sent (a crash between the two) stays without:
    at most once, as follow_notifications_send says."""
    from studymarket.catalog.tasks import follow_notifications_task  # the task module imports this one

    now = timezone.now()
    waiting = (
        Follow.objects.filter(
            Q(seller_id=OuterRef("seller_id")) | Q(course_id=OuterRef("course_id")),
            user__is_active=True,
            created_at__lte=OuterRef("published_at"),
        )
        .exclude(user_id=OuterRef("seller__user_id"))
        .exclude(
            user_id__in=FollowNotification.objects.filter(
                listing_id=OuterRef(OuterRef("pk")), sent_at__isnull=False
            ).values("user_id")
        )
    )
    ids = list(
        Listing.objects.filter(
            status=ListingStatus.PUBLISHED,
            published_at__gte=now - FOLLOW_NOTIFICATION_WINDOW,
            published_at__lt=now - FOLLOW_NOTIFICATION_STALE,
        )
        .filter(Exists(waiting))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for listing_id in ids:
        follow_notifications_task.enqueue(listing_id)
    return ids


def _absolute(path: str) -> str:
    site: str = settings.SITE_URL
    return site.rstrip("/") + path


def _notification_message(listing: Listing, recipient: _Recipient) -> EmailMultiAlternatives:
    token = follow_optout_token(
        user_id=recipient.user.pk,
        seller_ids=[listing.seller_id] if recipient.follows_seller else [],
        course_ids=[listing.course_id] if recipient.follows_course else [],
    )
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        optout_url = _absolute(reverse("catalog:follow_optout", kwargs={"token": token}))
        version = listing.document.current_version
        context = {
            "user": recipient.user,
            "listing": listing,
            "course": listing.course,
            "institution": listing.course.programme.institution,
            "seller": listing.seller,
            "page_count": version.page_count if version else None,
            "follows_seller": recipient.follows_seller,
            "follows_course": recipient.follows_course,
            "listing_url": _absolute(listing.get_absolute_url()),
            "optout_url": optout_url,
        }
        subject = render_to_string("catalog/emails/follow_new_listing_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("catalog/emails/follow_new_listing.txt", context),
            to=[recipient.user.email],
            # RFC 2369 and RFC 8058: mail programs offer "unsubscribe", and may do it in one POST.
            headers={
                "List-Unsubscribe": f"<{optout_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(
            render_to_string("catalog/emails/follow_new_listing.html", context), "text/html"
        )
    return message
