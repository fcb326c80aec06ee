from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from studymarket.accounts.forms import LoginForm, SignupForm
from studymarket.accounts.models import SellerProfile, User
from studymarket.accounts.signup import signup_form_submit
from studymarket.catalog.models import Bundle, BundleStatus, Listing
from studymarket.catalog.selectors import listing_published_list
from studymarket.checkout.bundles import taken_out_message
from studymarket.checkout.cart import (
    request_cart_add,
    request_cart_bundle_add,
    request_cart_bundle_remove,
    request_cart_remove,
    request_cart_summary,
    request_code_apply,
    request_code_remove,
)
from studymarket.checkout.contents import bundle_refusal
from studymarket.checkout.forms import CheckoutForm, PaymentMethodForm, checkout_token_new
from studymarket.checkout.selectors import order_payment_state, purchase_refusals
from studymarket.checkout.services import checkout_retry, checkout_start
from studymarket.checkout.totals import CartSummary, open_order_refusals
from studymarket.core.errors import ApplicationError
from studymarket.core.money import Money
from studymarket.orders.models import Order, OrderStatus
from studymarket.orders.selectors import order_get_for_buyer, order_line_list
from studymarket.payments.models import Payment, PaymentStatus

# Longer than any code (promotions: at most 20 characters), so a typed one comes back whole.
CODE_INPUT_MAX = 40


def _published(listing_id: int) -> Listing:
    try:
        return listing_published_list().get(pk=listing_id)
    except Listing.DoesNotExist:
        raise Http404 from None


@require_POST
def cart_add_view(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = _published(listing_id)
    try:
        request_cart_add(request, listing=listing)
    except ApplicationError as exc:
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "checkout/_cart_button.html", {"listing": listing, "refusal": exc.message})
        messages.error(request, exc.message)
        return redirect(listing.get_absolute_url())
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "checkout/_cart_button.html", {"listing": listing, "in_cart": True})
    return redirect(listing.get_absolute_url())


@require_POST
def cart_remove_view(request: HttpRequest, listing_id: int) -> HttpResponse:
    request_cart_remove(request, listing_id=listing_id)
    return redirect("checkout:cart")


@require_POST
def bundle_add_view(request: HttpRequest, bundle_id: int) -> HttpResponse:
    """The bundle page's "In winkelwagen": to the cart, which shows the bundle as one item."""
    bundle = Bundle.objects.exclude(status=BundleStatus.DRAFT).filter(pk=bundle_id).first()
    if bundle is None:
        raise Http404
    try:
        taken = request_cart_bundle_add(request, bundle=bundle)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(bundle.get_absolute_url())
    for listing in taken:
        messages.info(request, taken_out_message(listing))
    messages.success(request, _("De bundel %(title)s zit in je winkelwagen.") % {"title": bundle.title})
    return redirect("checkout:cart")


@require_POST
def bundle_remove_view(request: HttpRequest, bundle_id: int) -> HttpResponse:
    request_cart_bundle_remove(request, bundle_id=bundle_id)
    return redirect("checkout:cart")


@require_POST
def code_apply_view(request: HttpRequest) -> HttpResponse:
    """ "Toepassen": the code is checked against the cart; a code that does not apply is shown
    again in the field, with the reason next to it."""
    typed = request.POST.get("code", "")[:CODE_INPUT_MAX]
    try:
        code = request_code_apply(request, code=typed)
    except ApplicationError as exc:
        context = _cart_context(request) | {"code_input": typed, "code_error": exc.message}
        return render(request, "checkout/cart.html", context)
    messages.success(request, _("Kortingscode %(code)s is toegepast.") % {"code": code})
    return redirect("checkout:cart")


@require_POST
def code_remove_view(request: HttpRequest) -> HttpResponse:
    request_code_remove(request)
    return redirect("checkout:cart")


def _cart_context(request: HttpRequest) -> dict[str, object]:
    summary = request_cart_summary(request)
    user = request.user if isinstance(request.user, User) else None
    refusals: dict[int, str] = {}
    if user is not None:
        # Another open order's documents first: the cart's own refusals (owned) say more.
        refusals = open_order_refusals(user=user, summary=summary)
        refusals |= purchase_refusals(user=user, listings=summary.listings)
    bundle_refusals = {
        cart_bundle.pk: reason
        for cart_bundle in summary.bundles
        if (reason := bundle_refusal(user=user, cart_bundle=cart_bundle))
    }
    return {
        "summary": summary,
        "refusals": refusals,
        "bundle_refusals": bundle_refusals,
        "blocked": bool(refusals or bundle_refusals),
    }


def cart_view(request: HttpRequest) -> HttpResponse:
    return render(request, "checkout/cart.html", _cart_context(request))


