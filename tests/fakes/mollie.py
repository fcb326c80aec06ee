"""A local stand-in for the parts of Mollie's API that studymarket uses, over real HTTP.

The real client library (mollie-api-python) talks to it through MOLLIE_API_ENDPOINT, so its
request building, error mapping and idempotency handling are exercised for real. What it keeps
faithful: Bearer API-key check; `POST/GET /v2/payments[/{id}]`, `POST/GET
/v2/payments/{id}/refunds[/{id}]`, `POST/GET /v2/payments/{id}/routes` (delayed routing); Mollie's
error bodies {"status", "title", "detail"} with the
same HTTP codes (so the client raises NotFoundError, UnprocessableEntityError, ...);
`Idempotency-Key` replay with the `Idempotent-Replayed` header; `paidAt`, `amountRefunded`,
`amountRemaining`, `amountChargedBack`; `GET /v2/payments/{id}/chargebacks`; a refund's
`metadata` comes back as sent. Response shapes follow Mollie's documented examples.

Test-only parts, never behind the API key:
- `POST /__control__/payments/{id}/status` (JSON {"status": "paid", "webhook": true}): what the
  buyer does on Mollie's hosted page; sets the status (and paidAt), then POSTs `id=tr_…` to the
  payment's webhookUrl (the test's live server) and answers with that delivery's HTTP status.
- `POST /__control__/payments/{id}/webhook`: deliver the webhook again.
- `POST /__control__/faults` ({"mode": "500" | "hang", "count": N}): the next N API requests
  answer 500, or are carried out and then answered only after the client has given up.
- `GET/POST /checkout/{id}`: a hosted checkout page with the four outcomes, for browser tests.
- `refund_in_dashboard(id, cents)`, `chargeback(id, cents)` (Python only): money going back
  without us (a refund by hand in Mollie's dashboard, the buyer's bank), then the webhook.
"""

import json
import re
import secrets
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pytest_django import Settings

API_KEY = "test_standin00000000000000000000"
METHODS = {"ideal", "bancontact", "creditcard"}
OUTCOMES = ("paid", "failed", "canceled", "expired")
_AMOUNT = re.compile(r"\d+\.\d{2}")
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized Request",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
}


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _id(prefix: str) -> str:
    return prefix + "".join(
        secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789") for _ in range(10)
    )


def _cents(value: str) -> int:
    return int(Decimal(value) * 100)


