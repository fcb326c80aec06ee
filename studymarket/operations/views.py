"""/readyz and /metrics (outside the language prefixes, like /healthz), and the staff status page."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from studymarket.accounts.decorators import staff_only
from studymarket.core.accept_language import accept_language, language_mark
from studymarket.documents.models import VersionStatus
from studymarket.operations.metrics import metrics_response
from studymarket.operations.readiness import Check, readiness_checks
from studymarket.operations.selectors import (
    heartbeat_age_seconds,
    ledger_check_last,
    payment_status_counts,
    task_queue_states,
    upload_status_counts,
    worker_heartbeat_list,
)
from studymarket.payments.models import PaymentStatus

CHECK_LABELS = {
    "database": _("Database"),
    "cache": _("Cache"),
    "storage": _("Opslag van de bestanden"),
    "workers": _("Werkers"),
    "backlog": _("Wachtrij"),
}
_LOOPBACK = frozenset({"127.0.0.1", "::1"})
_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every check passes, else 503; the body names each check and what it found.
    For monitoring. A load balancer asks /healthz: when a shared part (the database, the cache)
    is down, every web process would fail /readyz at once.

    Keys, check names and codes are English identifiers that stay the same whatever the
    language; only ``detail`` is a sentence, Dutch unless Accept-Language asks for English."""
    language = accept_language(request)
    with translation.override(language):
        checks = readiness_checks()
    failed = [check.name for check in checks if not check.ok]
    body = {
        "status": "failed" if failed else "ok",
        "failed": failed,
        "checks": {check.name: _check_body(check) for check in checks},
    }
    response = JsonResponse(body, status=503 if failed else 200)
    language_mark(response, language)
    return response


def _check_body(check: Check) -> dict[str, object]:
    body: dict[str, object] = {"ok": check.ok, "code": check.code, "detail": check.detail}
    if check.queues:
        body["queues"] = list(check.queues)
    return body


def _from_this_machine(request: HttpRequest) -> bool:
    # Through a proxy on this machine every request comes from loopback: a proxy header means
    # the request came from outside.
    return request.META.get("REMOTE_ADDR") in _LOOPBACK and not any(h in request.META for h in _PROXY_HEADERS)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """With METRICS_TOKEN: "Authorization: Bearer <token>", else 403. Without one: this
    machine only, anyone else 404 (the path tells nothing)."""
    token: str = settings.METRICS_TOKEN
    if token:
        offered = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = offered.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
            return HttpResponse(
                "Send the METRICS_TOKEN as 'Authorization: Bearer <token>'.\n",
                status=403,
                content_type="text/plain",
            )
    elif not _from_this_machine(request):
        raise Http404
    return metrics_response()


@never_cache
@staff_only
def status_page(request: HttpRequest) -> HttpResponse:
    heartbeats = [(beat, heartbeat_age_seconds(beat)) for beat in worker_heartbeat_list()]
    checks = readiness_checks()
    return render(
        request,
        "operations/status.html",
        {
            "checks": [(CHECK_LABELS[check.name], check) for check in checks],
            "ready": all(check.ok for check in checks),
            "queues": task_queue_states(),
            "heartbeats": heartbeats,
            "heartbeat_limit": 3 * settings.WORKER_HEARTBEAT_INTERVAL_SECONDS,
            "ledger_run": ledger_check_last(),
            "payments": _labelled(payment_status_counts(), PaymentStatus),
            "uploads": _labelled(upload_status_counts(), VersionStatus),
        },
    )


def _labelled(
    counts: dict[str, int], choices: type[PaymentStatus] | type[VersionStatus]
) -> list[tuple[str, int]]:
    """(label, count) in the choices' order; a value the choices do not know shows as itself."""
    labels = dict(choices.choices)
    order = list(labels)
    ranked = sorted(
        counts.items(), key=lambda item: order.index(item[0]) if item[0] in labels else len(order)
    )
    return [(str(labels.get(value, value)), count) for value, count in ranked]
