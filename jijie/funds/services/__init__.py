"""Writes of funds: the books (`ledger`: funds and holders, money received, allocated,
spent, refunded, a purchase into a store, a period closed) and donations with their
numbered receipts (`donations`).

Each comes in two steps (docs/architecture.md): a checked entry (`expend`) takes a user
and checks their role over the holder once, then ends in its write (`do_expend`), which
takes whoever acts, a user or `SYSTEM`, and writes in one transaction with its audit
row. Callers import from here; the modules are the parts."""

from jijie.funds.services.donations import (
    DonationData,
    Goods,
    do_donation_cancel,
    do_donation_record,
    donation_cancel,
    donation_record,
)
from jijie.funds.services.ledger import (
    ATTACHMENT_LIMIT,
    Entry,
    Expense,
    Purchase,
    Scan,
    allocate,
    close,
    do_allocate,
    do_close,
    do_expend,
    do_fund_create,
    do_holder_create,
    do_income_receive,
    do_purchase,
    do_refund,
    expend,
    fund_create,
    holder_create,
    income_receive,
    purchase,
    refund,
    refundable,
)

__all__ = [
    "ATTACHMENT_LIMIT",
    "DonationData",
    "Entry",
    "Expense",
    "Goods",
    "Purchase",
    "Scan",
    "allocate",
    "close",
    "do_allocate",
    "do_close",
    "do_donation_cancel",
    "do_donation_record",
    "do_expend",
    "do_fund_create",
    "do_holder_create",
    "do_income_receive",
    "do_purchase",
    "do_refund",
    "donation_cancel",
    "donation_record",
    "expend",
    "fund_create",
    "holder_create",
    "income_receive",
    "purchase",
    "refund",
    "refundable",
]
