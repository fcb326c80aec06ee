"""Notice and action's writes, in one place to import from (split by concern):

- notices: receiving a notice (DSA art. 16), its deadline, who may not report;
- decisions: staff's one-click decisions and the seller's answer (trust/states.py's table);
- statements: the statements of reasons (art. 17), stored and e-mailed;
- buyer_refunds: the refunds an upheld notice starts, through payments.refunds.
"""

from studymarket.trust.buyer_refunds import listing_buyers_refund
from studymarket.trust.decisions import (
    NoticeDecisionRefused,
    notice_ask_seller,
    notice_reject_unfounded,
    notice_restore,
    notice_seller_respond,
    notice_take_down,
    notice_uphold,
)
from studymarket.trust.notices import NoticeRefused, notice_create, notice_deadline, reporter_suspended
from studymarket.trust.statements import statement_issue, statement_send

__all__ = [
    "NoticeDecisionRefused",
    "NoticeRefused",
    "listing_buyers_refund",
    "notice_ask_seller",
    "notice_create",
    "notice_deadline",
    "notice_reject_unfounded",
    "notice_restore",
    "notice_seller_respond",
    "notice_take_down",
    "notice_uphold",
    "reporter_suspended",
    "statement_issue",
    "statement_send",
]
