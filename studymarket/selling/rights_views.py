"""Rights holders (a lecturer, a publisher: any signed-in user who declares to hold the rights)
register their own material as fingerprints, see what they registered, and withdraw it.

The file is fingerprinted while the request waits and is not kept (documents.rights_holders
says why inline). The size is checked after the body arrived: the upload pages' early
size limit (documents.upload_limits) needs the view to be exempt from the CSRF middleware,
which reads the body first, and that exemption is kept to the reviewed seller upload views.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from studymarket.accounts.models import User
from studymarket.core.errors import ApplicationError
from studymarket.core.ratelimits import rate_limit_check
from studymarket.documents.models import RightsHolderWork
from studymarket.documents.rights_holders import (
    fingerprint_scheme,
    rights_holder_work_register,
    rights_holder_work_remove,
)
from studymarket.documents.rights_selectors import rights_holder_work_list
from studymarket.selling.rights_forms import RightsHolderWorkForm

RIGHTS_HOLDER_LIMIT = "rights_holder_user"


@login_required
@require_http_methods(["GET", "POST"])
def works(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)  # login_required let only a signed-in user through
    form = RightsHolderWorkForm()
    status = 200
    if request.method == "POST":
        form = RightsHolderWorkForm(request.POST, request.FILES)
        if form.is_valid():
            # Counted before the work: a refused file was read in the sandbox too.
            rate_limit_check(name=RIGHTS_HOLDER_LIMIT, key=f"user:{request.user.pk}")
            file = form.cleaned_data["file"]
            try:
                work = rights_holder_work_register(
                    owner=request.user, title=form.cleaned_data["title"], file=file
                )
            except ApplicationError as error:
                form.add_error("file", error.message)
            else:
                messages.success(
                    request,
                    _(
                        "„%(title)s” is geregistreerd (%(pages)s pagina's). We hebben alleen de "
                        "vingerafdrukken bewaard; het bestand is verwijderd."
                    )
                    % {"title": work.title, "pages": work.page_count},
                )
                return redirect("rights_holders:works")
            finally:
                file.close()  # a temporary file on disk is deleted when closed
        status = 400
    context = {
        "form": form,
        "works": rights_holder_work_list(owner=request.user),
        "scheme": fingerprint_scheme(),
        "max_size": filesizeformat(settings.UPLOAD_MAX_BYTES),
        "max_pages": settings.UPLOAD_MAX_PAGES,
    }
    return render(request, "selling/rights_works.html", context, status=status)


@login_required
@require_POST
def work_remove(request: HttpRequest, work_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    try:
        work = rights_holder_work_remove(owner=request.user, work_id=work_id)
    except RightsHolderWork.DoesNotExist:
        raise Http404 from None
    messages.success(
        request,
        _("„%(title)s” is verwijderd: nieuwe uploads worden er niet meer mee vergeleken.")
        % {"title": work.title},
    )
    return redirect("rights_holders:works")
