"""Writes of the books: funds and holders set up; money received from outside (party
fees, a budget), allocated down the tree, spent with its voucher, refunded, spent on
supplies that go into a store in the same posting (a purchase); a holder's books closed
through a day.

Each checked entry takes the signed-in user and checks their role over the holder once,
then calls its `do_*` write, which trusts what it is given. A write holds the accounts
it moves (in id order), checks the balance under that hold, moves the running figures
and appends the posting in one transaction with its audit row: two expenditures at once
never both spend the last yuan, and the database's checks refuse any row whose figures
would not reconcile. Amounts are read by `jijie.core.decimals.money`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.core import decimals, uploads
from jijie.funds.models import (
    AccountKind,
    Attachment,
    Closing,
    Fund,
    FundKind,
    Holder,
    HolderKind,
    Posting,
    PostingKind,
)
from jijie.funds.services import base
from jijie.responses.models import Response
from jijie.supplies import services as supplies
from jijie.supplies.models import Item, ReceiveSource, Store

if TYPE_CHECKING:
    from jijie.accounts.models import User

ATTACHMENT_LIMIT = uploads.LIMIT


# Funds and holders ---------------------------------------------------------------------


def fund_create(*, actor: User, response: Response, area: Area, name: str, kind: str) -> Fund:
    """`do_fund_create` by someone who manages funds over `area`."""
    access.require(actor, Action.FUND_MANAGE, area)
    return do_fund_create(actor=actor, response=response, area=area, name=name, kind=kind)


@transaction.atomic
def do_fund_create(*, actor: Actor, response: Response, area: Area, name: str, kind: str) -> Fund:
    cleaned = base.clean(name, "name", _("名称"), 60, required=True)
    base.choice(kind, FundKind.values, "kind")
    if not response.is_active:
        raise ValidationError({"response": _("应急响应已经结束,不能再设立资金。")})
    if not area.path.startswith(response.area_path):
        raise ValidationError({"area": _("该应急响应不覆盖这个区域。")})
    if Fund.objects.filter(response=response, name=cleaned).exists():
        raise ValidationError({"name": _("已有名为“%(name)s”的资金。") % {"name": cleaned}})
    fund = Fund.objects.create(
        response=response, area=area, area_path=area.path, name=cleaned, kind=kind
    )
    base.account(fund, None, AccountKind.SOURCE)
    audit_record(actor=actor, action="funds.fund_create", target=fund, area=area)
    return fund


def holder_create(*, actor: User, area: Area, name: str, kind: str) -> Holder:
    """`do_holder_create` by someone who manages funds over `area`."""
    access.require(actor, Action.FUND_MANAGE, area)
    return do_holder_create(actor=actor, area=area, name=name, kind=kind)


@transaction.atomic
def do_holder_create(*, actor: Actor, area: Area, name: str, kind: str) -> Holder:
    cleaned = base.clean(name, "name", _("名称"), 60, required=True)
    base.choice(kind, HolderKind.values, "kind")
    if Holder.objects.filter(area=area, name=cleaned).exists():
        raise ValidationError({"name": _("这里已有名为“%(name)s”的单位。") % {"name": cleaned}})
    holder = Holder.objects.create(area=area, area_path=area.path, name=cleaned, kind=kind)
    audit_record(actor=actor, action="funds.holder_create", target=holder, area=area)
    return holder


# Money in and down ---------------------------------------------------------------------


@dataclass
class Entry:
    """What a posting's form gives: how much, on which day, its voucher and summary."""

    amount: Decimal | str | int
    on: date | None
    summary: str
    voucher: str = ""


def _entry(entry: Entry, at: datetime) -> tuple[Decimal, date, str, str]:
    amount = decimals.money(entry.amount)
    on = base.day(entry.on, at)
    summary = base.clean(entry.summary, "summary", _("摘要"), 200, required=True)
    voucher = base.clean(entry.voucher, "voucher", _("凭证号"), 40)
    return amount, on, summary, voucher


def income_receive(
    *, actor: User, fund: Fund, holder: Holder, entry: Entry, now: datetime | None = None
) -> Posting:
    """`do_income_receive` by someone who manages funds over the holder."""
    access.require_path(actor, Action.FUND_MANAGE, holder.area_path)
    return do_income_receive(actor=actor, fund=fund, holder=holder, entry=entry, now=now)


@transaction.atomic
def do_income_receive(
    *, actor: Actor, fund: Fund, holder: Holder, entry: Entry, now: datetime | None = None
) -> Posting:
    """Money received into the fund from outside it (party fees handed down, a budget):
    from the fund's source into the holder's cash."""
    at = base.now_or(now)
    base.in_force(fund)
    base.holds(fund, holder)
    amount, on, summary, voucher = _entry(entry, at)
    cash, source = base.locked(
        base.account(fund, holder, AccountKind.CASH), base.account(fund, None, AccountKind.SOURCE)
    )
    base.open_after_closing([cash], on)
    posting = base.post(
        actor=actor, fund=fund, kind=PostingKind.INCOME, debit=cash, credit=source,
        amount=amount, on=on, at=at, summary=summary, voucher=voucher,
    )  # fmt: skip
    base.audit(actor, posting, holder.area_path, action="funds.income", amount=amount)
    return posting


