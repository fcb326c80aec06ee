"""The language switch's destination, worked out while the page is rendered.

Django's set_language view translates ``next`` itself, but it runs outside the language
prefixes, in the visitor's cookie language: from /en/… with a Dutch cookie it cannot resolve the
English path and sends the visitor back to English. The page being rendered knows its own
language, so it translates the path here and set_language only has to follow it.
"""

from django import template
from django.http import HttpRequest

from studymarket.core.translated_urls import translated_url

register = template.Library()


@register.simple_tag(takes_context=True)
def path_in_language(context: template.Context, language: str) -> str:
    request: HttpRequest | None = context.get("request")
    if request is None:
        return "/"
    return translated_url(request.get_full_path(), language)
