"""Every error the API answers is RFC 9457 problem details: ``application/problem+json`` with
type, title, status and detail, in Dutch unless the client's Accept-Language asks for English
(the language is chosen in api.py, before the endpoint runs). ``detail`` says what the client
can do about it; ``type`` is a stable URN a program can branch on."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from studymarket.accounts.suspension import SellerSuspended
from studymarket.core.errors import ApplicationError
from studymarket.core.ratelimits import RateLimited, retry_after_text
from studymarket.core.storage import STORAGE_RETRY_SECONDS, StorageUnavailable
from studymarket.documents.services import UploadRejected

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
_TYPE = "urn:studymarket:problem:"

TITLES = {
    400: gettext_lazy("Ongeldig verzoek"),
    401: gettext_lazy("Niet aangemeld"),
    403: gettext_lazy("Geen toegang"),
    404: gettext_lazy("Niet gevonden"),
    405: gettext_lazy("Methode niet toegestaan"),
    409: gettext_lazy("Nog niet mogelijk"),
    413: gettext_lazy("Bestand te groot"),
    422: gettext_lazy("Niet verwerkt"),
    429: gettext_lazy("Te veel verzoeken"),
    500: gettext_lazy("Fout op de server"),
    503: gettext_lazy("Even niet beschikbaar"),
}
_BAD_BODY = gettext_lazy("De inhoud van je verzoek is geen geldige JSON. Controleer de opmaak.")
# Each status with a problem response, for the OpenAPI description of every endpoint.
PROBLEM_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429, 500)


class ApiProblem(Exception):
    """Raised by an endpoint to answer with a problem; ``detail`` is already translated."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.errors = errors


def problem_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    from studymarket.api.api import api  # the one API object renders it (its JSON renderer)

    body: dict[str, Any] = {
        "type": f"{_TYPE}{code}",
        "title": str(TITLES.get(status, TITLES[400])),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _retry(seconds: int) -> str:
    return _("Probeer het %(when)s opnieuw.") % {"when": retry_after_text(seconds)}


def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(part) for part in error.get("loc", [])], "msg": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    if any(error.get("type") == "json_invalid" for error in exc.errors):
        return problem_response(request, status=400, code="bad-json", detail=str(_BAD_BODY))
    fields = ", ".join(sorted({e["loc"][-1] for e in errors if e["loc"]}))
    return problem_response(
        request,
        status=422,
        code="invalid",
        detail=_("Controleer deze velden: %(fields)s.") % {"fields": fields or "—"},
        errors=errors,
    )


def problem_handlers_install(api: NinjaAPI) -> None:
    """Turn every exception an endpoint (or ninja itself) raises into a problem response."""

    @api.exception_handler(ApiProblem)
    def _problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        return problem_response(
            request,
            status=exc.status,
            code=exc.code,
            detail=exc.detail,
            headers=exc.headers,
            errors=exc.errors,
        )

    @api.exception_handler(NinjaValidationError)
    def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return _validation(request, exc)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            request,
            status=401,
            code="unauthenticated",
            detail=_(
                "Stuur een geldige persoonlijke toegangstoken mee (Authorization: Bearer smpat_…). "
                "Een ingetrokken of verlopen token werkt niet meer: "
                "maak een nieuwe in je accountinstellingen."
            ),
            headers={"WWW-Authenticate": 'Bearer realm="studymarket"'},
        )

    @api.exception_handler(Throttled)
    def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        seconds = int(getattr(exc, "wait", None) or 60)
        return problem_response(
            request,
            status=429,
            code="rate-limited",
            detail=_("Je doet te veel verzoeken achter elkaar.") + " " + _retry(seconds),
            headers={"Retry-After": str(seconds)},
        )

    @api.exception_handler(RateLimited)
    def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        detail = exc.message or _("Je doet te veel verzoeken achter elkaar.") + " " + _retry(exc.retry_after)
        return problem_response(
            request,
            status=429,
            code="rate-limited",
            detail=detail,
            headers={"Retry-After": str(exc.retry_after)},
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(
            request,
            status=404,
            code="not-found",
            detail=_("Dit bestaat niet, of het is niet van jou. Controleer het nummer in het adres."),
        )

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem_response(
            request, status=403, code="forbidden", detail=str(exc) or _("Je hebt hier geen toegang toe.")
        )

    @api.exception_handler(SellerSuspended)
    def _suspended(request: HttpRequest, exc: SellerSuspended) -> HttpResponse:
        return problem_response(request, status=403, code="seller-suspended", detail=exc.message)

    @api.exception_handler(UploadRejected)
    def _rejected(request: HttpRequest, exc: UploadRejected) -> HttpResponse:
        return problem_response(request, status=422, code="upload-rejected", detail=exc.message)

    @api.exception_handler(StorageUnavailable)
    def _storage(request: HttpRequest, exc: StorageUnavailable) -> HttpResponse:
        return problem_response(
            request,
            status=503,
            code="storage-unavailable",
            detail=exc.message,
            headers={"Retry-After": str(STORAGE_RETRY_SECONDS)},
        )

    @api.exception_handler(ApplicationError)
    def _application(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return problem_response(request, status=422, code="refused", detail=exc.message)

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        # Ninja's own messages are English ("Cannot parse request body"): ours instead.
        details = {
            400: _BAD_BODY,
            405: gettext_lazy("Deze methode kan hier niet. Kijk in /api/docs welke wel."),
        }
        detail = str(details.get(status, TITLES.get(status, TITLES[400])))
        return problem_response(request, status=status, code=f"http-{status}", detail=detail)

    @api.exception_handler(Exception)
    def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("API error on %s", request.path, exc_info=exc)
        return problem_response(
            request,
            status=500,
            code="server-error",
            detail=_(
                "Er ging iets mis aan onze kant. Probeer het later opnieuw; blijft het misgaan, mail ons."
            ),
        )
