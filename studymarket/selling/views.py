"""The seller's pages: upload a document, watch it being processed, describe and price it."""

from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from studymarket.accounts.decorators import HtmxHttpRequest, htmx_redirect, seller_required
from studymarket.accounts.models import SellerProfile
from studymarket.accounts.suspension import SellerSuspended, suspended_until, suspension_message
from studymarket.accounts.trader import trader_details_complete
from studymarket.core.errors import ApplicationError
from studymarket.core.ratelimits import RateLimited
from studymarket.core.storage import STORAGE_RETRY_SECONDS, StorageUnavailable
from studymarket.documents.conversion import conversion_available
from studymarket.documents.models import Document
from studymarket.documents.services import UploadRejected
from studymarket.documents.upload_limits import UploadSizeLimit
from studymarket.selling.bundle_views import bundle_no_saving_warn
from studymarket.selling.deletion import document_delete, document_delete_refusal
from studymarket.selling.forms import (
    SEARCH_MIN_LETTERS,
    DescribeForm,
    UploadForm,
    describe_initial,
)
from studymarket.selling.info_views import price_line_context
from studymarket.selling.selectors import (
    SellerDocument,
    book_get_by_isbn,
    course_chosen,
    course_search,
    document_page_count,
    institution_search,
    programme_search,
    seller_dashboard,
    seller_document_get,
)
from studymarket.selling.services import listing_save, upload_retry, upload_store


def _own_document(seller: SellerProfile, pk: int) -> SellerDocument:
    try:
        return seller_document_get(seller=seller, pk=pk)
    except Document.DoesNotExist:
        raise Http404 from None


def _document_url(pk: int) -> str:
    return reverse("selling:sell_document", kwargs={"pk": pk})


