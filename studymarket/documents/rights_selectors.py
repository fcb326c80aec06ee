"""Reads of registered works (rights_holders.py) and their matches."""

from django.db.models import Count, QuerySet

from studymarket.accounts.models import User
from studymarket.documents.models import DocumentVersion, RightsHolderMatch, RightsHolderWork


def rights_holder_work_list(*, owner: User) -> QuerySet[RightsHolderWork]:
    """The owner's registered works, newest first, with how many uploads each held."""
    return (
        RightsHolderWork.objects.filter(owner=owner, removed_at__isnull=True)
        .annotate(held_count=Count("matches"))
        .order_by("-created_at", "-pk")
    )


def rights_holder_match_list(*, version: DocumentVersion) -> QuerySet[RightsHolderMatch]:
    """The registered works a version repeats, closest first, with their owners."""
    return version.rights_holder_matches.select_related("work__owner").order_by("-similarity", "work_id")