@sensitive_post_parameters("login-password", "signup-password", "signup-password_confirm")
def checkout_view(request: HttpRequest) -> HttpResponse:
    """ "Afrekenen": sign up or log in on this page if needed, choose a method, pay."""
    if not isinstance(request.user, User):
        return _checkout_sign_in(request)
    form = CheckoutForm(request.POST or None, initial={"checkout_token": checkout_token_new()})
    if request.method == "POST" and form.is_valid():
        try:
            payment = checkout_start(
                user=request.user,
                checkout_token=form.cleaned_data["checkout_token"],
                method=form.cleaned_data["method"],
                language=request.LANGUAGE_CODE,
                # The form is valid only with both boxes ticked.
                withdrawal_consent=True,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _to_payment(payment)
    context = _cart_context(request)
    summary = cast(CartSummary, context["summary"])
    context |= {"form": form, "sellers": _cart_sellers(summary.contents.all_listings())}
    return render(request, "checkout/checkout.html", context)


def _cart_sellers(listings: list[Listing]) -> list[SellerProfile]:
    """The cart's sellers, each once, in the cart's order: the page says of each whether they
    sell as a trader (Consumer Rights Directive art. 6a(b) and (c), on the seller's own word)."""
    sellers: dict[int, SellerProfile] = {}
    for listing in listings:
        sellers.setdefault(listing.seller_id, listing.seller)
    return list(sellers.values())


def _checkout_sign_in(request: HttpRequest) -> HttpResponse:
    """The checkout page's two inline forms. Signing in merges the visitor's cart into the
    account (checkout.receivers), then the page shows the payment step."""
    action = request.POST.get("action") if request.method == "POST" else None
    login_form = LoginForm(request, data=request.POST if action == "login" else None, prefix="login")
    signup_form = SignupForm(request.POST if action == "signup" else None, prefix="signup")
    for form in (login_form, signup_form):
        # Two forms on one page, below the order: neither takes the focus on arrival.
        for field in form.fields.values():
            field.widget.attrs.pop("autofocus", None)
    if action == "login" and login_form.is_valid():
        login(request, login_form.get_user())
        return redirect("checkout:checkout")
    if action == "signup" and signup_form.is_valid() and signup_form_submit(request, signup_form):
        return redirect("checkout:checkout")
    context = {**_cart_context(request), "login_form": login_form, "signup_form": signup_form}
    return render(request, "checkout/checkout.html", context)


def _to_payment(payment: Payment) -> HttpResponse:
    """To the provider's checkout page while the payment can be paid there; to the return page
    once the order is paid or the payment has ended."""
    payable = payment.status in (PaymentStatus.OPEN, PaymentStatus.PENDING) and payment.checkout_url
    if payable and payment.order.status == OrderStatus.PENDING:
        return redirect(payment.checkout_url)
    return redirect("checkout:done", order_number=payment.order.number)


def _buyers_order(request: HttpRequest, order_number: str) -> Order:
    """Only the buyer sees an order; anyone else (anonymous too) gets 404, as for a number that
    does not exist, so order numbers cannot be probed."""
    if not isinstance(request.user, User):
        raise Http404
    try:
        return order_get_for_buyer(number=order_number, buyer=request.user)
    except Order.DoesNotExist:
        raise Http404 from None


def _status_context(order: Order, form: PaymentMethodForm | None = None) -> dict[str, object]:
    state, payment = order_payment_state(order=order)
    if form is None:
        form = PaymentMethodForm(initial={"method": payment.method if payment else None})
    return {"order": order, "state": state, "form": form}


def _order_page(request: HttpRequest, order: Order, form: PaymentMethodForm | None = None) -> HttpResponse:
    lines = order_line_list(order=order)
    vat = Money(sum(line.vat_cents for line in lines), order.currency)
    return render(request, "checkout/done.html", {**_status_context(order, form), "lines": lines, "vat": vat})


@require_GET
def done_view(request: HttpRequest, order_number: str) -> HttpResponse:
    """Where the buyer lands after paying (payments' return view sends them here)."""
    return _order_page(request, _buyers_order(request, order_number))


@require_GET
def done_status_view(request: HttpRequest, order_number: str) -> HttpResponse:
    """The return page asks this while it waits for the provider's answer (htmx)."""
    order = _buyers_order(request, order_number)
    return render(request, "checkout/_order_status.html", _status_context(order))


@require_POST
def retry_view(request: HttpRequest, order_number: str) -> HttpResponse:
    order = _buyers_order(request, order_number)
    form = PaymentMethodForm(request.POST)
    if form.is_valid():
        method = form.cleaned_data["method"]
        try:
            payment = checkout_retry(user=order.buyer, order_number=order.number, method=method)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _to_payment(payment)
    return _order_page(request, order, form)
