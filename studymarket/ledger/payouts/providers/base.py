"""The one interface between payouts and whatever moves the money (DESIGN.md rule 6).

Two providers sit behind it (settings.PAYOUT_PROVIDER):
- ``sepa``: the payouts become one SEPA credit-transfer file (pain.001) that staff hand to the
  bank; the bank's answer comes back by hand (payout_mark_paid / payout_mark_failed).
- ``mollie_route``: Mollie Connect's delayed routing; each released sale's share is routed to
  the seller's Mollie organisation, and Mollie answers at once.

Data crosses the boundary as these dataclasses, in our units (integer cents). Provider units
(Mollie's "9.49" strings, XML) and SDK exceptions stay inside the adapters.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PayoutInstruction:
    """One payout to carry out, as stored on the Payout row."""

    reference: str  # ours, unique: the SEPA end-to-end id, the route's description
    amount_cents: int
    currency: str
    description: str  # what the seller reads on their statement
    idempotency_key: str  # the same key must never move the money twice
    # sepa: where the money goes
    account_holder: str = ""
    iban: str = ""
    bic: str = ""
    # mollie_route: the payment whose money is routed, and the seller's organisation
    payment_id: str = ""
    destination: str = ""


@dataclass(frozen=True)
class PayoutOutcome:
    """What became of one instruction. ``status``: "sent" (handed over, the answer comes
    later: SEPA), "paid" (done: a route Mollie accepted), "refused" (a definite no: nothing was
    moved, ``reason`` says why), "unavailable" (not reached, or no answer: try again with the
    same idempotency key)."""

    reference: str
    status: str
    provider_reference: str = ""  # the end-to-end id, Mollie's route id
    reason: str = ""


@dataclass(frozen=True)
class PayoutDispatch:
    outcomes: list[PayoutOutcome]
    # sepa: the pain.001 file the outcomes are in (XML, UTF-8) and its message id
    document: str = ""
    message_id: str = ""


class PayoutProviderError(Exception):
    """The instructions could not be turned into a payout at all (e.g. a file that fails its
    schema): a bug or bad data, never retried blindly."""


class PayoutProvider(Protocol):
    identifier: str  # stored on Payout.provider: "sepa" | "mollie_route"

    def send(self, instructions: Sequence[PayoutInstruction]) -> PayoutDispatch:
        """Carry out the instructions; one outcome per instruction, in the same order."""
        ...