@require_GET
@seller_required
def dashboard(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    context = {
        "dashboard": seller_dashboard(seller=seller),
        "trader_incomplete": not trader_details_complete(seller),
    }
    return render(request, "selling/dashboard.html", context)


# The two upload views are CSRF-exempt only so that the size limit is in place before the
# body is read (the CSRF check reads it); _upload checks the token itself.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def upload(request: HtmxHttpRequest) -> HttpResponse:
    limit = UploadSizeLimit.install(request)
    return _upload(request, limit=limit, pk=None)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def new_version(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    limit = UploadSizeLimit.install(request)
    return _upload(request, limit=limit, pk=pk)


@csrf_protect
@seller_required
def _upload(
    request: HtmxHttpRequest, seller: SellerProfile, *, limit: UploadSizeLimit, pk: int | None
) -> HttpResponse:
    state = _own_document(seller, pk) if pk is not None else None
    if state is not None and not state.can_upload_new_version:
        messages.info(request, _("Een nieuwe versie kan pas als dit document verwerkt en online is."))
        return htmx_redirect(request, _document_url(state.document.pk))
    office = conversion_available()  # Word and OpenDocument offered only when converted
    form = UploadForm(refused_too_large=bool(limit.refused), office=office)
    if request.method == "GET" and (until := suspended_until(seller.user)) is not None:
        messages.error(request, suspension_message(until))  # said before they choose a file
    retry_after = 0
    unavailable = False
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, refused_too_large=bool(limit.refused), office=office)
        if form.is_valid():
            file = form.cleaned_data["file"]
            try:
                version = upload_store(
                    seller=seller,
                    file=file,
                    original_name=file.name or "",
                    document=state.document if state else None,
                )
            except (UploadRejected, SellerSuspended) as exc:
                form.add_error("file", exc.message)
            except RateLimited as exc:
                # The daily upload quota (selling.quota): said on the form, answered with 429.
                form.add_error("file", exc.message or "")
                retry_after = exc.retry_after
            except StorageUnavailable as exc:
                # The object store did not answer: nothing was kept, the seller sends it again.
                form.add_error("file", exc.message)
                unavailable = True
            else:
                return htmx_redirect(request, _document_url(version.document_id))
    context = {"form": form, "state": state, "max_size": filesizeformat(settings.UPLOAD_MAX_BYTES)}
    template = "selling/_upload_form.html" if request.htmx else "selling/upload.html"
    status = 429 if retry_after else 503 if unavailable else 200
    response = render(request, template, context, status=status)
    if retry_after or unavailable:
        response["Retry-After"] = str(retry_after or STORAGE_RETRY_SECONDS)
    return response


@require_http_methods(["GET", "POST"])
@seller_required
def document_detail(request: HtmxHttpRequest, seller: SellerProfile, pk: int) -> HttpResponse:
    state = _own_document(seller, pk)
    page_count = document_page_count(document=state.document)
    if state.listing is not None:
        initial = describe_initial(state.listing)
    else:
        initial = {"title": PurePath(state.version.original_name).stem}
    form = DescribeForm(initial=initial, page_count=page_count)
    if request.method == "POST":
        form = DescribeForm(request.POST, initial=initial, page_count=page_count)
        if form.is_valid():
            try:
                listing = listing_save(seller=seller, document=state.document, details=form.details())
            except ValidationError as exc:
                _add_errors(form, exc)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Je beschrijving is opgeslagen."))
                bundle_no_saving_warn(request, listing_id=listing.pk)
                return redirect(_document_url(pk))
    context = {**_document_context(state, form), "trader_incomplete": not trader_details_complete(seller)}
    return render(request, "selling/document.html", context)


def _add_errors(form: Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _document_context(state: SellerDocument, form: DescribeForm) -> dict[str, Any]:
    course = form["course"].value()
    chosen = course_chosen(pk=course)
    query = (form["course_query"].value() or "").strip()
    # Without JavaScript the suggestions come with the form: after a search, pick from them.
    suggestions = list(course_search(query=query)) if form.is_bound and not chosen and query else []
    return {
        "state": state,
        "form": form,
        "pages_known": "preview_page_count" in form.fields,
        "course_options": chosen + [c for c in suggestions if c not in chosen],
        "chosen_course": str(course or ""),
        "versions": state.document.versions.all(),
        "price_line": price_line_context(form["price"].value() or ""),
    }


@require_GET
@seller_required
def document_status(request: HtmxHttpRequest, seller: SellerProfile, pk: int) -> HttpResponse:
    state = _own_document(seller, pk)
    # The describe form offers the preview choice once the page count is known: send that
    # field along (out of band) the first time the page, still without it, asks.
    page_count = document_page_count(document=state.document)
    pages_known = request.GET.get("pages_known") != "0"
    context: dict[str, Any] = {"state": state, "pages_known": pages_known or bool(page_count)}
    if not pages_known and page_count:
        context["preview_form"] = DescribeForm(page_count=page_count)
    if state.polling:
        return render(request, "selling/_status.html", context)
    # The run the page waited for ended: the versions table (page count, state) comes along.
    # A refused first upload reloads the page instead, which then has no description form.
    context["versions_oob"] = True
    response = render(request, "selling/_status.html", context)
    if request.htmx and not state.shows_describe_form:
        response["HX-Refresh"] = "true"
    return response


@require_http_methods(["GET", "POST"])
@seller_required
def delete(request: HtmxHttpRequest, seller: SellerProfile, pk: int) -> HttpResponse:
    """ "Verwijderen" for a refused draft: a confirmation page, then the POST (selling.deletion)."""
    state = _own_document(seller, pk)
    refusal = document_delete_refusal(document=state.document, versions=list(state.document.versions.all()))
    if request.method == "POST" and refusal is None:
        try:
            document_delete(seller=seller, document_id=pk)
        except Document.DoesNotExist:
            raise Http404 from None
        except ApplicationError as exc:
            refusal = exc.message
        else:
            messages.success(request, _("De geweigerde upload is verwijderd."))
            return redirect("selling:sell_dashboard")
    return render(request, "selling/delete.html", {"state": state, "refusal": refusal})


@require_POST
@seller_required
def retry(request: HtmxHttpRequest, seller: SellerProfile, pk: int) -> HttpResponse:
    state = _own_document(seller, pk)
    upload_retry(version_id=state.version.pk)
    return redirect(_document_url(pk))


@require_GET
@seller_required
def price_preview(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    context = {"price_line": price_line_context(request.GET.get("price", ""))}
    return render(request, "selling/_price_line.html", context)


@require_GET
@seller_required
def course_suggestions(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    query = request.GET.get("course_query", "").strip()
    chosen = course_chosen(pk=request.GET.get("course"))
    found = list(course_search(query=query)) if len(query) >= SEARCH_MIN_LETTERS else []
    context = {
        "course_options": chosen + [c for c in found if c not in chosen],
        "chosen_course": str(chosen[0].pk) if chosen else "",
        "query": query,
        "too_short": len(query) < SEARCH_MIN_LETTERS,
    }
    return render(request, "selling/_course_suggestions.html", context)


@require_GET
@seller_required
def institution_suggestions(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    query = request.GET.get("new_institution", "")
    names = (
        [i.name for i in institution_search(query=query)] if len(query.strip()) >= SEARCH_MIN_LETTERS else []
    )
    return render(request, "selling/_options.html", {"names": names})


@require_GET
@seller_required
def programme_suggestions(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    programmes = programme_search(
        institution_name=request.GET.get("new_institution", ""), query=request.GET.get("new_programme", "")
    )
    return render(request, "selling/_options.html", {"names": [p.name for p in programmes]})


@require_GET
@seller_required
def book_lookup(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    isbn = request.GET.get("isbn", "").strip()
    context: dict[str, Any] = {"isbn": isbn}
    if isbn:
        try:
            context["book"] = book_get_by_isbn(isbn=isbn)
        except ValidationError as exc:
            context["error"] = exc.messages[0]
    return render(request, "selling/_book_lookup.html", context)
