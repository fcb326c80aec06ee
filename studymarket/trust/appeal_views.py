"""The appeal pages (DSA art. 20): the seller's and the reporter's form, and the staff queue
with its decision. Thin: parse, authorise, call trust.appeals, map AppealRefused, render."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from studymarket.accounts.decorators import staff_only
from studymarket.accounts.models import User
from studymarket.core import clock
from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from studymarket.trust.appeals import (
    REPORTER_CONTESTABLE,
    TEXT_MAX,
    AppealRefused,
    appeal_create_reporter,
    appeal_create_seller,
    appeal_deadline,
    appeal_decide,
    appeal_of_notice,
    appeal_of_statement,
    contested_deciders,
    notice_informed_at,
    statement_informed_at,
)
from studymarket.trust.models import Appeal, AppealStatus, Notice, StatementOfReasons


class AppealForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Waarom ben je het niet eens met het besluit?"),
        help_text=gettext_lazy("Leg uit wat er volgens jou niet klopt. Bezwaar maken is gratis."),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class AppealDecisionForm(forms.Form):
    reasons = forms.CharField(
        label=gettext_lazy("Motivering"),
        help_text=gettext_lazy("De indiener krijgt deze motivering per e-mail."),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    decision = forms.ChoiceField(choices=[("toekennen", "toekennen"), ("afwijzen", "afwijzen")])

    @property
    def grant(self) -> bool:
        return self.cleaned_data.get("decision") == "toekennen"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required / staff_only let only a signed-in user through
    return request.user


def _appeal_page(
    request: HttpRequest, context: dict[str, Any], *, informed_at: Any, create: Any
) -> HttpResponse:
    """The form (or the appeal already filed), for either party."""
    deadline = appeal_deadline(informed_at) if informed_at is not None else None
    form = AppealForm(request.POST or None)
    if context["appeal"] is None and request.method == "POST" and form.is_valid():
        try:
            create(form.cleaned_data["text"])
        except AppealRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _("Je bezwaar is ontvangen. Je krijgt een bevestiging en later de uitkomst per e-mail."),
            )
            return redirect(request.get_full_path())
    context.update(
        form=form,
        deadline=deadline,
        too_late=deadline is not None and clock.now() > deadline,
    )
    return render(request, "trust/appeal.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_create(request: HttpRequest, statement_id: int) -> HttpResponse:
    """The seller's appeal against a statement of reasons (the link in its e-mail)."""
    user = _user(request)
    statement = (
        StatementOfReasons.objects.select_related("listing", "notice")
        .filter(pk=statement_id, seller=user)
        .first()
    )
    if statement is None:
        raise Http404
    context = {"statement": statement, "notice": statement.notice, "appeal": appeal_of_statement(statement)}
    return _appeal_page(
        request,
        context,
        informed_at=statement_informed_at(statement),
        create=lambda text: appeal_create_seller(
            statement_id=statement.pk, user=user, text=text, language=get_language()
        ),
    )


@require_http_methods(["GET", "POST"])
def notice_appeal_create(request: HttpRequest, number: str) -> HttpResponse:
    """The reporter's appeal against the decision on their notice; the signed path (see
    appeal_urls.SignedNoticeNumber) is their proof, no account needed."""
    notice = Notice.objects.select_related("listing").filter(number=number).first()
    if notice is None:
        raise Http404
    context = {
        "statement": None,
        "notice": notice,
        "appeal": appeal_of_notice(notice),
        "contestable": notice.status in REPORTER_CONTESTABLE,
    }
    return _appeal_page(
        request,
        context,
        informed_at=notice_informed_at(notice),
        create=lambda text: appeal_create_reporter(notice_id=notice.pk, text=text, language=get_language()),
    )


# ---------------------------------------------------------------------------------------------
# Staff


@staff_only
def appeal_queue(request: HttpRequest) -> HttpResponse:
    appeals = Appeal.objects.select_related("statement", "notice__listing", "decided_by")
    context = {
        "open": appeals.filter(status=AppealStatus.OPEN).order_by("created_at", "pk"),
        "decided": appeals.exclude(status=AppealStatus.OPEN).order_by("-decided_at", "-pk")[:50],
    }
    return render(request, "trust/appeal_queue.html", context)


def _timeline(appeal: Appeal) -> list[AuditEvent]:
    """Everything recorded about the appeal, the decision it contests, its notice and listing."""
    objects = Q(object_type="trust.appeal", object_id=str(appeal.pk))
    if appeal.statement_id is not None:
        objects |= Q(object_type="trust.statementofreasons", object_id=str(appeal.statement_id))
    if appeal.notice is not None:
        objects |= Q(object_type="trust.notice", object_id=str(appeal.notice.pk))
        objects |= Q(object_type="catalog.listing", object_id=str(appeal.notice.listing_id))
    return list(AuditEvent.objects.filter(objects).select_related("actor").order_by("created_at", "pk"))


@staff_only
def appeal_review(
    request: HttpRequest, appeal_id: int, form: AppealDecisionForm | None = None
) -> HttpResponse:
    appeal = (
        Appeal.objects.select_related(
            "statement", "notice__listing__seller", "notice__decided_by", "decided_by"
        )
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise Http404
    context = {
        "appeal": appeal,
        "statement": appeal.statement,
        "notice": appeal.notice,
        "own_decision": _user(request).pk in contested_deciders(appeal),
        "timeline": _timeline(appeal),
        "form": form or AppealDecisionForm(),
    }
    return render(request, "trust/appeal_review.html", context, status=400 if form else 200)


@require_POST
@staff_only
def appeal_decide_view(request: HttpRequest, appeal_id: int) -> HttpResponse:
    if not Appeal.objects.filter(pk=appeal_id).exists():
        raise Http404
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        return appeal_review(request, appeal_id, form=form)
    try:
        appeal, moved = appeal_decide(
            appeal_id=appeal_id, actor=_user(request), grant=form.grant, reasons=form.cleaned_data["reasons"]
        )
    except ApplicationError as error:
        form.add_error(None, error.message)
        return appeal_review(request, appeal_id, form=form)
    if not moved:
        messages.info(request, _("Over dit bezwaar was al zo beslist."))
    elif appeal.status == AppealStatus.GRANTED:
        messages.success(
            request, _("Bezwaar toegekend: het besluit is herzien en de indiener krijgt je motivering.")
        )
    else:
        messages.success(
            request, _("Bezwaar afgewezen: het besluit blijft en de indiener krijgt je motivering.")
        )
    return redirect("trust:appeal_queue")
