""" "Kortingscodes": the seller's own codes (list, new, one code and switching it off), under
/verkopen/kortingscodes/. Thin: parse, call one service or selector, map errors, render.
Another seller's code answers 404, as if it did not exist."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from studymarket.accounts.decorators import HtmxHttpRequest, seller_required
from studymarket.accounts.models import SellerProfile, User
from studymarket.core.errors import ApplicationError
from studymarket.promotions.forms import DiscountCodeForm
from studymarket.promotions.models import DiscountCode
from studymarket.promotions.selectors import seller_code_choices, seller_code_get, seller_code_list
from studymarket.promotions.services import discount_code_create, discount_code_disable, today


@require_GET
@seller_required
def codes(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    return render(request, "promotions/codes.html", {"rows": seller_code_list(seller=seller, day=today())})


@require_http_methods(["GET", "POST"])
@seller_required
def code_new(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    listings, bundles = seller_code_choices(seller=seller)
    form = DiscountCodeForm(
        request.POST if request.method == "POST" else None, listings=listings, bundles=bundles, today=today()
    )
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        data = form.cleaned_data
        try:
            code = discount_code_create(
                seller=seller,
                created_by=request.user,
                code=data["code"],
                kind=data["kind"],
                percent=data["percent"],
                amount_cents=data["amount"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                max_uses=data["max_uses"],
                listing_ids=[listing.pk for listing in data["listings"]],
                bundle_ids=[bundle.pk for bundle in data["bundles"]],
            )
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if isinstance(field, str) else None, error.message)
        else:
            messages.success(
                request, _("Je kortingscode %(code)s is klaar om te delen.") % {"code": code.code}
            )
            return redirect("promotions:code", pk=code.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "has_listings": bool(listings), "has_bundles": bool(bundles)}
    return render(request, "promotions/code_new.html", context, status=status)


@require_http_methods(["GET", "POST"])
@seller_required
def code(request: HtmxHttpRequest, seller: SellerProfile, pk: int) -> HttpResponse:
    """One code; a POST switches it off."""
    try:
        if request.method == "POST":
            assert isinstance(request.user, User)
            switched = discount_code_disable(code_id=pk, seller=seller, actor=request.user)
            messages.success(
                request,
                _("De code %(code)s is uitgezet. Kopers kunnen hem niet meer gebruiken.")
                % {"code": switched.code},
            )
            return redirect("promotions:code", pk=pk)
        row = seller_code_get(seller=seller, code_id=pk, day=today())
    except DiscountCode.DoesNotExist:
        raise Http404 from None
    return render(request, "promotions/code.html", {"row": row, "code": row.code})
