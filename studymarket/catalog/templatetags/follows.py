"""{% load follows %}{% follow_button seller=seller %} / {% follow_button course=course %}: the
follow button with its state and the number of followers (catalog/includes/follow_button.html)."""

from typing import Any

from django import template

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.follows import follow_state_get
from studymarket.catalog.models import Course

register = template.Library()


def follow_button_context(
    *,
    request: Any,
    user: Any,
    next_url: str,
    seller: SellerProfile | None = None,
    course: Course | None = None,
) -> dict[str, Any]:
    """The include's context; the follow views render the same include with it after a click.
    ``next_url`` is where the page goes back to after a click without JavaScript, and after
    logging in."""
    state = follow_state_get(user=user, seller=seller, course=course)
    return {
        "request": request,
        "user": user,
        "next_url": next_url,
        "seller": seller,
        "course": course,
        "following": state.following,
        "follower_count": state.follower_count,
        "own": seller is not None and getattr(user, "pk", None) == seller.user_id,
        "kind": "seller" if seller is not None else "course",
        "target_id": seller.pk if seller is not None else course.pk if course is not None else None,
    }


@register.inclusion_tag("catalog/includes/follow_button.html", takes_context=True)
def follow_button(
    context: template.Context, seller: SellerProfile | None = None, course: Course | None = None
) -> dict[str, Any]:
    if (seller is None) == (course is None):
        raise template.TemplateSyntaxError("follow_button takes seller=… or course=…, one of them")
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    next_url = request.get_full_path() if request is not None else ""
    return follow_button_context(request=request, user=user, next_url=next_url, seller=seller, course=course)
