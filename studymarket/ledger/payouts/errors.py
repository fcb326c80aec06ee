"""The payouts' domain error, below both the state machine (states.py) and the services."""

from studymarket.core.errors import ApplicationError


class PayoutRefused(ApplicationError):
    """A payout that cannot be made or change now; the message says what the seller (or staff)
    can do."""
