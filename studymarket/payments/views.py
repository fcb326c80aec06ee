from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from studymarket.core.money import Money
from studymarket.payments.forms import RefundRequestForm
from studymarket.payments.models import Payment, PaymentMethod, PaymentStatus, RefundRequestStatus
from studymarket.payments.providers import provider_get
from studymarket.payments.providers.simulated import OUTCOMES, simulated_payment_decide
from studymarket.payments.refunds import RefundRefused, guarantee_check, refund_request_create
from studymarket.payments.selectors import (
    guarantee_bundle_get,
    guarantee_line_get,
    payment_id_by_provider_id,
    payment_order_number,
    refund_of_line,
    refund_request_of_line,
    simulated_payment_get,
)
from studymarket.payments.services import (
    PaymentProviderUnavailable,
    payment_return_token_read,
    payment_sync,
)


@csrf_exempt  # Mollie posts from its servers; the body is only a hint, checked at Mollie itself
@require_POST
def mollie_webhook_view(request: HttpRequest) -> HttpResponse:
    """Mollie's "something happened to tr_…". Unknown and malformed ids get the same empty 200
    as known ones, so the answer tells a prober nothing; the only other answer is 503 when
    Mollie cannot be asked back, which makes Mollie deliver the webhook again later."""
    try:
        provider_id = provider_get("mollie").webhook_hint(request.POST)
    except (SuspiciousOperation, MultiPartParserError, ValueError):
        provider_id = None
    payment_id = (
        payment_id_by_provider_id(provider="mollie", provider_id=provider_id) if provider_id else None
    )
    if payment_id is not None:
        try:
            payment_sync(payment_id=payment_id)
        except PaymentProviderUnavailable:
            return HttpResponse(status=503)
    return HttpResponse(status=200)


def payment_return_view(request: HttpRequest, token: str) -> HttpResponse:
    """Where the provider sends the buyer back: sync now (the webhook may come later, or never
    to a laptop), then show the order's page."""
    payment_id = payment_return_token_read(token)
    if payment_id is None:
        raise Http404
    try:
        payment_sync(payment_id=payment_id)
    except Payment.DoesNotExist:
        raise Http404 from None
    except PaymentProviderUnavailable:
        pass  # the order page says we are waiting for the bank; the reconcile sweep finishes it
    return redirect(
        reverse("checkout:done", kwargs={"order_number": payment_order_number(payment_id=payment_id)})
    )


@require_http_methods(["GET", "POST"])
def simulated_checkout_view(request: HttpRequest, simulated_id: str) -> HttpResponse:
    """The simulated provider's hosted page: the buyer chooses what the payment becomes."""
    if settings.PRODUCTION and not settings.DEMO_MODE:
        raise Http404
    sim = simulated_payment_get(simulated_id=simulated_id)
    if sim is None:
        raise Http404
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if outcome not in OUTCOMES:
            return HttpResponse(status=400)
        sim = simulated_payment_decide(simulated_id=sim.id, status=outcome)
        return redirect(sim.redirect_url)
    return render(
        request,
        "payments/simulated_checkout.html",
        {
            "sim": sim,
            "amount": Money(sim.amount_cents, sim.currency),
            "outcomes": [(status.value, status.label) for status in OUTCOMES],
            "is_open": sim.status == PaymentStatus.OPEN,
            "status_label": PaymentStatus(sim.status).label,
            "method_label": PaymentMethod(sim.method).label
            if sim.method in PaymentMethod.values
            else sim.method,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def guarantee_view(request: HttpRequest, order_line_id: int) -> HttpResponse:
    """ "Tevredenheidsgarantie": the buyer asks for their money back for one purchase. The page
    says beforehand whether it will be approved at once; afterwards, where it stands."""
    line = guarantee_line_get(user=request.user, order_line_id=order_line_id)
    if line is None:
        raise Http404
    existing = refund_request_of_line(order_line=line)
    form = RefundRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and existing is None:
        if form.is_valid():
            try:
                created = refund_request_create(
                    buyer=request.user,  # type: ignore[arg-type]
                    order_line=line,
                    reason=form.cleaned_data["reason"],
                    explanation=form.cleaned_data["explanation"],
                )
            except RefundRefused as refused:
                form.add_error(None, refused.message)
            else:
                if created.status == RefundRequestStatus.APPROVED:
                    messages.success(
                        request,
                        _("Je verzoek is goedgekeurd: je krijgt je geld terug."),
                    )
                else:
                    messages.info(
                        request, _("Je verzoek is ontvangen en in behandeling. Je hoort het per e-mail.")
                    )
                return redirect("payments:guarantee", order_line_id=line.pk)
        status = 422
    elif request.method == "POST":
        return redirect("payments:guarantee", order_line_id=line.pk)
    bundle = guarantee_bundle_get(order_line=line)
    context = {
        "line": line,
        "bundle": bundle,
        "refund_amount": bundle.amount if bundle is not None else line.price,
        "listing": line.listing,
        "check": guarantee_check(order_line=line),
        "guarantee_days": settings.GUARANTEE_WINDOW_DAYS,
        "refund_request": existing,
        "refund": refund_of_line(order_line=line),
        "form": form,
    }
    return render(request, "payments/guarantee.html", context, status=status)
