"""A page's address in another language, remembered (issue 14).

Every page asks for it three times (the language switch, and the hreflang alternates of each
language in the <head>), and Django's translate_url resolves the path and reverses it again each
time: together about as much work as a database query. The answer depends only on the address,
the two languages and the URL configuration, which do not change while the process runs, so it is
kept in a bounded LRU (addresses come from requests: the bound keeps a crawler from growing it).
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_urlconf, translate_url
from django.utils.translation import get_language

MAX_REMEMBERED = 4096


def translated_url(url: str, language: str) -> str:
    """django.urls.translate_url(url, language), resolved in the active language."""
    return _translated(url, language, get_language(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=MAX_REMEMBERED)
def _translated(url: str, language: str, active_language: str | None, urlconf: object) -> str:
    return translate_url(url, language)
