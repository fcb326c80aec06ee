"""Content-Security-Policy (issue 12, finding 4): every HTML page carries a strict policy whose
script-src has no 'unsafe-inline' (nor 'unsafe-eval'), and the templates give the browser
nothing such a policy would have to allow: no inline script (JSON-LD data aside), no event
handler attributes, no javascript: URLs, no style attributes.

The walk visits every named URL of the site as an anonymous visitor, a buyer, a seller and staff;
a guard fails when a new URL is not listed here.
"""

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from config.csp import ContentSecurityPolicyMiddleware
from studymarket.catalog.follows import follow_optout_token
from studymarket.catalog.models import Book
from studymarket.orders.services import order_create
from studymarket.payments.models import RefundReason, RefundRequest
from studymarket.payments.services import payment_return_token, payment_start
from studymarket.privacy.erasure_links import erasure_token_make
from studymarket.promotions.services import discount_code_create, today
from studymarket.trust.appeals import appeal_create_seller
from studymarket.trust.decisions import notice_ask_seller, notice_reject_unfounded, notice_take_down
from studymarket.trust.models import Measure, NoticeKind, StatementOfReasons
from studymarket.trust.notices import notice_create
from tests.bundles import bundle_make, listings_of_one_course
from tests.core.test_settings import PRODUCTION_SECRETS, run_in_production
from tests.factories import ListingFactory, UserFactory
from tests.logins import MODEL_BACKEND, login, totp_device
from tests.purchases import listing_with_pdf, purchase

ROLES = ("anonymous", "buyer", "seller", "staff")
SIGNING_IN = ("new_staff", "staff_with_app")
ISBN = "9789001234560"

# What the policy must say, directive by directive (config/settings_security.py, its CSP block).
STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'none'"},
    "object-src": {"'none'"},
}
GROWS = {"img-src", "form-action"}


