"""Staff's "Wie heeft dit gelekt?" (/beheer/lekken/): upload a leaked PDF, see the order it
came from and which traces say so (library.tracing). The file is read in the sandbox and not
kept; every lookup is audited (library.tracing.leak_trace).

A POST answers with the result page itself, not a redirect: the file is gone after the
request, and sending it twice only looks it up twice. The page is for staff (with a TOTP
code) only, so the upload is not cut off while it arrives (the sellers' upload does that,
documents.upload_limits, at the price of checking the CSRF token itself); the size is checked
by the form and again while the file is copied.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from studymarket.accounts.decorators import staff_required
from studymarket.accounts.models import User
from studymarket.library.tracing import Evidence, TraceUnreadable, leak_trace
from studymarket.support.leak_forms import LeakTraceForm


@staff_required
def leak_trace_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "support/leak.html", {"form": LeakTraceForm()})
    assert isinstance(request.user, User)  # staff_required let only a logged-in user through
    form = LeakTraceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = leak_trace(upload=upload, original_name=upload.name or "", actor=request.user)
        except TraceUnreadable as error:
            form.add_error("file", error.message)
        else:
            context = {
                "form": LeakTraceForm(),
                "result": result,
                "file_name": upload.name or "",
                "found": result.found,
                # Every kind of trace, and whether it points at the copy found.
                "evidence_rows": [
                    (label, Evidence(kind) in result.found.evidence) for kind, label in Evidence.choices
                ]
                if result.found
                else [],
            }
            return render(request, "support/leak_result.html", context)
    return render(request, "support/leak.html", {"form": form}, status=400)
