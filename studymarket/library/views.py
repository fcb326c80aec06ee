"""The library's pages: "Mijn documenten", the online reader, and the buyer's PDF.

Every view but the list starts from the buyer's active entitlement to the document; without
one the answer is 404, whoever asks and however (no hint whether the document exists). Two
exceptions, both about the reader page itself: a visitor who is not logged in is sent to log in
and back, and a buyer whose access ended (a refund) is told so and why, with a 403. Page
images and the PDF are read from the private storage and sent by these views only; on object
storage the PDF by a redirect to a pre-signed URL that lives DOWNLOAD_URL_SECONDS
(core.storage.stored_file_response). A store that does not answer gives 503, not 500.
"""

import textwrap
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import conditional_escape
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from studymarket.core.storage import storage_unavailable_page, stored_file_response
from studymarket.documents.models import DocumentVersion
from studymarket.library.models import Entitlement, StampedCopyStatus
from studymarket.library.reader import (
    READER_DEFAULT_WIDTH,
    READER_WIDTHS,
    PageTooHeavy,
    ReaderBusy,
    reader_page_etag,
    reader_page_image,
    reader_page_open,
    reader_page_sizes,
    reader_pages_too_heavy,
)
from studymarket.library.selectors import (
    entitlement_active_get,
    entitlement_ended_get,
    guarantee_lost_by_download,
    library_items,
    reader_page_texts,
    reader_version_get,
)
from studymarket.library.services import AccessRevoked, download_record, stamped_copy_request

# Page images never change for a version (its id is in the URL): the browser keeps them, and
# only the browser (private), for a day, then asks again with their ETag (304, no bytes).
_PAGE_IMAGE_MAX_AGE = 24 * 3600
# Shown in place of a page the reader could not draw within the limits (issue 12).
_TOO_HEAVY = _(
    "Deze pagina is te zwaar om in de lezer te tonen. In de PDF van dit document (Download PDF) staat ze wel."
)
# The image in the page's place, while the reader page is still the one that asked for it.
_TOO_HEAVY_LINE_CHARACTERS = 34
_BUSY_RETRY_SECONDS = 5


def _entitlement(request: HttpRequest, document_id: int) -> Entitlement:
    entitlement = entitlement_active_get(user=request.user, document_id=document_id)
    if entitlement is None:
        raise Http404
    return entitlement


def _current_version(entitlement: Entitlement) -> DocumentVersion:
    version = entitlement.document.current_version
    if version is None:
        raise Http404
    return version


@login_required
@cache_control(private=True, no_cache=True)
def library_index(request: HttpRequest) -> HttpResponse:
    return render(request, "library/index.html", {"items": library_items(user=request.user)})


@dataclass(frozen=True)
class _ReaderPage:
    number: int
    width: int
    height: int
    src: str
    srcset: str
    text_html: str  # escaped; its line breaks are kept by CSS (white-space: pre-line), not <br>:
    # a 100-page document had some 4,000 <br> elements, which Lighthouse counted against the reader
    too_heavy: bool
    label: str  # "Pagina 3 van 102"
    text_label: str  # "Tekst van pagina 3"


@cache_control(private=True, no_cache=True)
@login_required
@storage_unavailable_page
def library_read(request: HttpRequest, document_id: int) -> HttpResponse:
    entitlement = entitlement_active_get(user=request.user, document_id=document_id)
    if entitlement is None:
        return _access_ended(request, document_id)
    version = _current_version(entitlement)
    # The PDF is made while the buyer reads, so "Download PDF" is usually ready at once.
    copy = stamped_copy_request(entitlement=entitlement, version=version)
    texts = reader_page_texts(version=version)
    too_heavy = reader_pages_too_heavy(version=version)
    base = reverse("library:page", args=[document_id, version.pk, 1, READER_DEFAULT_WIDTH]).rsplit("/", 1)[0]
    sizes = reader_page_sizes(version=version)
    # Each page's words are made here, once, not by template tags per page: a 100-page document
    # took some 30 ms of blocktranslate and linebreaksbr per view (issue 14).
    label, text_label = gettext("Pagina %(number)s van %(total)s"), gettext("Tekst van pagina %(number)s")
    pages = [
        _ReaderPage(
            number=number,
            width=size.width,
            height=size.height,
            src=f"{base}/{number}-{READER_DEFAULT_WIDTH}.webp",
            srcset=", ".join(f"{base}/{number}-{w}.webp {w}w" for w in READER_WIDTHS),
            text_html=conditional_escape(texts.get(number, "")),
            too_heavy=number in too_heavy,
            label=label % {"number": number, "total": len(sizes)},
            text_label=text_label % {"number": number},
        )
        for number, size in enumerate(sizes, start=1)
    ]
    context = {
        "entitlement": entitlement,
        "version": version,
        "copy": copy,
        "pages": pages,
        "page_count": len(pages),
        "too_heavy_message": _TOO_HEAVY,
        "guarantee_until": guarantee_lost_by_download(entitlement=entitlement),
    }
    return render(request, "library/read.html", context)


