"""The seller's documents (scope "sell"): upload, watch processing, describe and price, put on
sale, upload a new version. Each goes through the service the site's pages call
(selling.services: upload_store, listing_save, listing_finalize) with the same checks: the
describe form's validation (selling.forms.DescribeForm), suspension, trader details, quota.
``{id}`` is the document's id, as in the site's /verkopen/documenten/<id>/."""

from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import File, Router, Status
from ninja.files import UploadedFile as NinjaUploadedFile
from ninja.pagination import PageNumberPagination, paginate

from studymarket.accounts.models import SellerProfile
from studymarket.accounts.suspension import seller_suspension_check
from studymarket.accounts.trader import trader_details_require
from studymarket.api.auth import request_seller, token_auth
from studymarket.api.errors import ApiProblem
from studymarket.api.pages import PAGE_SIZE, PAGE_SIZE_MAX, MappedPage
from studymarket.api.schemas import SellerDocumentOut, SellerDocumentPatch
from studymarket.api.uploads import upload_limit_refused
from studymarket.catalog.models import Language, ListingStatus
from studymarket.documents.models import Document
from studymarket.selling.forms import DescribeForm, describe_initial, price_text
from studymarket.selling.selectors import (
    Phase,
    SellerDocument,
    document_page_count,
    seller_document_get,
    seller_document_list,
)
from studymarket.selling.services import listing_finalize, listing_save, upload_store

router = Router(auth=token_auth, tags=[gettext_noop("verkopen: documenten")])

_STATUS = {
    Phase.PROCESSING: "processing",
    Phase.HELD: "held",
    Phase.REJECTED: "refused",
    Phase.FAILED: "failed",
}
# The API's field names for the describe form's.
_API_FIELDS = {"course": "course_id", "price": "price_cents", "course_query": "course_id"}
# The multipart field "file"; optional here so that a missing one gets our own words (422).
_FILE = File(None)
_REQUIRED = ("title", "description", "course_id", "document_type", "academic_year", "price_cents")


def _own(seller: SellerProfile, pk: int) -> SellerDocument:
    try:
        return seller_document_get(seller=seller, pk=pk)
    except Document.DoesNotExist:
        raise Http404 from None


def _item(request: HttpRequest, state: SellerDocument) -> dict[str, Any]:
    listing = state.listing
    published = listing is not None and listing.status == ListingStatus.PUBLISHED
    phase = state.phase
    path = (
        listing.get_absolute_url()
        if published and listing is not None
        else reverse("selling:sell_document", kwargs={"pk": state.document.pk})
    )
    return {
        "id": state.document.pk,
        "status": _STATUS.get(phase, "ready"),
        "status_text": str(phase.label),
        "listing_id": listing.pk if listing is not None else None,
        "published": published,
        "url": request.build_absolute_uri(path),
        "title": state.title,
        "price_cents": listing.price_cents if listing is not None else None,
        "refusal_reason": state.reason if phase in (Phase.REJECTED, Phase.FAILED) else "",
        "version": state.version.number,
        "page_count": state.version.page_count or 0,
    }


def _fresh(request: HttpRequest, seller: SellerProfile, pk: int) -> dict[str, Any]:
    return _item(request, _own(seller, pk))


@router.get(
    "/seller/documents",
    response=list[SellerDocumentOut],
    summary=gettext_noop("Mijn documenten als verkoper"),
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=PAGE_SIZE_MAX)
def document_list(request: HttpRequest) -> Any:
    seller = request_seller(request)
    return MappedPage(seller_document_list(seller=seller), lambda state: _item(request, state))


def _store(
    request: HttpRequest, seller: SellerProfile, file: UploadedFile | None, document: Document | None
) -> int:
    if upload_limit_refused(request):
        raise ApiProblem(413, "too-large", upload_limit_refused(request))
    if file is None:
        raise ApiProblem(422, "file-missing", _("Stuur het bestand mee als multipart-veld “file”."))
    version = upload_store(seller=seller, file=file, original_name=file.name or "", document=document)
    return version.document_id


@router.post(
    "/seller/documents",
    response={202: SellerDocumentOut},
    summary=gettext_noop("Een document uploaden (PDF, multipart-veld “file”)"),
)
def document_upload(request: HttpRequest, file: NinjaUploadedFile | None = _FILE) -> Status[dict[str, Any]]:
    seller = request_seller(request)
    document_id = _store(request, seller, file, None)
    return Status(202, _fresh(request, seller, document_id))


@router.get(
    "/seller/documents/{document_id}",
    response=SellerDocumentOut,
    summary=gettext_noop("Status van een document"),
)
def document_detail(request: HttpRequest, document_id: int) -> dict[str, Any]:
    return _fresh(request, request_seller(request), document_id)