def policy_of(header: str) -> dict[str, set[str]]:
    directives: dict[str, set[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


# ---------------------------------------------------------------------------------------------
# The world every page is visited in


@dataclass(frozen=True)
class World:
    users: dict[str, Any]
    ids: dict[str, Any]


@pytest.fixture
def world() -> World:
    listing = listing_with_pdf(title="Account Management Samenvatting", pages=3)
    listing.book = Book.objects.create(title="Account Management", isbn13=ISBN)
    listing.save(update_fields=["book"])
    seller = listing.seller
    buyer = UserFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)
    line = purchase(buyer=buyer, listing=listing)
    refund_request = RefundRequest.objects.create(
        order_line=line, buyer=buyer, reason=RefundReason.POOR_QUALITY, within_window=True, downloaded=False
    )
    # An order still waiting for its payment, at the simulated provider's checkout page.
    pending = order_create(buyer=buyer, listings=[ListingFactory()])
    payment = payment_start(order=pending, method="ideal")
    # Notice and action on another listing of the same seller (the walk's listing stays on sale):
    # one notice the seller is asked about, taken down, and appealed; one rejected as unfounded.
    reported = ListingFactory(seller=seller)
    notice = notice_create(
        listing=reported,
        kind=NoticeKind.COPYRIGHT,
        explanation="Hoofdstuk 2 komt letterlijk uit mijn boek.",
        location=f"https://studymarket.test{reported.get_absolute_url()}",
        reporter_name="Rita Rechthebbende",
        reporter_email="rita@uitgever.test",
        good_faith=True,
        reporter=None,
    )
    notice_ask_seller(notice_id=notice.pk, actor=staff)
    notice_take_down(notice_id=notice.pk, actor=staff)
    statement = StatementOfReasons.objects.get(notice=notice, measure=Measure.LISTING_TAKEDOWN)
    appeal = appeal_create_seller(statement_id=statement.pk, user=seller.user, text="Het is mijn eigen werk.")
    unfounded = notice_create(
        listing=ListingFactory(seller=seller),
        kind=NoticeKind.OTHER,
        explanation="Dit klopt niet.",
        location="https://studymarket.test/",
        reporter_name="Rita Rechthebbende",
        reporter_email="rita@uitgever.test",
        good_faith=True,
        reporter=None,
    )
    notice_reject_unfounded(notice_id=unfounded.pk, actor=staff)
    course = listing.course
    version = listing.document.current_version
    assert version is not None
    # A bundle of two more of the seller's listings (issue 17).
    bundle = bundle_make(listings=listings_of_one_course(seller=seller))
    ids = {
        "bundle": [bundle.pk, bundle.slug],
        "bundle_id": [bundle.pk],
        "listing": [listing.pk, listing.slug],
        "listing_id": [listing.pk],
        "institution": [course.programme.institution.slug],
        "programme": [course.programme.institution.slug, course.programme.slug],
        "course": [course.programme.institution.slug, course.programme.slug, course.slug],
        "course_id": [course.pk],
        "seller": [seller.slug],
        "book": [ISBN],
        "optout": [follow_optout_token(user_id=buyer.pk, seller_ids=[seller.pk], course_ids=[])],
        "document": [listing.document_id],
        "version": [version.pk],
        "order": [pending.number],
        "paid_order": [line.order.number],
        "order_line": [line.pk],
        "return": [payment_return_token(payment=payment)],
        "simulated": [resolve(payment.checkout_url).kwargs["simulated_id"]],
        "reset": [urlsafe_base64_encode(force_bytes(buyer.pk)), default_token_generator.make_token(buyer)],
        "refund_request": [refund_request.pk],
        "notice": [notice.number],
        "unfounded_notice": [unfounded.number],
        "statement": [statement.pk],
        "appeal": [appeal.pk],
        "erasure": [erasure_token_make(user=UserFactory())],  # the buyer has a refund open
        "discount_code": [
            discount_code_create(
                seller=seller, created_by=seller.user, kind="percent", percent=10, valid_from=today()
            ).pk
        ],
        "missing": [0],
    }
    # Staff who gave their password but not yet their code: without an app (the set-up page),
    # and with one (the page that asks for the code).
    staff_with_app = UserFactory(is_staff=True)
    totp_device(staff_with_app)
    users = {
        "anonymous": None,
        "buyer": buyer,
        "seller": seller.user,
        "staff": staff,
        "new_staff": UserFactory(is_staff=True),
        "staff_with_app": staff_with_app,
    }
    return World(users=users, ids=ids)


@dataclass(frozen=True)
class Visit:
    args: str | None = None  # a key of World.ids
    query: str = ""
    htmx: bool = False  # asked for by htmx (a fragment), not by a page load
    signing_in: bool = False  # also visited by staff between their password and their TOTP code


# Every page (GET) of the site; at least one role must get it as 200 text/html.
PAGES: dict[str, Visit] = {
    "storefront:home": Visit(),
    "storefront:listing": Visit("listing"),
    "storefront:listing_reviews": Visit("listing"),
    "search:search": Visit(query="q=account"),
    "search:autocomplete": Visit(query="q=acc", htmx=True),
    "accounts:login": Visit(),
    "accounts:signup": Visit(),
    "accounts:password_reset": Visit(),
    "accounts:password_reset_done": Visit(),
    "accounts:password_reset_confirm": Visit("reset"),
    "accounts:password_reset_complete": Visit(),
    "accounts:become_seller": Visit(),
    "accounts:password_change": Visit(),
    "accounts:twofactor": Visit(signing_in=True),
    "accounts:twofactor_setup": Visit(signing_in=True),
    "catalog:institution": Visit("institution"),
    "catalog:programme": Visit("programme"),
    "catalog:course": Visit("course"),
    "catalog:seller": Visit("seller"),
    "catalog:book": Visit("book"),
    "catalog:follow_optout": Visit("optout"),
    "selling:sell_dashboard": Visit(),
    "selling:sell_upload": Visit(),
    "selling:sell_document": Visit("document"),
    "selling:sell_status": Visit("document"),
    "selling:sell_new_version": Visit("document"),
    "selling:sell_price": Visit(query="price=9,49"),
    "selling:sell_courses": Visit(query="q=acc"),
    "selling:sell_institutions": Visit(query="q=hog"),
    "selling:sell_programmes": Visit(query="q=bach"),
    "selling:sell_book": Visit(query=f"isbn={ISBN}"),
    "selling:sell_delete": Visit("document"),
    "selling:sell_bundles": Visit(),
    "selling:sell_bundle_new": Visit(),
    "selling:sell_bundle": Visit("bundle_id"),
    "storefront:bundle": Visit("bundle"),
    "selling:sell_info": Visit(),
    "selling:sell_info_price": Visit(query="price=9,49"),
    "ledger:earnings": Visit(),
    "checkout:cart": Visit(),
    "checkout:checkout": Visit(),
    "checkout:done": Visit("order"),
    "checkout:done_status": Visit("order"),
    "payments:simulated_checkout": Visit("simulated"),
    "payments:guarantee": Visit("order_line"),
    "library:index": Visit(),
    "library:read": Visit("document"),
    "library:copy_status": Visit("document"),
    "support:upload_queue": Visit(),
    "support:upload_review": Visit("version"),
    "support:dashboard": Visit(),
    "support:order_list": Visit(),
    "support:order_detail": Visit("paid_order"),
    "support:refund_queue": Visit(),
    "support:payout_queue": Visit(),
    "support:payout_failed": Visit(),
    "support:ledger_status": Visit(),
    "operations:status": Visit(),
    "support:adjustment": Visit(),
    "support:approval_queue": Visit(),
    "support:reports": Visit(),
    "support:report_vat": Visit(),
    "support:report_revenue": Visit(),
    "support:report_payables": Visit(),
    "support:leak_trace": Visit(),
    # Issue 13: legal pages, notice and action, appeals, transparency, rights holders, data rights,
    # the trader form and the yearly statement.
    "storefront:terms": Visit(),
    "storefront:privacy": Visit(),
    "storefront:cookies": Visit(),
    "storefront:contact": Visit(),
    "trust:notice_create": Visit("listing_id"),
    "trust:notice_received": Visit("notice"),
    "trust:notice_respond": Visit("notice"),
    "trust:appeal_create": Visit("statement"),
    "trust:notice_appeal_create": Visit("unfounded_notice"),
    "trust:appeal_queue": Visit(),
    "trust:appeal_review": Visit("appeal"),
    "trust:transparency": Visit(),
    "trust_staff:notice_queue": Visit(),
    "trust_staff:notice_detail": Visit("notice"),
    "rights_holders:works": Visit(),
    "privacy:index": Visit(),
    "notifications:index": Visit(),
    "privacy:erase": Visit(),
    "privacy:erase_confirm": Visit("erasure"),
    "accounts:seller_identity": Visit(),
    "selling:sell_statement": Visit(),
    # Personal access tokens, and the API's documentation page (Swagger UI; slice "api").
    "accounts:tokens": Visit(),
    "api:openapi-view": Visit(),
    # Issue 17: the seller's discount codes (slice "codes").
    "promotions:codes": Visit(),
    "promotions:code_new": Visit(),
    "promotions:code": Visit("discount_code"),
    # The Django admin (under /beheer/ too): its start page and one list stand for the rest.
    "admin:index": Visit(),
    "admin:accounts_user_changelist": Visit(),
}
# Every action (POST); whatever it answers with (a redirect, a fragment, an error page), an
# HTML answer carries the policy.
ACTIONS: dict[str, Visit] = {
    "set_language": Visit(),
    "accounts:logout": Visit(),
    "catalog:follow_seller": Visit("seller"),
    "catalog:follow_course": Visit("course_id"),
    "selling:sell_retry": Visit("document"),
    "ledger:payout_request": Visit(),
    "ledger:payout_details": Visit(),
    "checkout:add": Visit("listing_id"),
    "checkout:remove": Visit("listing_id"),
    "checkout:retry": Visit("order"),
    "checkout:bundle_add": Visit("bundle_id"),
    "checkout:bundle_remove": Visit("bundle_id"),
    "checkout:code_apply": Visit(),
    "checkout:code_remove": Visit(),
    "payments:return": Visit("return"),
    "reviews:create": Visit("order_line"),
    "support:upload_decide": Visit("version"),
    "support:refund_decide": Visit("refund_request"),
    "support:payout_batch_create": Visit(),
    "support:payout_paid": Visit("missing"),
    "support:payout_fail": Visit("missing"),
    "support:payout_propose": Visit("missing"),
    "support:approval_decide": Visit("missing"),
    "support:ledger_check": Visit(),
    "trust_staff:notice_decide": Visit("notice"),
    "trust:appeal_decide": Visit("appeal"),
    "rights_holders:work_remove": Visit("missing"),
    "privacy:export_request": Visit(),
    "notifications:read_all": Visit(),
    "accounts:token_revoke": Visit("missing"),
}
# URLs that never answer with an HTML page, and what they send instead.
NOT_HTML = {
    "healthz": "plain text for the load balancer",
    "readyz": "JSON for monitoring",
    "metrics": "Prometheus text",
    "favicon": "a redirect to the SVG icon",
    "robots_txt": "plain text",
    "sitemap": "XML",
    "sitemap_section": "XML",
    "payments_webhook_mollie": "an empty answer to Mollie's server",
    "public_media": "preview images and avatars",
    "javascript-catalog": "JavaScript (Django's translation catalogue)",
    "library:page": "WebP page images",
    "library:download": "the buyer's PDF",
    "support:payout_batch_download": "a SEPA XML file",
    "support:report_vat_csv": "CSV",
    "support:report_revenue_csv": "CSV",
    "support:report_payables_csv": "CSV",
    "trust:transparency_csv": "CSV",
    "privacy:export_download": "the person's data as a ZIP",
    "selling:sell_statement_pdf": "the seller's yearly statement as PDF",
    "selling:sell_statement_csv": "CSV",
    "notifications:open": "a redirect to where the notification leads (a POST marks it read)",
}
# The JSON API (slice "api"): JSON or problem+json, the PDF; tests/api/ checks every route.
NOT_HTML.update(
    {
        f"api:{name}": "JSON (the API)"
        for name in (
            "api-root openapi-json search listing_detail bundle_detail courses course_detail me library "
            "library_download document_list document_upload document_detail document_describe "
            "document_publish document_new_version sales earnings payouts"
        ).split()
    }
)


def _named_urls(patterns: list[URLPattern | URLResolver], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _named_urls(
                pattern.url_patterns, ":".join(n for n in (namespace, pattern.namespace or "") if n)
            )
        elif pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_is_walked():
    names = {name for name in _named_urls(get_resolver().url_patterns) if not name.startswith("admin:")}
    listed = set(PAGES) | set(ACTIONS) | set(NOT_HTML)
    assert names - listed == set(), "Add the new URL to PAGES, ACTIONS or NOT_HTML in tests/core/test_csp.py"
    assert {name for name in listed - names if not name.startswith("admin:")} == set()


def _visit(client: Client, world: World, role: str, name: str, visit: Visit, method: str) -> Any:
    user = world.users[role]
    if role in SIGNING_IN:
        client.force_login(user, backend=MODEL_BACKEND)  # the password only
    elif user is not None:
        login(client, user)
    url = reverse(name, args=world.ids[visit.args] if visit.args else [])
    if method == "post":
        return client.post(url)
    headers = {"HX-Request": "true"} if visit.htmx else {}
    return client.get(f"{url}?{visit.query}" if visit.query else url, headers=headers)


def _is_html(response: Any) -> bool:
    return str(response.get("Content-Type", "")).startswith("text/html")


def _problems(response: Any) -> list[str]:
    header = response.get("Content-Security-Policy")
    if header is None:
        return ["no Content-Security-Policy header"]
    policy = policy_of(header)
    # Exactly these sources; img-src and form-action may add the hosts config/csp.py adds.
    problems = [
        f"{directive} is {sorted(policy.get(directive, set()))}"
        for directive, values in STRICT.items()
        if not (
            values <= policy.get(directive, set()) if directive in GROWS else values == policy.get(directive)
        )
    ]
    for directive in ("script-src", "style-src", "default-src"):
        unsafe = {v for v in policy.get(directive, set()) if v.startswith("'unsafe-")}
        if unsafe:
            problems.append(f"{directive} allows {sorted(unsafe)}")
    if "Content-Security-Policy-Report-Only" in response:
        problems.append("a report-only policy besides the enforced one")
    return problems


def _inline_code(html: str) -> list[str]:
    """What the policy would refuse in a page as served: markup made in code (form widgets, the
    QR code's SVG) is checked here, templates below."""
    problems = [f"inline <script{a}>" for a in _SCRIPT.findall(html) if not _allowed_script(a)]
    problems += [f"event handler {m}=" for m in _EVENT_HANDLER.findall(html)]
    problems += ["javascript: URL" for _ in _JAVASCRIPT_URL.findall(html)]
    problems += ["a style attribute or <style> element" for _ in _STYLE.findall(html)]
    return problems


@pytest.mark.django_db
def test_every_html_page_carries_a_strict_policy(world):
    """Every page for every role: each HTML answer has the policy, and every page is reached."""
    failures: list[str] = []
    reached: set[str] = set()
    for kind, visits in (("get", PAGES), ("post", ACTIONS)):
        for name, visit in visits.items():
            for role in ROLES + (SIGNING_IN if visit.signing_in else ()):
                response = _visit(Client(), world, role, name, visit, kind)
                if not _is_html(response):
                    continue
                if response.status_code == 200:
                    reached.add(name)
                problems = _problems(response) + _inline_code(response.content.decode())
                failures += [f"{kind.upper()} {name} as {role}: {p}" for p in problems]
    assert failures == []
    assert set(PAGES) - reached == set(), "pages no role could open: the walk proves nothing for them"


@pytest.mark.django_db
def test_error_pages_carry_the_policy_too(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert _problems(response) == []


def test_the_policy_names_no_unsafe_source_anywhere():
    header = _policy_header()
    assert "unsafe" not in header
    assert policy_of(header)["script-src"] == {"'self'"}


def _policy_header() -> str:
    return build_policy()


# ---------------------------------------------------------------------------------------------
# The payment provider's checkout and the public storage


def test_the_simulated_provider_needs_no_other_form_target(settings):
    settings.PAYMENT_PROVIDER = "simulated"
    assert policy_of(_header_for(settings))["form-action"] == {"'self'"}


def test_mollie_checkout_is_a_form_target(settings):
    """Chromium applies form-action to the redirect that answers the checkout's POST: the
    provider's checkout host must be allowed, and nothing else."""
    settings.PAYMENT_PROVIDER = "mollie"
    settings.MOLLIE_API_ENDPOINT = ""
    assert policy_of(_header_for(settings))["form-action"] == {"'self'", "https://www.mollie.com"}


def test_a_mollie_stand_in_serves_its_own_checkout(settings):
    settings.PAYMENT_PROVIDER = "mollie"
    settings.MOLLIE_API_ENDPOINT = "http://127.0.0.1:8765/v2"
    assert policy_of(_header_for(settings))["form-action"] == {
        "'self'",
        "https://www.mollie.com",
        "http://127.0.0.1:8765",
    }


def test_images_from_a_public_storage_elsewhere(settings):
    """With object storage, previews and avatars come from the bucket's host: img-src says so."""
    settings.STORAGES = {
        **settings.STORAGES,
        "public": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": str(settings.DATA_DIR / "public"),
                "base_url": "https://media.example/public/",
            },
        },
    }
    assert policy_of(_header_for(settings))["img-src"] == {"'self'", "data:", "https://media.example"}


def _header_for(settings: Any) -> str:
    """The header the middleware gives a page under ``settings`` as they are now."""
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("<!doctype html>"))
    response = middleware(RequestFactory().get("/"))
    assert isinstance(response, HttpResponse)
    return str(response["Content-Security-Policy"])


