"""The language a machine client asks for, on the paths outside the language prefixes (the JSON
API, /readyz): there LocaleMiddleware always picks the default language (Dutch), since the
address names none; a client says what it reads with Accept-Language."""

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import trans_real


def accept_language(request: HttpRequest) -> str:
    """The first language of the Accept-Language header the site speaks, else Dutch."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)


def language_mark(response: HttpResponseBase, language: str) -> None:
    """Say which language the answer is in, and that it depends on the header (for caches)."""
    response["Content-Language"] = language
    patch_vary_headers(response, ["Accept-Language"])
