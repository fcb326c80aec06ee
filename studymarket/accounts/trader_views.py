""" "Particulier of zakelijk": the seller says how they sell and, as a business, gives the
trader information buyers will see (accounts.trader). Thin: parse, call the service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from studymarket.accounts.decorators import HtmxHttpRequest, seller_required
from studymarket.accounts.models import SellerKind, SellerProfile, User
from studymarket.accounts.trader import seller_identity_update, trader_details_complete
from studymarket.accounts.trader_forms import SellerIdentityForm


@require_http_methods(["GET", "POST"])
@seller_required
def seller_identity(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    form = SellerIdentityForm.for_seller(seller)
    if request.method == "POST":
        form = SellerIdentityForm(request.POST)
        if form.is_valid():
            assert isinstance(request.user, User)
            try:
                seller_identity_update(
                    seller=seller,
                    actor=request.user,
                    seller_kind=form.cleaned_data["seller_kind"],
                    details=form.details(),
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                if seller.seller_kind == SellerKind.BUSINESS:
                    messages.success(
                        request,
                        _("Je zakelijke gegevens zijn opgeslagen. Kopers zien ze bij je documenten."),
                    )
                else:
                    messages.success(request, _("Opgeslagen: je verkoopt als particulier."))
                return redirect("accounts:seller_identity")
    context = {
        "form": form,
        "seller": seller,
        "complete": trader_details_complete(seller),
    }
    return render(request, "accounts/seller_identity.html", context)