# ---------------------------------------------------------------------------------------------
# Report-only: only when asked for, never in production


def test_report_only_is_refused_in_production():
    result = run_in_production(
        ["-c", "import django; django.setup()"], **PRODUCTION_SECRETS, CSP_REPORT_ONLY="true"
    )

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "CSP_REPORT_ONLY is refused in production: the policy must be enforced."
    )


def test_production_enforces_the_policy():
    result = run_in_production(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(bool(s.CONTENT_SECURITY_POLICY), bool(s.CONTENT_SECURITY_POLICY_REPORT_ONLY))",
        ],
        **PRODUCTION_SECRETS,
    )

    assert (result.returncode, result.stdout) == (0, "True False\n"), result.stderr


def test_report_only_when_a_developer_asks_for_it():
    environment = {**os.environ, "CSP_REPORT_ONLY": "true", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.CONTENT_SECURITY_POLICY, bool(s.CONTENT_SECURITY_POLICY_REPORT_ONLY))",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert (result.returncode, result.stdout) == (0, "None True\n"), result.stderr


# ---------------------------------------------------------------------------------------------
# The templates give the policy nothing to allow

TEMPLATES = sorted(
    path
    for root in (Path(settings.BASE_DIR) / "studymarket").rglob("templates")
    for path in root.rglob("*.html")
)
# E-mail bodies are read by mail programs, not under our policy; inline styles are how e-mail works.
EMAIL_TEMPLATES = {path for path in TEMPLATES if "emails" in path.parts or path.name.endswith("_email.html")}


