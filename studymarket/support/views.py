"""The moderation queue: everything held for a staff decision in one list (uploads held as
near-duplicates or for a rights holder, open reports), and the review of a held upload with
its overlap shown side by side. Reports are decided on trust's own pages, linked from here."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studymarket.accounts.decorators import staff_required
from studymarket.accounts.models import User
from studymarket.core.errors import ApplicationError
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.documents.rights_selectors import rights_holder_match_list
from studymarket.support.forms import PRESET_COPY, PRESET_RIGHTS, UploadDecisionForm
from studymarket.support.moderation import held_upload_moderate
from studymarket.support.passages import overlap_passages
from studymarket.support.rights_passages import rights_passages
from studymarket.support.selectors import moderation_queue, upload_get, upload_match_list


@staff_required
def upload_queue(request: HttpRequest) -> HttpResponse:
    items = moderation_queue()
    context = {"items": items, "versions": [item.version for item in items if item.version is not None]}
    return render(request, "support/upload_queue.html", context)


@staff_required
def upload_review(
    request: HttpRequest, version_id: int, form: UploadDecisionForm | None = None
) -> HttpResponse:
    version = _version(version_id)
    matches = list(upload_match_list(version=version))
    chosen = request.GET.get("met", "")
    match = next((m for m in matches if str(m.earlier_version_id) == chosen), matches[0] if matches else None)
    rights_matches = list(rights_holder_match_list(version=version))
    chosen_work = request.GET.get("werk", "")
    rights_match = next(
        (m for m in rights_matches if str(m.work_id) == chosen_work),
        rights_matches[0] if rights_matches else None,
    )
    context = {
        "version": version,
        "matches": matches,
        "match": match,
        "overlap": overlap_passages(version=version, earlier=match.earlier_version) if match else None,
        "rights_matches": rights_matches,
        "rights_match": rights_match,
        "rights": rights_passages(version=version, match=rights_match) if rights_match else None,
        "is_held": version.status == VersionStatus.HELD_FOR_REVIEW,
        "form": form or UploadDecisionForm(),
        "preset_copy": PRESET_COPY,
        "preset_rights": PRESET_RIGHTS,
    }
    return render(request, "support/upload_review.html", context, status=400 if form else 200)


@require_POST
@staff_required
def upload_decide(request: HttpRequest, version_id: int) -> HttpResponse:
    assert isinstance(request.user, User)  # staff_required let only a logged-in user through
    form = UploadDecisionForm(request.POST)
    if not form.is_valid():
        return upload_review(request, version_id, form=form)
    try:
        held_upload_moderate(
            version_id=version_id,
            staff_user=request.user,
            approve=form.approve,
            note=form.cleaned_data["note"],
        )
    except DocumentVersion.DoesNotExist:
        raise Http404 from None
    except ApplicationError as error:
        form.add_error(None, error.message)
        return upload_review(request, version_id, form=form)
    if form.approve:
        messages.success(request, _("Goedgekeurd: de upload is gepubliceerd."))
    else:
        messages.success(request, _("Geweigerd: de verkoper ziet je reden."))
    return redirect("support:upload_queue")


def _version(version_id: int) -> DocumentVersion:
    try:
        return upload_get(version_id=version_id)
    except DocumentVersion.DoesNotExist:
        raise Http404 from None
