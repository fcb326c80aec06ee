"""The buyer's endpoints (scope "read"): who am I, my library, and my stamped PDF, exactly as
the site's library gives them (library.selectors and library.services; see library.views)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Router, Status
from ninja.pagination import PageNumberPagination, paginate

from studymarket.accounts.models import SellerProfile
from studymarket.api.auth import SCOPE_READ, request_token, scope_require, token_auth
from studymarket.api.pages import PAGE_SIZE, PAGE_SIZE_MAX, MappedPage
from studymarket.api.schemas import DownloadPendingOut, LibraryItemOut, MeOut
from studymarket.catalog.models import Listing
from studymarket.core.storage import stored_file_response
from studymarket.library.models import Entitlement, StampedCopyStatus
from studymarket.library.selectors import (
    LibraryItem,
    entitlement_active_get,
    guarantee_lost_by_download,
    library_items,
)
from studymarket.library.services import AccessRevoked, download_record, stamped_copy_request

router = Router(auth=token_auth, tags=[gettext_noop("bibliotheek")])

# How long a client waits before asking again for a PDF that is being made (the site polls every 2 s).
_PENDING_RETRY_SECONDS = 2


@router.get("/me", response=MeOut, summary=gettext_noop("Wie ben ik (elke token)"))
def me(request: HttpRequest) -> dict[str, Any]:
    token = request_token(request)
    user = token.user
    return {
        "id": user.pk,
        "name": user.get_full_name() or user.email.split("@")[0],
        "email": user.email,
        "scopes": token.scope_list,
        "seller": SellerProfile.objects.filter(user_id=user.pk).exists(),
    }


def _guarantee_note(until: Any) -> str:
    if until is None:
        return ""
    return _(
        "Let op: na het downloaden krijg je je geld niet meer automatisch terug met de "
        "tevredenheidsgarantie (tot en met %(date)s). Online lezen kan wel."
    ) % {"date": date_format(until, "j F Y")}


def _library_item(request: HttpRequest, item: LibraryItem) -> dict[str, Any]:
    entitlement = item.entitlement
    listing = entitlement.document.listing
    return {
        "listing_id": listing.pk,
        "title": listing.title,
        "order_number": entitlement.order_number,
        "granted_at": entitlement.granted_at,
        "version": item.version.number if item.version is not None else None,
        "download_url": request.build_absolute_uri(
            reverse("api:library_download", kwargs={"listing_id": listing.pk})
        ),
        "guarantee_until": item.guarantee_until,
        "guarantee_note": _guarantee_note(item.guarantee_until),
    }


@router.get("/library", response=list[LibraryItemOut], summary=gettext_noop("Mijn documenten"))
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=PAGE_SIZE_MAX)
def library(request: HttpRequest) -> Any:
    token = scope_require(request, SCOPE_READ)
    return MappedPage(library_items(user=token.user), lambda item: _library_item(request, item))


def _entitlement(request: HttpRequest, listing_id: int) -> Entitlement:
    token = scope_require(request, SCOPE_READ)
    document_id = Listing.objects.filter(pk=listing_id).values_list("document_id", flat=True).first()
    entitlement = (
        entitlement_active_get(user=token.user, document_id=document_id) if document_id is not None else None
    )
    if entitlement is None or entitlement.document.current_version is None:
        raise Http404
    return entitlement


@router.get(
    "/library/{listing_id}/download",
    response={202: DownloadPendingOut},
    url_name="library_download",
    summary=gettext_noop("Mijn PDF downloaden (met mijn naam en bestelnummer)"),
    description=gettext_noop(
        "Beëindigt de automatische terugbetaling van de tevredenheidsgarantie, zoals een download op "
        "de site doet (zie guarantee_until in /library). 202 zolang de PDF wordt gemaakt: vraag het "
        "na Retry-After opnieuw."
    ),
    openapi_extra={
        "responses": {
            200: {
                "description": gettext_noop("De PDF"),
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def library_download(
    request: HttpRequest, listing_id: int, response: HttpResponse
) -> HttpResponseBase | Status[dict[str, Any]]:
    entitlement = _entitlement(request, listing_id)
    version = entitlement.document.current_version
    assert version is not None
    copy = stamped_copy_request(entitlement=entitlement, version=version)
    if copy.status != StampedCopyStatus.READY:
        until = guarantee_lost_by_download(entitlement=entitlement)
        response["Retry-After"] = str(_PENDING_RETRY_SECONDS)
        return Status(
            202,
            {
                "status": "pending",
                "detail": _("Je PDF wordt klaargemaakt. Probeer het over een paar seconden opnieuw."),
                "retry_after": _PENDING_RETRY_SECONDS,
                "guarantee_until": until,
            },
        )

    def record() -> None:
        download_record(
            stamped_copy=copy,
            ip=request.META.get("REMOTE_ADDR", ""),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )

    title = slugify(entitlement.document.listing.title)[:80].strip("-") or "document"
    try:
        return stored_file_response(
            copy.file,
            filename=f"{title}-{entitlement.order_number}.pdf",
            content_type="application/pdf",
            record=record,
        )
    except AccessRevoked:  # refunded a moment ago
        raise Http404 from None