def _allowed_script(attributes: str) -> bool:
    """A script from a file, or JSON-LD (data the browser does not run: no policy applies)."""
    return "src=" in attributes or 'type="application/ld+json"' in attributes


_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)
_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"""<[^>]*\s(on[a-z]+)\s*=""", re.IGNORECASE)
_JAVASCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.IGNORECASE)
_STYLE = re.compile(r"""<[^>]*\sstyle\s*=|<style\b""", re.IGNORECASE)
_HTMX_EVAL = re.compile(
    r"""\s(?:data-)?hx-(?:on\b|on[:-]|vars\s*=)|hx-vals\s*=\s*["']\s*(?:js|javascript):""", re.IGNORECASE
)


def test_the_scan_sees_the_templates():
    assert len(TEMPLATES) > 50
    assert Path(settings.BASE_DIR, "studymarket/templates/base.html") in TEMPLATES
    assert (
        Path(settings.BASE_DIR, "studymarket/orders/templates/orders/emails/receipt.html") in EMAIL_TEMPLATES
    )


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_inline_code_in_templates(path: Path):
    text = _COMMENT.sub("", path.read_text(encoding="utf-8"))
    problems = [f"inline <script{a}>" for a in _SCRIPT.findall(text) if not _allowed_script(a)]
    problems += [f"event handler {m}=" for m in _EVENT_HANDLER.findall(text)]
    problems += ["javascript: URL" for _ in _JAVASCRIPT_URL.findall(text)]
    problems += ["htmx code in an attribute (hx-on, hx-vars, js: values)" for _ in _HTMX_EVAL.findall(text)]
    if path not in EMAIL_TEMPLATES:
        problems += ["a style attribute or <style> element" for _ in _STYLE.findall(text)]
    assert problems == []


def test_htmx_is_configured_for_the_policy():
    """htmx would insert its indicator styles as an inline <style>, may evaluate code from
    attributes, and copies style attributes while settling a swap; base.html turns all three
    off, and the stylesheet carries the indicator rules."""
    base = Path(settings.BASE_DIR, "studymarket/templates/base.html").read_text(encoding="utf-8")
    meta = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", base)
    assert meta is not None
    config = json.loads(meta.group(1))
    assert (config["includeIndicatorStyles"], config["allowEval"]) == (False, False)
    assert config["attributesToSettle"] == ["class", "width", "height"]  # htmx's own, less "style"
    css = Path(settings.BASE_DIR, "studymarket/static/css/studymarket.css").read_text(encoding="utf-8")
    assert ".htmx-indicator" in css
