from collections.abc import Collection, Iterable

from django import template

from studymarket.catalog.models import Listing

register = template.Library()


@register.filter
def owned_count(listings: Iterable[Listing], owned_document_ids: Collection[int]) -> int:
    """{{ listings|owned_count:owned_document_ids }}: how many of the bundle's documents the visitor has."""
    return sum(1 for listing in listings if listing.document_id in owned_document_ids)
