from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studymarket.reviews.forms import ReviewForm
from studymarket.reviews.selectors import ReviewFormState, order_line_of_buyer_get
from studymarket.reviews.services import ReviewRefused, review_create


@login_required
@require_POST
def review_create_view(request: HttpRequest, order_line_id: int) -> HttpResponse:
    order_line = order_line_of_buyer_get(user=request.user, order_line_id=order_line_id)
    if order_line is None:
        raise Http404
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
            messages.success(request, _("Bedankt voor je review."))
            return redirect(order_line.listing.get_absolute_url() + "#reviews")
    context = {
        "form": form,
        "review_form": ReviewFormState(order_line=order_line),
        "listing": order_line.listing,
    }
    return render(request, "reviews/review_form_page.html", context, status=422)
