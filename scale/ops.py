"""What the fault run does inside the site, run as `manage.py shell -c` with the cluster's settings
(Cluster.ops): set up listings, sellers and buyers for the load (not what is measured), and
check afterwards that nothing was lost. Prints one JSON document on stdout."""

from __future__ import annotations

import io
import json
from typing import Any

PASSWORD_UNUSABLE = None  # signed in by a session made here: hashing is not what is tested
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _session(user: Any) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _pdf(pages: int, title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica", 14)
        canvas.drawString(72, 760, f"{title}, pagina {number}")
        for line in range(30):
            canvas.drawString(72, 720 - line * 20, f"Regel {line} over schaalbaarheid en databases {number}.")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def prepare(listings: int, buyers: int, sellers: int, tag: str) -> None:
    """Published listings, sellers (sessions) and buyers with an open Mollie payment each."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.urls import reverse

    from studymarket.accounts.services import seller_profile_create
    from studymarket.catalog.services import (
        course_create,
        institution_create,
        listing_create,
        programme_create,
    )
    from studymarket.documents.services import document_create, document_version_extract
    from studymarket.orders.services import order_create
    from studymarket.payments.services import payment_start
    from studymarket.selling.services import listing_publish

    users = get_user_model()
    course = course_create(
        programme=programme_create(
            institution=institution_create(name=f"Hogeschool {tag}", country="NL"), name="Informatica"
        ),
        name=f"Gedistribueerde systemen {tag}",
    )
    owner = seller_profile_create(
        user=users.objects.create_user(email=f"eigenaar-{tag}@example.nl", password=PASSWORD_UNUSABLE),
        display_name=f"Eigenaar {tag}",
    )
    made = []
    for n in range(listings):
        title = f"Samenvatting Gedistribueerde systemen {tag} deel {n}"
        # Thirty pages: stamping a copy takes long enough for the fault run to catch it.
        document = document_create(
            seller=owner, file=ContentFile(_pdf(30, title), name=f"deel{n}.pdf"), original_name=f"deel{n}.pdf"
        )
        assert document.current_version is not None
        document_version_extract(version=document.current_version, preview_page_count=2)
        listing = listing_create(
            seller=owner,
            document=document,
            course=course,
            title=title,
            description="Voor de belastingtest.",
            document_type="summary",
            language="nl",
            academic_year="2025/2026",
            price_cents=399 + n,
        )
        made.append(listing_publish(listing=listing))
    seller_sessions = []
    for n in range(sellers):
        seller = seller_profile_create(
            user=users.objects.create_user(
                email=f"verkoper-{tag}-{n}@example.nl", password=PASSWORD_UNUSABLE
            ),
            display_name=f"Verkoper {tag} {n}",
        )
        seller_sessions.append(_session(seller.user))
    buyer_list = []
    for n in range(buyers):
        listing = made[n % len(made)]
        buyer = users.objects.create_user(email=f"koper-{tag}-{n}@example.nl", password=PASSWORD_UNUSABLE)
        order = order_create(buyer=buyer, listings=[listing])
        payment = payment_start(order=order, method="ideal")
        line = order.lines.get()
        buyer_list.append(
            {
                "session": _session(buyer),
                "payment": str(payment.provider_id),
                "download": reverse("library:download", args=[listing.document_id]),
                "refund": reverse("payments:guarantee", args=[line.pk]),
                "order": order.number,
            }
        )
    print(
        json.dumps(
            {
                "listings": [listing.get_absolute_url() for listing in made],
                "search": f"Gedistribueerde {tag}",
                "sellers": seller_sessions,
                "buyers": buyer_list,
                "cookies": {"session": settings.SESSION_COOKIE_NAME, "csrf": settings.CSRF_COOKIE_NAME},
                "upload": reverse("selling:sell_upload"),
            }
        )
    )


def invariants() -> None:
    """What must hold after the faults and the reconcile sweeps: lists of what breaks it."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from studymarket.documents.models import DocumentVersion, VersionStatus
    from studymarket.library.models import Entitlement, StampedCopy, StampedCopyStatus
    from studymarket.orders.models import Order, OrderLine, OrderStatus

    paid_lines = OrderLine.objects.filter(order__status=OrderStatus.PAID, already_held=False)
    report = {
        # Paid, not refunded, and yet no entitlement to read it.
        "paid_without_entitlement": list(
            paid_lines.filter(entitlement__isnull=True).values_list("order__number", flat=True)
        ),
        # An active entitlement whose order line is not paid, or was refunded and still reads.
        "entitlement_without_paid_order": list(
            Entitlement.objects.filter(revoked_at__isnull=True)
            .filter(
                Q(order_line__isnull=True)
                | ~Q(order_line__order__status=OrderStatus.PAID)
                | Q(order_line__refunded_at__isnull=False)
            )
            .values_list("order_number", flat=True)
        ),
        "uploads_stuck": list(
            DocumentVersion.objects.filter(
                status__in=[VersionStatus.UPLOADED, VersionStatus.PROCESSING]
            ).values_list("pk", flat=True)
        ),
        # A refunded buyer's pending copy is never built (library.stamped_copy_build): not stuck.
        "stamped_copies_stuck": list(
            StampedCopy.objects.filter(
                status=StampedCopyStatus.PENDING, entitlement__revoked_at__isnull=True
            ).values_list("pk", flat=True)
        ),
        # The sweeps keep the workers busy; a task running for over a minute is one left behind.
        "tasks_running_long": DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - timedelta(minutes=1)
        ).count(),
        "tasks_waiting": DBTaskResult.objects.ready().count(),
        "figures": {
            "orders_paid": Order.objects.filter(status=OrderStatus.PAID).count(),
            "orders_open": Order.objects.filter(status=OrderStatus.PENDING).count(),
            "lines_refunded": OrderLine.objects.filter(refunded_at__isnull=False).count(),
            "entitlements": Entitlement.objects.count(),
            "stamped_copies_ready": StampedCopy.objects.filter(status=StampedCopyStatus.READY).count(),
            "stamped_copies_failed": StampedCopy.objects.filter(status=StampedCopyStatus.FAILED).count(),
            "versions_processed": DocumentVersion.objects.exclude(
                status__in=[VersionStatus.UPLOADED, VersionStatus.PROCESSING]
            ).count(),
            "versions_failed": DocumentVersion.objects.filter(status=VersionStatus.FAILED).count(),
        },
    }
    print(json.dumps(report))
