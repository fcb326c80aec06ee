"""Two staff approvals in the money back office (ledger.approvals): the queue of proposals a
second staff member approves or rejects, and proposing that a payout above the threshold go to
the bank. Thin, like views.py: parse, call one ledger service, map its error, redirect."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studymarket.accounts.decorators import staff_only
from studymarket.accounts.models import User
from studymarket.core.errors import ApplicationError
from studymarket.core.money import Money
from studymarket.ledger.approvals import approval_transition, payout_approval_propose
from studymarket.ledger.models import ApprovalStatus, Payout, StaffApproval
from studymarket.ledger.selectors import staff_approval_decided_list, staff_approval_open_list
from studymarket.support.money.forms import ApprovalDecisionForm


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # staff_only let only a logged-in user through
    return request.user


@staff_only
def approval_queue(
    request: HttpRequest, forms: dict[int, ApprovalDecisionForm] | None = None
) -> HttpResponse:
    forms = forms or {}
    context = {
        "queue": [
            (item, forms.get(item.pk) or ApprovalDecisionForm()) for item in staff_approval_open_list()
        ],
        "decided": staff_approval_decided_list(),
        "threshold": Money(settings.STAFF_SECOND_APPROVAL_ABOVE_CENTS),
    }
    return render(request, "support/money/approval_queue.html", context, status=400 if forms else 200)


@require_POST
@staff_only
def approval_decide(request: HttpRequest, approval_id: int) -> HttpResponse:
    if not StaffApproval.objects.filter(pk=approval_id).exists():
        raise Http404
    form = ApprovalDecisionForm(request.POST)
    if not form.is_valid():
        return approval_queue(request, forms={approval_id: form})
    to = ApprovalStatus.APPROVED if form.approve else ApprovalStatus.REJECTED
    try:
        approval, moved = approval_transition(
            approval_id=approval_id, to=to, actor=_staff(request), note=form.cleaned_data["note"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("support:approval_queue")
    if not moved:
        messages.info(
            request, _("Dit voorstel was al %(status)s.") % {"status": approval.get_status_display().lower()}
        )
    elif form.approve and approval.journal_id:
        messages.success(
            request,
            _("Goedgekeurd: de correctie is geboekt (journaal %(id)s).") % {"id": approval.journal_id},
        )
    elif form.approve:
        messages.success(request, _("Goedgekeurd: de uitbetaling gaat mee in het volgende SEPA-bestand."))
    else:
        messages.success(request, _("Afgewezen: er is niets geboekt."))
    return redirect("support:approval_queue")


@require_POST
@staff_only
def payout_propose(request: HttpRequest, payout_id: int) -> HttpResponse:
    try:
        payout_approval_propose(payout_id=payout_id, actor=_staff(request))
    except Payout.DoesNotExist:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("support:payout_queue")
    messages.success(
        request,
        _(
            "Voorgesteld: een andere medewerker moet uitbetaling %(id)s goedkeuren voordat ze naar de "
            "bank gaat."
        )
        % {"id": payout_id},
    )
    return redirect("support:payout_queue")