def allocate(
    *,
    actor: User,
    fund: Fund,
    holder: Holder,
    to: Holder,
    entry: Entry,
    now: datetime | None = None,
) -> Posting:
    """`do_allocate` by someone who manages funds over the giving holder."""
    access.require_path(actor, Action.FUND_MANAGE, holder.area_path)
    return do_allocate(actor=actor, fund=fund, holder=holder, to=to, entry=entry, now=now)


@transaction.atomic
def do_allocate(
    *,
    actor: Actor,
    fund: Fund,
    holder: Holder,
    to: Holder,
    entry: Entry,
    now: datetime | None = None,
) -> Posting:
    """Pass money of the fund from a holder down to another in its subtree (the
    committee to a street, a street to a community)."""
    at = base.now_or(now)
    base.in_force(fund)
    if to.pk == holder.pk:
        raise ValidationError({"to": _("不能拨给自己。")})
    if not to.area_path.startswith(holder.area_path):
        raise ValidationError({"to": _("只能拨给本级或下级的单位。")})
    base.holds(fund, to, "to")
    amount, on, summary, voucher = _entry(entry, at)
    giving, taking = base.locked(
        base.account(fund, holder, AccountKind.CASH), base.account(fund, to, AccountKind.CASH)
    )
    base.open_after_closing([giving, taking], on)
    base.short(giving, amount)
    posting = base.post(
        actor=actor, fund=fund, kind=PostingKind.ALLOCATION, debit=taking, credit=giving,
        amount=amount, on=on, at=at, summary=summary, voucher=voucher, payee=to.name,
    )  # fmt: skip
    base.audit(actor, posting, holder.area_path, action="funds.allocate", amount=amount, to=to.pk)
    return posting


# Money out -------------------------------------------------------------------------------


# A voucher's scan as uploaded: its name and its bytes.
Scan = uploads.Upload


@dataclass
class Expense(Entry):
    payee: str = ""
    scan: Scan | None = None


def _scan(scan: Scan | None) -> tuple[str, str, bytes] | None:
    """(name, content type, bytes) of a voucher's scan, refused unless it is a PDF, a
    PNG or a JPEG of at most 5 MB."""
    if scan is None:
        return None
    checked = uploads.check(
        scan, field="scan", kinds=(uploads.PDF, *uploads.IMAGES), label=_("凭证附件")
    )
    return checked.name, checked.content_type, checked.content


def expend(
    *, actor: User, fund: Fund, holder: Holder, expense: Expense, now: datetime | None = None
) -> Posting:
    """`do_expend` by someone who keeps the holder's books."""
    access.require_path(actor, Action.FUND_KEEP, holder.area_path)
    return do_expend(actor=actor, fund=fund, holder=holder, expense=expense, now=now)


@transaction.atomic
def do_expend(
    *,
    actor: Actor,
    fund: Fund,
    holder: Holder,
    expense: Expense,
    now: datetime | None = None,
    supplies_movement_id: int | None = None,
) -> Posting:
    """Spend money of the fund: a voucher (its number and, best, its scan), the payee,
    what it was for. From the holder's cash into its spending."""
    at = base.now_or(now)
    base.in_force(fund)
    base.holds(fund, holder)
    amount, on, summary, voucher = _entry(expense, at)
    if not voucher:
        raise ValidationError({"voucher": _("支出须填写凭证号。")})
    payee = base.clean(expense.payee, "payee", _("收款方"), 100, required=True)
    scan = _scan(expense.scan)
    cash, spent = base.locked(
        base.account(fund, holder, AccountKind.CASH), base.account(fund, holder, AccountKind.SPENT)
    )
    base.open_after_closing([cash], on)
    base.short(cash, amount)
    posting = base.post(
        actor=actor, fund=fund, kind=PostingKind.EXPENDITURE, debit=spent, credit=cash,
        amount=amount, on=on, at=at, summary=summary, voucher=voucher, payee=payee,
        supplies_movement_id=supplies_movement_id,
    )  # fmt: skip
    if scan is not None:
        name, content_type, content = scan
        Attachment.objects.create(
            posting=posting, name=name, content_type=content_type, content=content,
            size=len(content),
        )  # fmt: skip
    base.audit(actor, posting, holder.area_path, action="funds.expend", amount=amount, payee=payee)
    return posting


def refundable(expenditure: Posting) -> Decimal:
    """What is left of an expenditure to be refunded."""
    refunded: Decimal = expenditure.refunds.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return expenditure.amount - refunded


def refund(
    *, actor: User, expenditure: Posting, entry: Entry, now: datetime | None = None
) -> Posting:
    """`do_refund` by someone who keeps the spending holder's books."""
    access.require_path(actor, Action.FUND_KEEP, expenditure.credit.area_path)
    return do_refund(actor=actor, expenditure=expenditure, entry=entry, now=now)


