"""Reads for notices, statements and the staff queue."""

from django.db.models import Q, QuerySet

from studymarket.catalog.models import Listing
from studymarket.core.models import AuditEvent
from studymarket.trust.models import NOTICE_OPEN, Appeal, Notice, StatementOfReasons, Strike


def notices_open() -> QuerySet[Notice]:
    """Notices waiting for staff (not yet decided), soonest deadline first. The unified staff
    queue (support) lists these with number, listing, kind, created_at, deadline_at, status and
    get_staff_url()."""
    return (
        Notice.objects.filter(status__in=NOTICE_OPEN)
        .select_related("listing")
        .order_by("deadline_at", "created_at", "pk")
    )


def notice_get(*, number: str) -> Notice:
    """A notice with its listing and seller. Raises Notice.DoesNotExist."""
    return Notice.objects.select_related("listing__seller__user", "reporter", "decided_by").get(number=number)


def notice_timeline(*, notice: Notice) -> list[AuditEvent]:
    """What happened, oldest first: the audit events of the notice, its statements of reasons,
    its appeals and strikes, and the listing (its takedown, its restore, its refunds' end)."""
    label = Notice._meta.label_lower
    ids: Q = Q(object_type=label, object_id=str(notice.pk)) | Q(
        object_type=Listing._meta.label_lower, object_id=str(notice.listing_id)
    )
    for model, pks in (
        (StatementOfReasons, StatementOfReasons.objects.filter(notice=notice).values_list("pk", flat=True)),
        (
            Appeal,
            Appeal.objects.filter(Q(notice=notice) | Q(statement__notice=notice)).values_list(
                "pk", flat=True
            ),
        ),
        (Strike, Strike.objects.filter(notice=notice).values_list("pk", flat=True)),
    ):
        keys = [str(pk) for pk in pks]
        if keys:
            ids |= Q(object_type=model._meta.label_lower, object_id__in=keys)
    return list(AuditEvent.objects.filter(ids).select_related("actor").order_by("created_at", "pk"))


def notice_statements(*, notice: Notice) -> QuerySet[StatementOfReasons]:
    return StatementOfReasons.objects.filter(notice=notice).order_by("created_at", "pk")


def notice_list_for_listing(*, listing_id: int) -> QuerySet[Notice]:
    """Every notice about one listing, newest first (the staff page shows the others)."""
    return Notice.objects.filter(listing_id=listing_id).order_by("-created_at", "-pk")
