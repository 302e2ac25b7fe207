"""The books' writes: what each posting moves, the running figures that always add
up, and what each refuses with nothing stored."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.funds import selectors, services
from jijie.funds.models import (
    Account,
    AccountKind,
    AppendOnlyError,
    Attachment,
    Posting,
    PostingKind,
)
from jijie.funds.tests.fixtures import income
from jijie.responses.services import do_response_close
from jijie.supplies import selectors as stock
from jijie.supplies.models import Movement

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
DAY = date(2026, 3, 5)
ZERO = Decimal(0)


def cash(books, holder, fund=None) -> Account:
    return Account.objects.get(fund=fund or books.party_fees, holder=holder, kind=AccountKind.CASH)


def allocate(books, to, amount, *, holder=None, actor=SYSTEM):
    entry = services.Entry(amount=amount, on=DAY, summary="拨付防疫经费", voucher="记-001")
    call = services.do_allocate if actor is SYSTEM else services.allocate
    return call(
        actor=actor, fund=books.party_fees, holder=holder or books.committee, to=to,
        entry=entry, now=NOW,
    )  # fmt: skip


def expend(books, holder, amount, *, actor=SYSTEM, **kwargs):
    kwargs.setdefault("voucher", "付-001")
    kwargs.setdefault("payee", "康泰医疗器械公司")
    expense = services.Expense(amount=amount, on=DAY, summary="购买口罩", **kwargs)
    call = services.do_expend if actor is SYSTEM else services.expend
    return call(actor=actor, fund=books.party_fees, holder=holder, expense=expense, now=NOW)


def figures(account: Account) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    account.refresh_from_db()
    return account.received, account.allocated, account.spent, account.balance


def test_party_fees_received_allocated_spent_and_refunded_add_up(books):
    income(books, "1100000")
    allocate(books, books.street, "300000")
    allocate(books, books.community, "50000.50", holder=books.street)
    spending = expend(books, books.community, "12000.25")
    services.do_refund(
        actor=SYSTEM,
        expenditure=spending,
        entry=services.Entry(amount="200.25", on=DAY, summary="多付退回"),
        now=NOW,
    )
    assert figures(cash(books, books.committee)) == (
        Decimal("1100000.00"), Decimal("300000.00"), Decimal(0), Decimal("800000.00"),
    )  # fmt: skip
    assert figures(cash(books, books.street)) == (
        Decimal("300000.00"), Decimal("50000.50"), Decimal(0), Decimal("249999.50"),
    )  # fmt: skip
    assert figures(cash(books, books.community)) == (
        Decimal("50000.50"), Decimal(0), Decimal("11800.00"), Decimal("38200.50"),
    )  # fmt: skip
    totals = selectors.fund_totals(books.party_fees)
    assert totals.received == Decimal("1100000.00")
    assert totals.spent == Decimal("11800.00")
    assert totals.balance == Decimal("1088200.00")
    assert totals.received == totals.spent + totals.balance
    assert selectors.trial_balance(books.party_fees) == 0
    assert selectors.ledger_disagreements() == []


def test_ten_allocations_of_ten_cents_are_one_yuan(books):
    income(books, "1.00")
    for _ in range(10):
        allocate(books, books.street, "0.10")
    assert figures(cash(books, books.street))[3] == Decimal("1.00")
    assert figures(cash(books, books.committee)) == (Decimal("1.00"), Decimal("1.00"), ZERO, ZERO)
    with pytest.raises(ValidationError, match="余额不足"):
        allocate(books, books.street, "0.01")


def test_a_statement_reads_as_the_paper_ledger_with_a_running_balance(books):
    income(books, "1000", on=date(2026, 3, 1))
    allocate(books, books.street, "300")
    expend(books, books.committee, "99.99")
    account = cash(books, books.committee)
    whole = selectors.statement(account)
    assert [(line.income, line.expenditure, line.balance) for line in whole.lines] == [
        (Decimal("1000.00"), None, Decimal("1000.00")),
        (None, Decimal("300.00"), Decimal("700.00")),
        (None, Decimal("99.99"), Decimal("600.01")),
    ]
    assert (whole.income, whole.expenditure, whole.closing) == (
        Decimal(1000),
        Decimal("399.99"),
        Decimal("600.01"),
    )
    later = selectors.statement(account, start=date(2026, 3, 2))
    assert later.opening == Decimal("1000.00")
    assert later.closing == account.balance


def test_an_expenditure_keeps_its_voucher_scan(books):
    income(books, "500")
    posting = expend(
        books, books.committee, "80",
        scan=services.Scan(name="发票.pdf", content=b"%PDF-1.4 receipt"),
    )  # fmt: skip
    attachment = Attachment.objects.get(posting=posting)
    assert (attachment.content_type, bytes(attachment.content)) == (
        "application/pdf",
        b"%PDF-1.4 receipt",
    )
    event = AuditEvent.objects.get(action="funds.expend")
    assert event.data["amount"] == "80.00"  # money is a string in JSON, never a float


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("NaN", "普通的十进制数字"),
        ("Infinity", "普通的十进制数字"),
        ("1e400", "普通的十进制数字"),
        ("-5", "不要带正负号"),
        ("0.001", "最多 2 位小数"),
        ("-0.00", "须大于零"),
        ("1,000.00", "千位分隔符"),
        ("１００", "半角数字"),
        ("", "请填写金额"),
        ("600", "余额不足"),
    ],
)
def test_bad_amounts_are_refused_naming_the_field_and_nothing_is_stored(books, amount, reason):
    income(books, "500")
    before = (Posting.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        expend(books, books.committee, amount)
    assert reason in " ".join(refused.value.message_dict["amount"])
    assert (Posting.objects.count(), AuditEvent.objects.count()) == before
    assert figures(cash(books, books.committee)) == (Decimal(500), ZERO, ZERO, Decimal(500))


def test_what_an_expenditure_refuses(books):
    income(books, "500")
    with pytest.raises(ValidationError, match="凭证号"):
        expend(books, books.committee, "10", voucher="")
    with pytest.raises(ValidationError, match="收款方"):
        expend(books, books.committee, "10", payee="")
    with pytest.raises(ValidationError, match="JPEG、PNG"):
        expend(books, books.committee, "10", scan=services.Scan("x.exe", b"MZ\x90\x00"))
    with pytest.raises(ValidationError, match="晚于今天"):
        services.do_expend(
            actor=SYSTEM, fund=books.party_fees, holder=books.committee,
            expense=services.Expense(amount="1", on=date(2026, 3, 11), summary="x", voucher="1", payee="p"),
            now=NOW,
        )  # fmt: skip
    assert Posting.objects.filter(kind=PostingKind.EXPENDITURE).count() == 0


def test_a_refund_is_at_most_what_is_left_of_its_expenditure(books):
    income(books, "500")
    spending = expend(books, books.committee, "100")

    def refund(amount):
        return services.do_refund(
            actor=SYSTEM, expenditure=spending,
            entry=services.Entry(amount=amount, on=DAY, summary="退货"), now=NOW,
        )  # fmt: skip

    refund("60")
    with pytest.raises(ValidationError, match=r"最多还能退回 40\.00 元"):
        refund("40.01")
    refund("40")
    assert services.refundable(spending) == 0
    assert figures(cash(books, books.committee)) == (Decimal(500), ZERO, ZERO, Decimal(500))


def test_allocation_goes_down_the_tree_only(books):
    income(books, "500", holder=books.street)
    with pytest.raises(ValidationError, match="本级或下级"):
        allocate(books, books.committee, "10", holder=books.street)
    with pytest.raises(ValidationError, match="本级或下级"):
        allocate(books, books.sibling, "10", holder=books.community)
    with pytest.raises(ValidationError, match="不能拨给自己"):
        allocate(books, books.street, "10", holder=books.street)


def test_a_closed_response_takes_no_posting(books):
    income(books, "500")
    do_response_close(actor=SYSTEM, response=books.response)
    books.party_fees.refresh_from_db()
    with pytest.raises(ValidationError, match="应急响应已经结束"):
        expend(books, books.committee, "10")


def test_closing_a_period_fixes_its_books(books):
    income(books, "500", on=date(2026, 3, 1))
    expend(books, books.committee, "20")
    closing = services.do_close(
        actor=SYSTEM, fund=books.party_fees, holder=books.committee, through=DAY, now=NOW
    )
    assert closing.balance == Decimal("480.00")
    with pytest.raises(ValidationError, match="已经结账"):
        expend(books, books.committee, "10")  # dated on the closed day
    with pytest.raises(ValidationError, match="已经结账到"):
        services.do_close(
            actor=SYSTEM, fund=books.party_fees, holder=books.committee, through=DAY, now=NOW
        )
    later = services.Expense(amount="10", on=date(2026, 3, 6), summary="x", voucher="2", payee="p")
    services.do_expend(
        actor=SYSTEM, fund=books.party_fees, holder=books.committee, expense=later, now=NOW
    )
    assert selectors.statement(cash(books, books.committee)).closed_through == DAY


def test_postings_are_never_changed_nor_deleted(books):
    posting = income(books, "500")
    with pytest.raises(AppendOnlyError):
        posting.save()
    with pytest.raises(AppendOnlyError):
        posting.delete()


def test_a_purchase_is_an_expenditure_and_a_receipt_at_once(books, supplies):
    income(books, "5000")
    bought = services.do_purchase(
        actor=SYSTEM, fund=books.party_fees, holder=books.committee,
        purchase=services.Purchase(
            amount="1250.00", on=DAY, summary="采购医用口罩", voucher="付-009",
            payee="康泰医疗", store=supplies.district, item=supplies.masks, quantity="2500",
        ),
        now=NOW,
    )  # fmt: skip
    movement = Movement.objects.get(pk=bought.supplies_movement_id or 0)
    assert (movement.voucher, movement.source, movement.quantity) == (
        "付-009",
        "purchase",
        Decimal(2500),
    )
    assert stock.balances(supplies.district) == {supplies.masks.pk: 2500}
    with pytest.raises(ValidationError, match="余额不足"):
        services.do_purchase(
            actor=SYSTEM, fund=books.party_fees, holder=books.committee,
            purchase=services.Purchase(
                amount="5000", on=DAY, summary="采购防护服", voucher="付-010", payee="康泰医疗",
                store=supplies.district, item=supplies.suits, quantity="100",
            ),
            now=NOW,
        )  # fmt: skip
    # Neither half of the refused purchase was stored.
    assert stock.balances(supplies.district) == {supplies.masks.pk: 2500}


def test_only_those_over_the_holder_may_post(books, actors):
    income(books, "500", holder=books.community)
    income(books, "500", holder=books.street)
    for outside in (actors.outsider, actors.lower, actors.auditor):
        with pytest.raises((PermissionDenied, Http404)):  # 404 where it is not even seen
            expend(books, books.community, "10", actor=outside)
    with pytest.raises(PermissionDenied):  # keeps the books, may not allocate
        allocate(books, books.community, "10", holder=books.community, actor=actors.manager)
    expend(books, books.community, "10", actor=actors.manager)
    allocate(books, books.community, "10", holder=books.street, actor=actors.street)