@transaction.atomic
def do_refund(
    *, actor: Actor, expenditure: Posting, entry: Entry, now: datetime | None = None
) -> Posting:
    """Money of an expenditure paid back (an overpayment, goods returned): at most what
    is left of it, back into the holder's cash."""
    at = base.now_or(now)
    if expenditure.kind != PostingKind.EXPENDITURE:
        raise ValidationError({"expenditure": _("只有支出可以退回。")})
    fund = expenditure.fund
    base.in_force(fund)
    amount, on, summary, voucher = _entry(entry, at)
    # The expenditure's accounts held first: a second refund of it waits here, then
    # reads what the first left.
    cash, spent = base.locked(expenditure.credit, expenditure.debit)
    if on < expenditure.on:
        raise ValidationError({"on": _("退回日期不能早于支出日期。")})
    left = refundable(expenditure)
    if amount > left:
        raise ValidationError(
            {"amount": _("这笔支出最多还能退回 %(left)s 元。") % {"left": f"{left:,.2f}"}}
        )
    base.open_after_closing([cash], on)
    posting = base.post(
        actor=actor, fund=fund, kind=PostingKind.REFUND, debit=cash, credit=spent,
        amount=amount, on=on, at=at, summary=summary, voucher=voucher,
        payee=expenditure.payee, refund_of=expenditure,
    )  # fmt: skip
    base.audit(
        actor, posting, cash.area_path, action="funds.refund", amount=amount, of=expenditure.pk
    )
    return posting


@dataclass
class Purchase(Expense):
    """An expenditure on supplies that go into a store with it."""

    store: Store | None = None
    item: Item | None = None
    quantity: Decimal | str | int = ""
    lot: str = ""
    expires_on: date | None = None


def purchase(
    *, actor: User, fund: Fund, holder: Holder, purchase: Purchase, now: datetime | None = None
) -> Posting:
    """`do_purchase` by someone who keeps the holder's books and the store."""
    access.require_path(actor, Action.FUND_KEEP, holder.area_path)
    if purchase.store is not None:
        access.require_path(actor, Action.SUPPLY_KEEP, purchase.store.area_path)
    return do_purchase(actor=actor, fund=fund, holder=holder, purchase=purchase, now=now)


@transaction.atomic
def do_purchase(
    *, actor: Actor, fund: Fund, holder: Holder, purchase: Purchase, now: datetime | None = None
) -> Posting:
    """Buy supplies: the expenditure and the store's receipt in one transaction, the
    receipt carrying the voucher, the expenditure the receipt's movement. Either both
    are stored or neither."""
    at = base.now_or(now)
    if purchase.store is None:
        raise ValidationError({"store": _("请选择入库的仓库。")})
    if purchase.item is None:
        raise ValidationError({"item": _("请选择采购的物资。")})
    movement = supplies.do_stock_receive(
        actor=actor,
        store=purchase.store,
        response=fund.response,
        receipt=supplies.Receipt(
            item=purchase.item,
            quantity=purchase.quantity,
            source=ReceiveSource.PURCHASE,
            lot=purchase.lot,
            expires_on=purchase.expires_on,
            voucher=purchase.voucher,
            note=purchase.summary,
        ),
        now=at,
    )
    return do_expend(
        actor=actor, fund=fund, holder=holder, expense=purchase, now=at,
        supplies_movement_id=movement.pk,
    )  # fmt: skip


# Closing a period ----------------------------------------------------------------------


def close(
    *, actor: User, fund: Fund, holder: Holder, through: date, now: datetime | None = None
) -> Closing:
    """`do_close` by someone who keeps the holder's books."""
    access.require_path(actor, Action.FUND_KEEP, holder.area_path)
    return do_close(actor=actor, fund=fund, holder=holder, through=through, now=now)


@transaction.atomic
def do_close(
    *, actor: Actor, fund: Fund, holder: Holder, through: date, now: datetime | None = None
) -> Closing:
    """Close a holder's books of a fund through a day (a month's end, the response's
    end): its statement up to that day is final and nothing more is posted on or before
    it. The balance carried is the sum of the postings through the day."""
    at = base.now_or(now)
    through = base.day(through, at, "through")
    (cash,) = base.locked(base.account(fund, holder, AccountKind.CASH))
    last = cash.closings.order_by("-through").first()
    if last is not None and through <= last.through:
        raise ValidationError(
            {"through": _("已经结账到 %(day)s。") % {"day": last.through.isoformat()}}
        )
    debits = Posting.objects.filter(debit=cash, on__lte=through).aggregate(s=Sum("amount"))["s"]
    credits = Posting.objects.filter(credit=cash, on__lte=through).aggregate(s=Sum("amount"))["s"]
    balance = (debits or Decimal(0)) - (credits or Decimal(0))
    closing = Closing.objects.create(
        account=cash, through=through, balance=balance, closed_at=at, closed_by=account_of(actor)
    )
    base.audit(
        actor, closing, holder.area_path, action="funds.close", through=through, balance=balance
    )
    return closing
