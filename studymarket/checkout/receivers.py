"""Checkout's answers to framework signals (connected in apps.py)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from studymarket.accounts.models import User
from studymarket.checkout.cart import cart_bundle_ids, cart_clear, cart_listing_ids, session_code
from studymarket.checkout.services import cart_merge


# A framework hook, not domain flow: logging in is Django's (and the accounts app's, which sits
# below checkout and must not know carts exist). Every way in (the login page, sign-up, the
# inline forms on the checkout page) goes through django.contrib.auth.login(), which sends this
# signal with the request whose session still holds the visitor's cart.
@receiver(user_logged_in, dispatch_uid="checkout.cart_merge_at_login")
def cart_merge_at_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if request is None or session is None:
        return
    listing_ids, bundle_ids, code = cart_listing_ids(session), cart_bundle_ids(session), session_code(session)
    if not (listing_ids or bundle_ids or code):
        return
    left_out = cart_merge(user=user, listing_ids=listing_ids, bundle_ids=bundle_ids, discount_code=code)
    cart_clear(session)
    for title, reason in left_out:
        messages.info(request, f"{title}: {reason}", fail_silently=True)