def _access_ended(request: HttpRequest, document_id: int) -> HttpResponse:
    """The buyer's own document after a refund (or a chargeback, an upheld notice): why they
    can no longer read it, in place of the reader. Anyone else: 404, as ever."""
    ended = entitlement_ended_get(user=request.user, document_id=document_id)
    if ended is None:
        raise Http404
    context = {"entitlement": ended, "cause": _ended_cause(ended.revoke_reason)}
    return render(request, "library/access_ended.html", context, status=403)


def _ended_cause(reason: str) -> str:
    """What library/access_ended.html says happened, from the revoke reason orders gave
    ("refund" at a guarantee approval, "guarantee: …", "external", "duplicate",
    "chargeback", "notice_upheld")."""
    if reason == "chargeback":
        return "chargeback"
    if reason == "notice_upheld":
        return "notice"
    return "refund"


@require_safe
@storage_unavailable_page
def library_page(
    request: HttpRequest, document_id: int, version_id: int, number: int, width: int
) -> HttpResponseBase:
    """One page image. Always after the entitlement check: a browser holding the image (its
    ETag) gets 304 without the storage being asked; a page drawn before is sent from the
    storage as it is (no PDF opened); only a page never drawn is drawn, for this request."""
    entitlement = _entitlement(request, document_id)
    version = reader_version_get(entitlement=entitlement, version_id=version_id)
    if version is None or width not in READER_WIDTHS or not 1 <= number <= version.page_count:
        raise Http404
    etag = reader_page_etag(version=version, number=number, width=width)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return _kept_by_the_browser(not_modified, etag)
    stored = reader_page_open(version=version, number=number, width=width)
    if stored is not None:
        image = FileResponse(stored, content_type="image/webp", filename=f"pagina-{number}.webp")
        return _kept_by_the_browser(image, etag)
    try:
        data = reader_page_image(version=version, number=number, width=width)
    except PageTooHeavy:
        response = _too_heavy_image(request, version=version, number=number)
        patch_cache_control(response, private=True, no_store=True)
        return response
    except ReaderBusy:
        response = HttpResponse(status=503, headers={"Retry-After": str(_BUSY_RETRY_SECONDS)})
        patch_cache_control(response, private=True, no_store=True)
        return response
    return _kept_by_the_browser(HttpResponse(data, content_type="image/webp"), etag)


def _kept_by_the_browser(response: HttpResponseBase, etag: str) -> HttpResponseBase:
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=_PAGE_IMAGE_MAX_AGE)
    return response


def _too_heavy_image(request: HttpRequest, *, version: DocumentVersion, number: int) -> HttpResponse:
    """An image the size of the page that says, in words, why the page is not shown."""
    size = reader_page_sizes(version=version)[number - 1]
    font_size = max(size.width // 28, 8)
    lines = textwrap.wrap(str(_TOO_HEAVY), _TOO_HEAVY_LINE_CHARACTERS)
    context = {
        "width": size.width,
        "height": size.height,
        "center": size.width // 2,
        "font_size": font_size,
        "top": size.height // 2 - len(lines) * font_size * 3 // 4,
        "line_height": font_size * 3 // 2,
        "lines": lines,
        "message": _TOO_HEAVY,
    }
    return render(request, "library/page_too_heavy.svg", context, content_type="image/svg+xml")


@cache_control(private=True, no_store=True)
def library_copy_status(request: HttpRequest, document_id: int) -> HttpResponse:
    """The "Download PDF" block; polled (htmx) while the PDF is being made."""
    entitlement = _entitlement(request, document_id)
    copy = stamped_copy_request(entitlement=entitlement, version=_current_version(entitlement))
    context = {
        "entitlement": entitlement,
        "copy": copy,
        "guarantee_until": guarantee_lost_by_download(entitlement=entitlement),
    }
    return render(request, "library/_download.html", context)


@cache_control(private=True, no_store=True)
@storage_unavailable_page
def library_download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    """The buyer's own PDF, recorded as a download. A POST (a form's button): a download
    ends the satisfaction guarantee, so no link preview or prefetch may set one off. An object
    store that does not answer: 503, nothing recorded."""
    entitlement = _entitlement(request, document_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    copy = stamped_copy_request(entitlement=entitlement, version=_current_version(entitlement))
    if copy.status != StampedCopyStatus.READY:
        context = {
            "entitlement": entitlement,
            "copy": copy,
            "guarantee_until": guarantee_lost_by_download(entitlement=entitlement),
        }
        return render(request, "library/download_pending.html", context, status=202)

    def record() -> None:
        download_record(
            stamped_copy=copy,
            ip=request.META.get("REMOTE_ADDR", ""),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )

    try:
        # Recorded only once the file is known to be readable: what cannot be sent is no download.
        # The bytes from a local folder; from object storage, a redirect to a pre-signed URL.
        return stored_file_response(
            copy.file, filename=_download_name(entitlement), content_type="application/pdf", record=record
        )
    except AccessRevoked:  # refunded a moment ago
        raise Http404 from None


def _download_name(entitlement: Entitlement) -> str:
    # ASCII letters, digits and dashes only: safe in every browser and file system.
    title = slugify(entitlement.document.listing.title)[:80].strip("-") or "document"
    return f"{title}-{entitlement.order_number}.pdf"
