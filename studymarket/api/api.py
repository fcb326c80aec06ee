"""The JSON API (ADR 0029): django-ninja under /api/v1/ (config/urls.py, outside the language
prefixes), its OpenAPI description at /api/openapi.json and Swagger UI at /api/docs (served
from ninja's own static files, never a CDN: the site's CSP allows only 'self').

Every request, before ninja parses it: the language of the answer (Dutch, or English when the
client's Accept-Language prefers it), the per-IP rate limit, and the upload size limit on a
multipart body. Tokens and their own rate limit: auth.py. Errors: errors.py."""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import trans_real
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase
from ninja.openapi.schema import OpenAPISchema

from studymarket.api import library, public, seller_documents, seller_money
from studymarket.api.errors import PROBLEM_CONTENT_TYPE, PROBLEM_STATUSES, TITLES, problem_handlers_install
from studymarket.api.schemas import Problem
from studymarket.api.uploads import upload_limit_install
from studymarket.core.ratelimits import RateLimited, key_ip, rate_limit_check

_PROBLEM_REF = "#/components/schemas/Problem"


def _language(request: HttpRequest) -> str:
    # The API is outside i18n_patterns, where LocaleMiddleware always picks the default
    # language; a client says what it reads with Accept-Language.
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)


def _before_every_request(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        language = _language(request)
        with translation.override(language):
            response: HttpResponseBase
            try:
                key = key_ip(request)
                if key is not None:
                    rate_limit_check(name="api_ip", key=key)
            except RateLimited as exc:
                response = api.on_exception(request, exc)
            else:
                upload_limit_install(request)
                response = run(request, *args, **kwargs)
        response["Content-Language"] = language
        if "HTTP_AUTHORIZATION" in request.META:
            # A token's answers (the library, the buyer's PDF, a seller's money) stay private.
            patch_cache_control(response, private=True, no_store=True)
        patch_vary_headers(response, ["Accept-Language", "Authorization"])
        return response

    return wrapped


class SwaggerFromStatic(DocsBase):
    """Swagger UI from ninja's static files with our own page (templates/api/docs.html):
    ninja's page carries its settings in an inline script, which a check of the CSP refuses."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        return render(request, "api/docs.html", {"api": api, "swagger_settings": json.dumps(settings)})


class StudymarketApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """Ninja's description, plus the problem answers every operation can give."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": _PROBLEM_REF}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status in PROBLEM_STATUSES:
                    entry = responses.setdefault(status, {"description": str(TITLES[status])})
                    entry.setdefault("content", {}).update(problem)
                    if status == 429:
                        entry["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
        return schema


api = StudymarketApi(
    title="studymarket API",
    version="1",
    description=(
        "Zoeken en documenten bekijken zonder token; je bibliotheek (recht “read”) en je "
        "verkopen (recht “sell”) met een persoonlijke toegangstoken: Authorization: Bearer smpat_…. "
        "Maak er een in je accountinstellingen (/account/tokens/). Fouten zijn application/problem+json."
    ),
    urls_namespace="api",
    docs=SwaggerFromStatic(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_decorator(_before_every_request, mode="view")
problem_handlers_install(api)
api.add_router("/v1/", public.router)
api.add_router("/v1/", library.router)
api.add_router("/v1/", seller_documents.router)
api.add_router("/v1/", seller_money.router)
