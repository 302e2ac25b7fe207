"""Donations: numbered receipts never reused, money into the fund, goods into a store
through the same record, the anonymous kept anonymous, and cancellations recorded."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from jijie.audit.actors import SYSTEM
from jijie.funds import selectors, services
from jijie.funds.models import Donation, DonationState, Posting, PostingKind
from jijie.supplies import selectors as stock
from jijie.supplies.models import Movement

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY = date(2026, 3, 9)


def donate(books, *, holder=None, now=NOW, **data):
    data.setdefault("donor_kind", "person")
    data.setdefault("donor", "陈明")
    data.setdefault("received_on", DAY)
    if data.get("amount") is not None:
        data.setdefault("fund", books.donations)
    return services.do_donation_record(
        actor=SYSTEM, response=books.response, holder=holder or books.street,
        data=services.DonationData(**data), now=now,
    )  # fmt: skip


def test_receipts_are_numbered_one_by_one_and_a_cancelled_number_is_not_given_again(books):
    first = donate(books, amount="100")
    second = donate(books, amount="200")
    services.do_donation_cancel(actor=SYSTEM, donation=second, reason="金额登记错误", now=NOW)
    third = donate(books, amount="250")
    assert [first.receipt_no, second.receipt_no, third.receipt_no] == [
        "2026-000001", "2026-000002", "2026-000003",
    ]  # fmt: skip
    second.refresh_from_db()
    assert (second.state, second.cancel_reason) == (DonationState.CANCELLED, "金额登记错误")
    assert second.cancellation.kind == PostingKind.CANCELLATION
    assert selectors.fund_totals(books.donations).received == Decimal("350.00")
    assert selectors.ledger_disagreements() == []
    with pytest.raises(ValidationError, match="已经作废"):
        services.do_donation_cancel(actor=SYSTEM, donation=second, reason="再作废", now=NOW)
    # Another holder numbers its own receipts; a new year starts again at one.
    assert donate(books, holder=books.community, amount="5").receipt_no == "2026-000001"
    next_year = datetime(2027, 1, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert donate(books, amount="5", received_on=date(2027, 1, 2), now=next_year).receipt_no == (
        "2027-000001"
    )


def test_a_cancellation_is_refused_when_the_money_is_already_spent(books):
    gift = donate(books, amount="100")
    services.do_expend(
        actor=SYSTEM, fund=books.donations, holder=books.street,
        expense=services.Expense(amount="60", on=DAY, summary="购买", voucher="付-1", payee="商店"),
        now=NOW,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="余额不足"):
        services.do_donation_cancel(actor=SYSTEM, donation=gift, reason="登记错误", now=NOW)
    gift.refresh_from_db()
    assert gift.state == DonationState.VALID


def test_an_anonymous_gift_of_money_and_masks(books, supplies):
    gift = donate(
        books, donor="", disclose=False, amount="2000", store=supplies.street,
        goods=[services.Goods(supplies.masks, 60)], note="派出所转交",
    )  # fmt: skip
    assert gift.public_donor == "爱心人士"
    assert gift.goods == "医用口罩 60 只"
    assert gift.posting.summary == "爱心人士捐款"
    movement = Movement.objects.get(voucher=gift.receipt_no)
    assert (movement.source, movement.donor, movement.quantity) == ("donation", "", Decimal(60))
    assert stock.balances(supplies.street) == {supplies.masks.pk: 60}


def test_goods_only_need_no_fund(books, supplies):
    gift = donate(
        books, donor_kind="company", donor="华润超市", store=supplies.street,
        goods=[services.Goods(supplies.disinfectant, "25.5")],
    )  # fmt: skip
    assert (gift.amount, gift.posting, gift.fund) == (None, None, None)
    assert Posting.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        ({"donor": ""}, "donor", "不愿留名"),
        ({"donor_kind": "company", "donor": "", "disclose": False}, "donor", "须填写名称"),
        ({"amount": None}, "amount", "捐款金额或捐赠的物资"),
        ({"amount": "0.001"}, "amount", "最多 2 位小数"),
        ({"amount": "１００"}, "amount", "半角数字"),
        ({"received_on": date(2026, 3, 11)}, "received_on", "晚于今天"),
        ({"donor_kind": "alien"}, "donor_kind", "不是可选的值"),
    ],
)
def test_what_a_donation_refuses(books, data, field, reason):
    data = {"amount": "100", **data}
    with pytest.raises(ValidationError) as refused:
        donate(books, **data)
    assert reason in " ".join(refused.value.message_dict[field])
    assert (Donation.objects.count(), Posting.objects.count()) == (0, 0)
