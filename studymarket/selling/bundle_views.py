"""The seller's bundles (issue 17): a list, a new bundle, and one bundle to edit, publish or withdraw."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from studymarket.accounts.decorators import HtmxHttpRequest, seller_required
from studymarket.accounts.models import SellerProfile
from studymarket.catalog.bundle_selectors import (
    bundle_listing_list,
    seller_bundle_choices,
    seller_bundle_get,
    seller_bundle_list,
    seller_bundle_no_saving_list,
)
from studymarket.catalog.bundles import bundle_create, bundle_publish, bundle_update, bundle_withdraw
from studymarket.catalog.models import Bundle, BundleStatus, Listing
from studymarket.selling.bundle_forms import BundleForm, bundle_initial


@require_GET
@seller_required
def bundle_list(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    context = {"bundles": seller_bundle_list(seller=seller)}
    return render(request, "selling/bundles/list.html", context)


@require_http_methods(["GET", "POST"])
@seller_required
def bundle_new(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    choices = list(seller_bundle_choices(seller=seller))
    form = BundleForm(request.POST or None, listings=choices)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            bundle = bundle_create(
                seller=seller,
                title=data["title"],
                description=data["description"],
                price_cents=data["price"],
                listing_ids=data["listings"],
            )
            if request.POST.get("action") == "publish":
                bundle = bundle_publish(bundle_id=bundle.pk, seller=seller)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if bundle.status == BundleStatus.PUBLISHED:
                messages.success(request, _("Je bundel staat online."))
            else:
                messages.success(request, _("Je bundel is opgeslagen als concept."))
            return redirect("selling:sell_bundle", pk=bundle.pk)
    return render(request, "selling/bundles/form.html", {"form": form, "bundle": None, "choices": choices})


@require_http_methods(["GET", "POST"])
@seller_required
def bundle_edit(request: HtmxHttpRequest, seller: SellerProfile, pk: int) -> HttpResponse:
    try:
        bundle = seller_bundle_get(seller=seller, pk=pk)
    except Bundle.DoesNotExist:
        raise Http404 from None
    # Its own listings stay on the form even once offline: the rule then says what to do.
    choices = _with_current(list(seller_bundle_choices(seller=seller)), bundle_listing_list(bundle))
    action = request.POST.get("action", "save")
    form = BundleForm(request.POST or None, initial=bundle_initial(bundle), listings=choices)
    if request.method == "POST" and action in ("publish", "withdraw"):
        try:
            if action == "publish":
                bundle_publish(bundle_id=bundle.pk, seller=seller)
                messages.success(request, _("Je bundel staat online."))
            else:
                bundle_withdraw(bundle_id=bundle.pk, seller=seller)
                messages.success(request, _("Je bundel is offline gehaald."))
        except ValidationError as exc:
            # A rule no longer holds (a document went offline): said above the form.
            for message in exc.messages:
                messages.error(request, message)
        return redirect("selling:sell_bundle", pk=bundle.pk)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            bundle_update(
                bundle_id=bundle.pk,
                seller=seller,
                title=data["title"],
                description=data["description"],
                price_cents=data["price"],
                listing_ids=data["listings"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Je bundel is opgeslagen."))
            return redirect("selling:sell_bundle", pk=bundle.pk)
    context = {"form": form, "bundle": bundle, "choices": choices}
    return render(request, "selling/bundles/form.html", context)


def _with_current(choices: list[Listing], current: list[Listing]) -> list[Listing]:
    known = {listing.pk for listing in choices}
    return choices + [listing for listing in current if listing.pk not in known]


def bundle_no_saving_warn(request: HttpRequest, *, listing_id: int) -> None:
    """After a listing is saved (a lower price, most likely): a warning for each of the seller's
    bundles holding it that no longer costs less than its documents separately, with a link to
    fix it. The save stands; such a bundle is not offered meanwhile (bundle_selectors)."""
    for bundle in seller_bundle_no_saving_list(listing_id=listing_id):
        sentence = _(
            "Je bundel %(title)s is nu niet goedkoper dan de losse documenten; verlaag de "
            "bundelprijs of haal een document uit de bundel. Tot dan is de bundel niet te koop."
        ) % {"title": bundle.title}
        url = reverse("selling:sell_bundle", kwargs={"pk": bundle.pk})
        messages.warning(request, format_html('{} <a href="{}">{}</a>', sentence, url, _("Bundel bewerken")))
