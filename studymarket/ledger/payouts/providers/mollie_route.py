"""Mollie Connect delayed routing: a released sale's share goes to the seller's Mollie
organisation (`POST /v2/payments/{id}/routes`).

mollie-api-python 4 has no routes resource, so the call goes through the resource base's
public `perform_api_call`, with our idempotency key (the SDK would make up a fresh one per
call). The client comes from core.mollie, the builder payments' Mollie adapter uses too.
Mollie's errors are mapped here as in that adapter; it sits in a higher layer (payments), which
ledger may not import, and maps to payments' own exceptions, so the few lines are repeated.
"""

import re
from collections.abc import Sequence
from typing import Any

from mollie.api.error import (
    IdentifierError,
    NotFoundError,
    RequestError,
    RequestSetupError,
    ResponseError,
    ResponseHandlingError,
)

from studymarket.core.mollie import mollie_client
from studymarket.core.money import Money
from studymarket.ledger.payouts.providers.base import PayoutDispatch, PayoutInstruction, PayoutOutcome

PAYMENT_ID = re.compile(r"tr_[0-9A-Za-z]{4,32}")
ORGANIZATION_ID = re.compile(r"org_[0-9A-Za-z]{1,32}")


class MollieRouteProvider:
    identifier = "mollie_route"

    def __init__(self, *, api_key: str, api_endpoint: str, timeout_seconds: float) -> None:
        self._api_key = api_key
        self._api_endpoint = api_endpoint
        self._timeout = timeout_seconds
        self._client: Any = None

    def _api(self) -> Any:
        # Built on first use, inside _route's error mapping (a malformed key is a refusal).
        if self._client is None:
            self._client = mollie_client(
                api_key=self._api_key, api_endpoint=self._api_endpoint, timeout_seconds=self._timeout
            )
        return self._client

    def send(self, instructions: Sequence[PayoutInstruction]) -> PayoutDispatch:
        """One route per instruction; each answered on its own (one outage stops none of the
        others' answers from being recorded)."""
        return PayoutDispatch(outcomes=[self._route(instruction) for instruction in instructions])

    def _route(self, instruction: PayoutInstruction) -> PayoutOutcome:
        def refused(reason: str) -> PayoutOutcome:
            return PayoutOutcome(reference=instruction.reference, status="refused", reason=reason[:300])

        def unavailable(reason: str) -> PayoutOutcome:
            return PayoutOutcome(reference=instruction.reference, status="unavailable", reason=reason[:300])

        if not PAYMENT_ID.fullmatch(instruction.payment_id):
            return refused(f"Not a Mollie payment id: {instruction.payment_id!r}")
        if not ORGANIZATION_ID.fullmatch(instruction.destination):
            return refused(f"Not a Mollie organisation id: {instruction.destination!r}")
        amount = Money(instruction.amount_cents, instruction.currency)
        body = {
            "amount": {"currency": amount.currency, "value": str(amount.to_decimal())},
            "description": instruction.description[:255],
            "destination": {"type": "organization", "organizationId": instruction.destination},
        }
        try:
            route = self._api().payments.perform_api_call(
                "POST",
                f"payments/{instruction.payment_id}/routes",
                body,
                idempotency_key=instruction.idempotency_key,
            )
        except (IdentifierError, RequestSetupError) as error:  # nothing was sent: configuration
            return refused(str(error))
        except RequestError as error:  # connection refused, timed out: it may have happened
            return unavailable(str(error))
        except ResponseHandlingError as error:  # not Mollie's JSON (a proxy's 502 page)
            return unavailable(str(error))
        except NotFoundError as error:
            return refused(f"404: {error}")
        except ResponseError as error:
            if (error.status or 500) >= 500 or error.status == 429:
                return unavailable(f"{error.status}: {error}")
            return refused(f"{error.status}: {error}")
        route_id = route.get("id") if isinstance(route, dict) else None
        if not isinstance(route_id, str) or not route_id:
            return unavailable(f"Unreadable answer from Mollie: {route!r}"[:300])
        return PayoutOutcome(reference=instruction.reference, status="paid", provider_reference=route_id)
