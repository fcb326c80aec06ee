"""Helpers for the appeal, strike and transparency tests: the e-mails the SMTP server on
loopback received (tests/smtp.py), and decisions taken the way staff take them."""

from email.message import EmailMessage

from studymarket.accounts.models import User
from studymarket.trust.models import Measure, Notice, StatementOfReasons
from tests.smtp import Inbox


def mails_to(inbox: Inbox, address: str) -> list[EmailMessage]:
    return [m for m in inbox.messages if m["To"] == address]


def body(message: EmailMessage) -> str:
    """The plain text, with lines joined: the templates wrap long sentences."""
    return " ".join(str(message.get_content()).split())


def subjects(inbox: Inbox, address: str) -> list[str]:
    return [str(m["Subject"]) for m in mails_to(inbox, address)]


def statement_of(notice: Notice, measure: Measure) -> StatementOfReasons:
    return StatementOfReasons.objects.get(notice=notice, measure=measure)


def seller_of(notice: Notice) -> User:
    user: User = notice.listing.seller.user
    return user
