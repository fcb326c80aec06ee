"""{% load social %} ``{% social_meta title=… description=… image=… kind=… %}`` in a page's
``head`` block: the Open Graph and Twitter card <meta> elements of the page (storefront/seo.py
says what they hold), on the page's canonical address."""

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from studymarket.storefront import seo
from studymarket.storefront.templatetags.seo import canonical_path_of

register = template.Library()


@register.simple_tag(takes_context=True)
def social_meta(
    context: template.Context,
    *,
    title: str,
    description: str,
    image: Any = "",
    image_alt: str = "",
    kind: str = "website",
    price: Any = None,
) -> SafeString:
    """``image``: an address, an image file (an avatar) or a document page (its preview image,
    else its thumbnail); left out when it has none."""
    url, size = image_of(image)
    tags = seo.social_tags(
        title=str(title),
        description=str(description),
        path=canonical_path_of(context),
        image=url,
        image_size=size,
        image_alt=str(image_alt or ""),
        kind=kind,
        price=price or None,
    )
    return format_html_join("\n  ", '<meta {}="{}" content="{}">', tags)


def image_of(image: Any) -> tuple[str, tuple[int, int] | None]:
    """The address of ``image`` and, for a document page's preview, its size in pixels."""
    if not image:
        return "", None
    if isinstance(image, str):
        return image, None
    preview = getattr(image, "preview_image", None)
    if preview:
        width, height = getattr(image, "preview_width", 0), getattr(image, "preview_height", 0)
        return str(preview.url), (width, height) if width and height else None
    thumbnail = getattr(image, "thumbnail", None)
    if thumbnail:
        return str(thumbnail.url), None
    return (str(image.url), None) if getattr(image, "name", "") else ("", None)
