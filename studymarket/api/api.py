"""The JSON API (ADR 0029): django-ninja under /api/v1/ (config/urls.py, outside the language
prefixes), its OpenAPI description at /api/openapi.json and Swagger UI at /api/docs (served
from ninja's own static files, never a CDN: the site's CSP allows only 'self').

Every request, before ninja parses it: the language of the answer (Dutch, or English when the
client's Accept-Language prefers it), the per-IP rate limit, and the upload size limit on a
multipart body. Tokens and their own rate limit: auth.py. Errors: errors.py.

The OpenAPI description speaks the client's language too: its texts are Dutch msgids in the
code (gettext_noop, so ninja keeps plain strings), translated when the document is built for
a request (StudymarketApi.get_openapi_schema). Field names and their titles are identifiers."""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext, gettext_noop
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase
from ninja.openapi.schema import OpenAPISchema

from studymarket.api import library, public, seller_documents, seller_money
from studymarket.api.errors import PROBLEM_CONTENT_TYPE, PROBLEM_STATUSES, TITLES, problem_handlers_install
from studymarket.api.schemas import Problem
from studymarket.api.uploads import upload_limit_install
from studymarket.core.accept_language import accept_language, language_mark
from studymarket.core.ratelimits import RateLimited, key_ip, rate_limit_check, rate_limit_refusal_log

_PROBLEM_REF = "#/components/schemas/Problem"


def _in_the_asked_language(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The OpenAPI document and the docs page: in the language of Accept-Language."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        language = accept_language(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
        language_mark(response, language)
        return response

    return wrapped


def _before_every_request(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        language = accept_language(request)
        with translation.override(language):
            response: HttpResponseBase
            try:
                key = key_ip(request)
                if key is not None:
                    rate_limit_check(name="api_ip", key=key)
            except RateLimited as exc:
                # A security event once per address and window, not per refused request.
                rate_limit_refusal_log(
                    name=exc.name, key=exc.key, retry_after=exc.retry_after, request=request
                )
                response = api.on_exception(request, exc)
            else:
                upload_limit_install(request)
                response = run(request, *args, **kwargs)
        language_mark(response, language)
        if "HTTP_AUTHORIZATION" in request.META:
            # A token's answers (the library, the buyer's PDF, a seller's money) stay private.
            patch_cache_control(response, private=True, no_store=True)
        patch_vary_headers(response, ["Authorization"])
        return response

    return wrapped


class SwaggerFromStatic(DocsBase):
    """Swagger UI from ninja's static files with our own page (templates/api/docs.html):
    ninja's page carries its settings in an inline script, which a check of the CSP refuses."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        return render(request, "api/docs.html", {"api": api, "swagger_settings": json.dumps(settings)})


# Ninja describes a success by its status code's English reason phrase.
_SUCCESS = {"OK": gettext_noop("Gelukt"), "Accepted": gettext_noop("Aangenomen: wordt nu verwerkt")}


def _translated(text: str) -> str:
    text = _SUCCESS.get(text, text)
    return gettext(text) if text else text  # gettext("") is the catalogue's header


class StudymarketApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """Ninja's description, in the active language, plus the problem answers every
        operation can give."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["info"]["description"] = _translated(schema["info"].get("description", ""))
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components["Problem"]["description"] = gettext(
            "Een fout, als RFC 9457 problem details (application/problem+json): type is een vaste "
            "URN om op te beslissen, detail zegt wat je eraan kunt doen."
        )
        problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": _PROBLEM_REF}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                for field in ("summary", "description"):
                    if field in operation:
                        operation[field] = _translated(operation[field])
                operation["tags"] = [_translated(tag) for tag in operation.get("tags", [])]
                responses = operation.setdefault("responses", {})
                for status, entry in responses.items():
                    # A new dict: ninja hands over a route's openapi_extra entries themselves.
                    responses[status] = {**entry, "description": _translated(entry.get("description", ""))}
                for status in PROBLEM_STATUSES:
                    entry = responses.setdefault(status, {"description": str(TITLES[status])})
                    entry.setdefault("content", {}).update(problem)
                    if status == 429:
                        entry["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
        return schema


api = StudymarketApi(
    title="studymarket API",
    version="1",
    description=gettext_noop(
        "Zoeken en documenten bekijken zonder token; je bibliotheek (recht “read”) en je "
        "verkopen (recht “sell”) met een persoonlijke toegangstoken: Authorization: Bearer smpat_…. "
        "Maak er een in je accountinstellingen (/account/tokens/). Fouten zijn application/problem+json."
    ),
    urls_namespace="api",
    docs=SwaggerFromStatic(),
    docs_decorator=_in_the_asked_language,
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_decorator(_before_every_request, mode="view")
problem_handlers_install(api)
api.add_router("/v1/", public.router)
api.add_router("/v1/", library.router)
api.add_router("/v1/", seller_documents.router)
api.add_router("/v1/", seller_money.router)