def _value(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class ApiError(Exception):
    def __init__(self, status: int, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.field = status, detail, field

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": self.status,
            "title": _TITLES.get(self.status, "Error"),
            "detail": self.detail,
            "_links": {
                "documentation": {
                    "href": "https://docs.mollie.com/overview/handling-errors",
                    "type": "text/html",
                }
            },
        }
        if self.field:
            body["field"] = self.field
        return body


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class MollieStandIn:
    api_key: str = API_KEY
    # How long a "hang" fault keeps the client waiting; make it longer than the client's timeout.
    hang_seconds: float = 2.0
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    chargebacks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # GET …/chargebacks
    routes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # delayed routing (Connect)
    requests: list[Recorded] = field(default_factory=list)
    webhooks: list[tuple[str, int]] = field(default_factory=list)  # (payment id, answer)
    _replays: dict[tuple[str, str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _faults: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: "_Server | None" = None
    # Webhooks go to this origin instead of the webhookUrl's, with the Host and X-Forwarded-Proto
    # a load balancer would add (the scale-out test: straight to one of several web processes).
    webhook_via: str | None = None
    # Served over TLS with this context (the scale-out test's site is HTTPS only).
    tls: "ssl.SSLContext | None" = None

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> "MollieStandIn":
        standin = self

        class Handler(_Handler):
            owner = standin

        server = _Server(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "MollieStandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_port}"

    # --- what tests call directly (the control endpoints call the same) ------------------

    def fail_next(self, count: int, mode: str = "500") -> None:
        if mode not in ("500", "hang"):
            raise ValueError(mode)
        with self._lock:
            self._faults.extend([mode] * count)

    def set_status(self, payment_id: str, status: str, *, webhook: bool = True) -> int | None:
        """What the buyer does at Mollie: the payment's new status, then Mollie's webhook.
        Returns the webhook's HTTP answer (None when not sent)."""
        with self._lock:
            payment = self.payments.get(payment_id)
            if payment is None:
                raise ApiError(404, f"No payment exists with token {payment_id}.")
            if payment["status"] not in ("open", "pending") or status not in ("pending", *OUTCOMES):
                raise ApiError(409, f"The payment is {payment['status']}; it cannot become {status}.")
            payment["status"] = status
            payment["isCancelable"] = False
            stamp = {"paid": "paidAt", "failed": "failedAt", "canceled": "canceledAt", "expired": "expiredAt"}
            if status in stamp:
                payment[stamp[status]] = _now()
                payment.pop("expiresAt", None)
            if status == "paid":
                payment["amountRefunded"] = {"value": "0.00", "currency": payment["amount"]["currency"]}
                payment["amountRemaining"] = dict(payment["amount"])
        return self.deliver_webhook(payment_id) if webhook else None

    def deliver_webhook(self, payment_id: str) -> int | None:
        url = self.payments[payment_id].get("webhookUrl")
        if not url:
            return None
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "Mollie.nl HTTP client/1.0",
        }
        if self.webhook_via is not None:
            parts = urllib.parse.urlsplit(url)
            headers.update({"Host": parts.netloc, "X-Forwarded-Proto": parts.scheme})
            url = self.webhook_via + urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode({"id": payment_id}).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = int(response.status)
        except urllib.error.HTTPError as error:
            status = error.code
        with self._lock:
            self.webhooks.append((payment_id, status))
        return status

    def refund_in_dashboard(self, payment_id: str, cents: int, *, webhook: bool = True) -> int | None:
        """Someone refunds by hand in Mollie's dashboard (no idempotency key, no metadata of
        ours); Mollie then calls the payment's webhook. Returns the webhook's answer."""
        with self._lock:
            body = {"amount": {"value": _value(cents), "currency": "EUR"}, "description": "dashboard"}
            self._create_refund(payment_id, body)
        return self.deliver_webhook(payment_id) if webhook else None

    def chargeback(self, payment_id: str, cents: int, *, webhook: bool = True) -> int | None:
        """The buyer's bank takes ``cents`` of a paid payment back; Mollie calls the webhook."""
        with self._lock:
            payment = self._payment_or_404(payment_id)
            if payment["status"] != "paid":
                raise ApiError(422, "Only a paid payment can be charged back")
            chargeback = {
                "resource": "chargeback",
                "id": _id("chb_"),
                "amount": {"value": _value(cents), "currency": "EUR"},
                "settlementAmount": {"value": "-" + _value(cents), "currency": "EUR"},
                "createdAt": _now(),
                "reason": {"code": "AC01", "description": "Account identifier incorrect"},
                "reversedAt": None,
                "paymentId": payment_id,
            }
            self.chargebacks.setdefault(payment_id, []).append(chargeback)
            charged = _cents(payment.get("amountChargedBack", {}).get("value", "0.00")) + cents
            payment["amountChargedBack"] = {"value": _value(charged), "currency": "EUR"}
            remaining = _cents(payment["amountRemaining"]["value"]) - cents
            payment["amountRemaining"] = {"value": _value(max(remaining, 0)), "currency": "EUR"}
        return self.deliver_webhook(payment_id) if webhook else None

    def idempotency_keys(self, path: str = "/v2/payments") -> list[str]:
        return [
            r.headers.get("Idempotency-Key", "")
            for r in self.requests
            if r.method == "POST" and r.path == path
        ]

    # --- the API ------------------------------------------------------------------------

    def handle_api(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], bool]:
        """(HTTP status, JSON body, replayed?) for one API request; raises ApiError."""
        if headers.get("Authorization") != f"Bearer {self.api_key}":
            raise ApiError(401, "Missing authentication, or failed to authenticate")
        key = headers.get("Idempotency-Key", "")
        with self._lock:
            if key and method in ("POST", "PATCH", "DELETE"):
                stored = self._replays.get((method, path, key))
                if stored is not None:
                    return stored[0], stored[1], True
            status, answer = self._route(method, path, body)
            if key and method in ("POST", "PATCH", "DELETE"):
                self._replays[(method, path, key)] = (status, answer)
            return status, answer, False

    def _route(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if parts[:2] != ["v2", "payments"]:
            raise ApiError(404, "The resource does not exist.")
        if len(parts) == 2 and method == "POST":
            return 201, self._create_payment(body)
        if len(parts) == 3 and method == "GET":
            return 200, self._payment_or_404(parts[2])
        if len(parts) == 4 and parts[3] == "refunds" and method == "POST":
            return 201, self._create_refund(parts[2], body)
        if len(parts) == 4 and parts[3] == "refunds" and method == "GET":
            self._payment_or_404(parts[2])
            items = self.refunds.get(parts[2], [])
            return 200, {
                "count": len(items),
                "_embedded": {"refunds": items},
                "_links": {
                    "self": {"href": f"{self.url}{path}", "type": "application/hal+json"},
                    "previous": None,
                    "next": None,
                },
            }
        if len(parts) == 4 and parts[3] == "chargebacks" and method == "GET":
            self._payment_or_404(parts[2])
            items = self.chargebacks.get(parts[2], [])
            return 200, {
                "count": len(items),
                "_embedded": {"chargebacks": items},
                "_links": {
                    "self": {"href": f"{self.url}{path}", "type": "application/hal+json"},
                    "next": None,
                },
            }
        if len(parts) == 5 and parts[3] == "refunds" and method == "GET":
            for refund in self.refunds.get(parts[2], []):
                if refund["id"] == parts[4]:
                    return 200, refund
            raise ApiError(404, f"No refund exists with token {parts[4]}.")
        if len(parts) == 4 and parts[3] == "routes" and method == "POST":
            return 201, self._create_route(parts[2], body)
        if len(parts) == 4 and parts[3] == "routes" and method == "GET":
            self._payment_or_404(parts[2])
            routes = self.routes.get(parts[2], [])
            return 200, {"count": len(routes), "_embedded": {"routes": routes}, "_links": {}}
        raise ApiError(404, "The resource does not exist.")

    def _payment_or_404(self, payment_id: str) -> dict[str, Any]:
        payment = self.payments.get(payment_id)
        if payment is None:
            raise ApiError(404, f"No payment exists with token {payment_id}.")
        return payment

    def _create_payment(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ApiError(400, "The request body is not valid JSON.")
        amount = body.get("amount") or {}
        if not isinstance(amount, dict) or not _AMOUNT.fullmatch(str(amount.get("value", ""))):
            raise ApiError(422, "The amount is invalid", "amount")
        if amount.get("currency") != "EUR":
            raise ApiError(422, "The currency is not supported", "amount.currency")
        if _cents(amount["value"]) < 1:
            raise ApiError(422, "The amount is lower than the minimum", "amount")
        if not body.get("description"):
            raise ApiError(422, "The description is invalid", "description")
        if not str(body.get("redirectUrl", "")).startswith(("http://", "https://")):
            raise ApiError(422, "The redirect URL is invalid", "redirectUrl")
        if body.get("method") is not None and body["method"] not in METHODS:
            raise ApiError(422, "The payment method is invalid", "method")
        payment_id = _id("tr_")
        links = {
            "self": {"href": f"{self.url}/v2/payments/{payment_id}", "type": "application/hal+json"},
            "checkout": {"href": f"{self.url}/checkout/{payment_id}", "type": "text/html"},
            "documentation": {
                "href": "https://docs.mollie.com/reference/create-payment",
                "type": "text/html",
            },
        }
        payment = {
            "resource": "payment",
            "id": payment_id,
            "mode": "test",
            "createdAt": _now(),
            "amount": {"value": amount["value"], "currency": amount["currency"]},
            "description": body["description"],
            "method": body.get("method"),
            "metadata": body.get("metadata"),
            "status": "open",
            "isCancelable": False,
            "expiresAt": (datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=15)).isoformat(),
            "profileId": "pfl_standin0001",
            "sequenceType": "oneoff",
            "redirectUrl": body["redirectUrl"],
            "_links": links,
        }
        if body.get("webhookUrl"):
            payment["webhookUrl"] = body["webhookUrl"]
        if body.get("locale"):
            payment["locale"] = body["locale"]
        self.payments[payment_id] = payment
        return payment

    def _create_refund(self, payment_id: str, body: Any) -> dict[str, Any]:
        payment = self._payment_or_404(payment_id)
        if payment["status"] != "paid":
            raise ApiError(422, "The payment cannot be refunded")
        amount = (body or {}).get("amount") or {}
        if not _AMOUNT.fullmatch(str(amount.get("value", ""))) or amount.get("currency") != "EUR":
            raise ApiError(422, "The amount is invalid", "amount")
        remaining = _cents(payment["amountRemaining"]["value"])
        cents = _cents(amount["value"])
        if not 0 < cents <= remaining:
            raise ApiError(422, "The amount requested for refund exceeds the remaining amount", "amount")
        refund_id = _id("re_")
        refund = {
            "resource": "refund",
            "id": refund_id,
            "amount": {"value": amount["value"], "currency": "EUR"},
            "status": "pending",
            "createdAt": _now(),
            "description": (body or {}).get("description", ""),
            "metadata": (body or {}).get("metadata"),
            "paymentId": payment_id,
            "_links": {
                "self": {
                    "href": f"{self.url}/v2/payments/{payment_id}/refunds/{refund_id}",
                    "type": "application/hal+json",
                },
                "payment": {"href": f"{self.url}/v2/payments/{payment_id}", "type": "application/hal+json"},
            },
        }
        self.refunds.setdefault(payment_id, []).append(refund)
        refunded = _cents(payment["amountRefunded"]["value"]) + cents
        payment["amountRefunded"] = {"value": _value(refunded), "currency": "EUR"}
        payment["amountRemaining"] = {"value": _value(remaining - cents), "currency": "EUR"}
        payment["_links"]["refunds"] = {
            "href": f"{self.url}/v2/payments/{payment_id}/refunds",
            "type": "application/hal+json",
        }
        return refund

    def _create_route(self, payment_id: str, body: Any) -> dict[str, Any]:
        """Mollie Connect's delayed routing: part of a paid payment goes to a connected
        organisation; the routes of one payment never add up to more than the payment."""
        payment = self._payment_or_404(payment_id)
        if payment["status"] != "paid":
            raise ApiError(422, "The payment is not paid; its money cannot be routed")
        amount = (body or {}).get("amount") or {}
        if not _AMOUNT.fullmatch(str(amount.get("value", ""))) or amount.get("currency") != "EUR":
            raise ApiError(422, "The amount is invalid", "amount")
        destination = (body or {}).get("destination") or {}
        if destination.get("type") != "organization" or not re.fullmatch(
            r"org_\w+", str(destination.get("organizationId", ""))
        ):
            raise ApiError(422, "The destination is invalid", "destination")
        routed = sum(_cents(r["amount"]["value"]) for r in self.routes.get(payment_id, []))
        cents = _cents(amount["value"])
        if cents < 1 or routed + cents > _cents(payment["amount"]["value"]):
            raise ApiError(422, "The routed amount exceeds the amount of the payment", "amount")
        route = {
            "resource": "route",
            "id": _id("crt_"),
            "paymentId": payment_id,
            "createdAt": _now(),
            "amount": {"value": amount["value"], "currency": "EUR"},
            "description": str((body or {}).get("description", ""))[:255],
            "destination": {"type": "organization", "organizationId": destination["organizationId"]},
        }
        self.routes.setdefault(payment_id, []).append(route)
        return route

    def _take_fault(self) -> str | None:
        with self._lock:
            return self._faults.pop(0) if self._faults else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a hung request must not hold up the end of a test
    request_queue_size = 256  # a hundred webhooks at once ask back at once


class _Handler(BaseHTTPRequestHandler):
    owner: MollieStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read `requests` instead

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urllib.parse.urlsplit(self.path).path
        try:
            if path.startswith("/__control__/"):
                self._control(path, raw)
            elif path.startswith("/checkout/"):
                self._checkout(method, path, raw)
            else:
                self._api(method, path, raw)
        except ApiError as error:
            self._json(error.status, error.body())
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a "hang" fault): nothing to answer

    def _api(self, method: str, path: str, raw: bytes) -> None:
        owner = self.owner
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = object()  # answered with Mollie's 400 below
        headers = dict(self.headers.items())
        with owner._lock:
            owner.requests.append(Recorded(method, path, headers, body))
        fault = owner._take_fault()
        if fault == "500":
            raise ApiError(500, "An internal server error occurred while processing your request.")
        status, answer, replayed = owner.handle_api(method, path, headers, body)
        if fault == "hang":
            time.sleep(owner.hang_seconds)  # carried out, but the answer comes too late
        self._json(status, answer, replayed=replayed)

    def _control(self, path: str, raw: bytes) -> None:
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            raise ApiError(400, "Control requests take JSON.") from None
        if path == "/__control__/faults":
            self.owner.fail_next(int(body.get("count", 1)), str(body.get("mode", "500")))
            self._json(200, {"ok": True})
            return
        match = re.fullmatch(r"/__control__/payments/(tr_\w+)/(status|webhook)", path)
        if match is None:
            raise ApiError(404, "Unknown control endpoint.")
        payment_id, action = match.groups()
        if action == "status":
            answer = self.owner.set_status(
                payment_id, str(body.get("status", "paid")), webhook=bool(body.get("webhook", True))
            )
        else:
            self.owner._payment_or_404(payment_id)
            answer = self.owner.deliver_webhook(payment_id)
        self._json(
            200,
            {"id": payment_id, "status": self.owner.payments[payment_id]["status"], "webhookStatus": answer},
        )

    def _checkout(self, method: str, path: str, raw: bytes) -> None:
        payment_id = path.removeprefix("/checkout/").strip("/")
        payment = self.owner._payment_or_404(payment_id)
        if method == "POST":
            outcome = urllib.parse.parse_qs(raw.decode()).get("outcome", [""])[0]
            if payment["status"] == "open" and outcome in OUTCOMES:
                self.owner.set_status(payment_id, outcome)
            self.send_response(303)
            self.send_header("Location", payment["redirectUrl"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        buttons = "".join(
            f'<button type="submit" name="outcome" value="{o}">{o.capitalize()}</button>' for o in OUTCOMES
        )
        html = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>Mollie test payment</title></head>"
            f"<body><h1>Test payment {payment_id}</h1><p>{payment['amount']['value']} EUR — "
            f"{payment['description']}</p><p>Status: {payment['status']}</p>"
            f'<form method="post">{buttons}</form></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(html)))
        self.end_headers()
        self.wfile.write(html)

    def _json(self, status: int, body: dict[str, Any], *, replayed: bool = False) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/hal+json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if replayed:
            self.send_header("Idempotent-Replayed", "true")
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def mollie_standin() -> Iterator[MollieStandIn]:
    with MollieStandIn() as standin:
        yield standin


@pytest.fixture
def mollie(settings: Settings, mollie_standin: MollieStandIn) -> MollieStandIn:
    """PAYMENT_PROVIDER=mollie, with the real client talking to the stand-in. Tests that need
    Mollie's webhooks to reach the site also use `live_server` and set SITE_URL to it."""
    settings.PAYMENT_PROVIDER = "mollie"
    settings.MOLLIE_API_KEY = mollie_standin.api_key
    settings.MOLLIE_API_ENDPOINT = mollie_standin.url
    settings.MOLLIE_TIMEOUT_SECONDS = 5.0
    return mollie_standin