def _form_data(state: SellerDocument, patch: SellerDocumentPatch) -> dict[str, Any]:
    """The describe form's data: what the listing has now, with the patch's fields over it."""
    if state.listing is not None:
        data = describe_initial(state.listing)
    else:
        # As the site's form starts: the file's name as the title, Dutch (the model's default).
        data = {"title": PurePath(state.version.original_name).stem, "language": Language.NL}
    given = patch.model_dump(exclude_unset=True)
    renamed = {"course_id": "course", "price_cents": "price"}
    for name, value in given.items():
        if value is None:
            continue
        if name == "price_cents":
            value = price_text(value) if value >= 0 else str(value)
        if name == "academic_year":
            value = str(value).replace("-", "/")
        data[renamed.get(name, name)] = value
    if not data.get("whole_book_summarized"):
        data.pop("whole_book_summarized", None)  # a checkbox: absent is False
    return {key: value for key, value in data.items() if value not in (None, "")}


def _form_problem(errors: dict[str, list[str]]) -> ApiProblem:
    """422 naming each field and what is wrong with it, in the describe form's own words."""
    listed: list[dict[str, Any]] = [
        {"loc": ["body", name], "msg": " ".join(messages)} for name, messages in errors.items()
    ]
    detail = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
    return ApiProblem(422, "details-invalid", detail, errors=listed)


def _errors(form: DescribeForm) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, messages in form.errors.items():
        name = _API_FIELDS.get(field, field if field != "__all__" else "details")
        errors.setdefault(name, []).extend(str(m) for m in messages)
    return errors


@router.patch(
    "/seller/documents/{document_id}",
    response=SellerDocumentOut,
    summary=gettext_noop("Beschrijving en prijs opslaan (alle velden optioneel)"),
)
def document_describe(request: HttpRequest, document_id: int, patch: SellerDocumentPatch) -> dict[str, Any]:
    seller = request_seller(request)
    state = _own(seller, document_id)
    if not state.shows_describe_form:
        raise ApiProblem(409, "refused", _("Dit document is geweigerd: upload een nieuw document."))
    page_count = document_page_count(document=state.document)
    data = _form_data(state, patch)
    initial = describe_initial(state.listing) if state.listing is not None else {}
    form = DescribeForm(data, initial=initial, page_count=page_count)
    if not form.is_valid():
        raise _form_problem(_errors(form))
    try:
        listing_save(seller=seller, document=state.document, details=form.details())
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"details": exc.messages}
        raise _form_problem(
            {_API_FIELDS.get(field, field): list(problems) for field, problems in messages.items()}
        ) from None
    return _fresh(request, seller, document_id)


@router.post(
    "/seller/documents/{document_id}/publish",
    response=SellerDocumentOut,
    summary=gettext_noop("Online zetten (409 zolang het wordt verwerkt, 422 als er gegevens ontbreken)"),
)
def document_publish(request: HttpRequest, document_id: int) -> dict[str, Any]:
    seller = request_seller(request)
    state = _own(seller, document_id)
    phase = state.phase
    if phase == Phase.PROCESSING:
        raise ApiProblem(
            409,
            "processing",
            _("Je document wordt nog verwerkt. Probeer het zo opnieuw, als de status “ready” is."),
        )
    if phase == Phase.HELD:
        raise ApiProblem(
            409, "held", _("Je document wacht op controle door ons team. Je hoort van ons per e-mail.")
        )
    if phase in (Phase.REJECTED, Phase.FAILED):
        raise ApiProblem(422, "refused", state.reason or str(phase.label))
    listing = state.listing
    if listing is None:
        raise ApiProblem(
            422,
            "details-missing",
            _("Vul eerst deze gegevens in (PATCH): %(fields)s.") % {"fields": ", ".join(_REQUIRED[1:])},
        )
    if listing.status in (ListingStatus.UNPUBLISHED, ListingStatus.TAKEN_DOWN):
        raise ApiProblem(
            409, "offline", _("Dit document is offline gehaald. Kijk op de site wat je kunt doen.")
        )
    if listing.status == ListingStatus.DRAFT:
        trader_details_require(seller)
        seller_suspension_check(user=seller.user)
        # The same idempotent step the processing task ends with (it may have run already).
        listing_finalize(listing_id=listing.pk)
    return _fresh(request, seller, document_id)


@router.post(
    "/seller/documents/{document_id}/versions",
    response={202: SellerDocumentOut},
    summary=gettext_noop("Een nieuwe versie uploaden (multipart-veld “file”)"),
)
def document_new_version(
    request: HttpRequest, document_id: int, file: NinjaUploadedFile | None = _FILE
) -> Status[dict[str, Any]]:
    seller = request_seller(request)
    state = _own(seller, document_id)
    if not state.can_upload_new_version:
        raise ApiProblem(
            409, "not-yet", _("Een nieuwe versie kan pas als dit document verwerkt en online is.")
        )
    _store(request, seller, file, state.document)
    return Status(202, _fresh(request, seller, document_id))
