"""SEPA credit transfers: payouts become one pain.001.001.03 file that staff hand to the bank.

The XML is written by sepaxml (pretix's library), which also checks it against the pain.001
schema it ships before handing it over; nothing leaves this module that fails that schema.
Making the file is local work, no outside call: the bank's answer comes back by hand
(payout_mark_paid / payout_mark_failed).
"""

from collections.abc import Sequence
from datetime import date

from django.utils import timezone
from sepaxml import SepaTransfer  # type: ignore[import-untyped]  # no type information shipped
from sepaxml.validation import ValidationError as SepaSchemaError  # type: ignore[import-untyped]

from studymarket.ledger.payouts.providers.base import (
    PayoutDispatch,
    PayoutInstruction,
    PayoutOutcome,
    PayoutProviderError,
)

SCHEMA = "pain.001.001.03"


class SepaProvider:
    identifier = "sepa"

    def __init__(self, *, debtor_name: str, debtor_iban: str, debtor_bic: str, currency: str) -> None:
        self._debtor = {"name": debtor_name, "IBAN": debtor_iban, "BIC": debtor_bic}
        self._currency = currency

    def send(
        self, instructions: Sequence[PayoutInstruction], *, execution_date: date | None = None
    ) -> PayoutDispatch:
        """One file with one credit transfer per instruction (end-to-end id = its reference),
        to be executed on ``execution_date`` (today by default). Every outcome is "sent"."""
        if not instructions:
            raise PayoutProviderError("A SEPA file needs at least one payout.")
        config = {
            **{key: value for key, value in self._debtor.items() if value},
            "batch": True,
            "currency": self._currency,
        }
        try:
            transfer = SepaTransfer(config, schema=SCHEMA, clean=True)
            for instruction in instructions:
                if instruction.currency != self._currency:
                    raise PayoutProviderError(f"{instruction.reference}: not in {self._currency}")
                payment: dict[str, object] = {
                    "name": instruction.account_holder,
                    "IBAN": instruction.iban,
                    "amount": instruction.amount_cents,
                    "execution_date": execution_date or timezone.localdate(),
                    "description": instruction.description,
                    "endtoend_id": instruction.reference,
                }
                if instruction.bic:
                    payment["BIC"] = instruction.bic
                transfer.add_payment(payment)
            document: bytes = transfer.export(validate=True)
        except SepaSchemaError as error:
            raise PayoutProviderError(f"The SEPA file does not match {SCHEMA}: {error.__cause__}") from error
        except PayoutProviderError:
            raise
        except Exception as error:  # sepaxml raises bare Exception for a payment it refuses
            raise PayoutProviderError(f"sepaxml refused a payout: {error}") from error
        return PayoutDispatch(
            outcomes=[
                PayoutOutcome(reference=i.reference, status="sent", provider_reference=i.reference)
                for i in instructions
            ],
            document=document.decode("utf-8"),
            message_id=str(transfer.msg_id),
        )
