"""{% load seo %} in the <head> of base.html: ``{% canonical_url %}`` (or ``{% canonical_url path %}``)
and ``{% language_alternates %}`` (storefront/seo.py says what they are). A view whose page has
one address whatever the request's path and query says so with ``canonical_path`` in the context
(the listing page does)."""

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from studymarket.storefront import seo

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context: template.Context, path: str = "") -> str:
    """The page's one address on SITE_URL: ``path`` if given (a listing's own URL), else the
    request's path without its query (but for the page number)."""
    return seo.absolute_url(path or canonical_path_of(context))


def canonical_path_of(context: template.Context) -> str:
    """The view's ``canonical_path`` if it gives one, else the request's (seo.canonical_path)."""
    if context.get("canonical_path"):
        return str(context["canonical_path"])
    request = context.get("request")
    return seo.canonical_path(request) if request is not None else "/"


@register.simple_tag(takes_context=True)
def language_alternates(context: template.Context) -> SafeString:
    """<link rel="alternate" hreflang="…"> for the page (its canonical path) in each language
    and x-default."""
    request: Any = context.get("request")
    if request is None or request.resolver_match is None:
        return format_html("{}", "")
    return format_html_join(
        "\n  ",
        '<link rel="alternate" hreflang="{}" href="{}">',
        seo.language_alternates(canonical_path_of(context)),
    )
