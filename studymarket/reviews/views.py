from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studymarket.core.ratelimits import Usage, quota_check, quota_use, retry_after_text
from studymarket.reviews.forms import ReviewForm
from studymarket.reviews.selectors import ReviewFormState, order_line_of_buyer_get
from studymarket.reviews.services import ReviewRefused, review_create

REVIEW_QUOTA = "review_user"


def _quota_message(usage: Usage) -> str:
    return _("Je hebt vandaag al veel reviews geschreven. Je kunt weer een review schrijven %(when)s.") % {
        "when": retry_after_text(usage.retry_after)
    }


@login_required
@require_POST
def review_create_view(request: HttpRequest, order_line_id: int) -> HttpResponse:
    order_line = order_line_of_buyer_get(user=request.user, order_line_id=order_line_id)
    if order_line is None:
        raise Http404
    # Reviews written per account per day (ASVS 2.4.1); counted once written, so a refused
    # attempt costs nothing. Over it: 429 (core.ratelimits).
    quota_key = f"user:{request.user.pk}"
    quota_check(name=REVIEW_QUOTA, key=quota_key, message=_quota_message)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_create(
                author=request.user,  # type: ignore[arg-type]
                order_line=order_line,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
            )
        except ReviewRefused as refused:
            form.add_error(None, refused.message)
        else:
            quota_use(name=REVIEW_QUOTA, key=quota_key)
            messages.success(request, _("Bedankt voor je review."))
            return redirect(order_line.listing.get_absolute_url() + "#reviews")
    context = {
        "form": form,
        "review_form": ReviewFormState(order_line=order_line),
        "listing": order_line.listing,
    }
    return render(request, "reviews/review_form_page.html", context, status=422)
