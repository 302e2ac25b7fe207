"""Writes of donations: a gift recorded with its numbered receipt — money posted to a
fund, goods put into a store through the supplies' receipt, or both — and a receipt
cancelled, which keeps its number and posts the money back out.

Receipt numbers run per receiving holder and year (2020-000001, 2020-000002 …). The
holder's sequence row is held while the next number is taken, so two receipts at once
get two numbers; a cancelled receipt keeps its number, and no number is given twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.audit.actors import Actor, account_of
from jijie.core import decimals
from jijie.funds.models import (
    AccountKind,
    Contribution,
    Donation,
    DonationState,
    DonorKind,
    Fund,
    Holder,
    PostingKind,
    ReceiptSequence,
)
from jijie.funds.services import base
from jijie.responses.models import Response
from jijie.supplies import services as supplies
from jijie.supplies.models import Item, ReceiveSource, Store

if TYPE_CHECKING:
    from jijie.accounts.models import User


@dataclass
class Goods:
    item: Item
    quantity: Decimal | str | int


@dataclass
class DonationData:
    donor_kind: str
    donor: str
    received_on: date | None
    disclose: bool = True
    amount: Decimal | str | int | None = None  # none for a gift in kind only
    fund: Fund | None = None
    goods: list[Goods] = field(default_factory=list)
    store: Store | None = None
    note: str = ""
    # A branch's members' contributions, as checked from their list: [(row, name, amount)].
    contributions: list[tuple[int, str, Decimal]] = field(default_factory=list)


def donation_record(
    *,
    actor: User,
    response: Response,
    holder: Holder,
    data: DonationData,
    now: datetime | None = None,
) -> Donation:
    """`do_donation_record` by someone who keeps the holder's books (and the store, for
    goods)."""
    access.require_path(actor, Action.FUND_KEEP, holder.area_path)
    if data.store is not None:
        access.require_path(actor, Action.SUPPLY_KEEP, data.store.area_path)
    return do_donation_record(actor=actor, response=response, holder=holder, data=data, now=now)


def _next_receipt(holder: Holder, year: int) -> str:
    sequence, _created = ReceiptSequence.objects.select_for_update().get_or_create(
        holder=holder, year=year
    )
    sequence.last += 1
    ReceiptSequence.objects.filter(pk=sequence.pk).update(last=sequence.last)
    return f"{year}-{sequence.last:06d}"


@transaction.atomic
def do_donation_record(
    *,
    actor: Actor,
    response: Response,
    holder: Holder,
    data: DonationData,
    now: datetime | None = None,
) -> Donation:
    """Record a gift and give its receipt a number: money into the fund's source-to-cash
    posting for the holder, goods into the store (their batch's lot is the receipt's
    number, so where they go can be followed)."""
    at = base.now_or(now)
    if not response.is_active:
        raise ValidationError({"response": _("应急响应已经结束,不能再登记捐赠。")})
    if not holder.area_path.startswith(response.area_path):
        raise ValidationError({"holder": _("该应急响应不覆盖这个单位。")})
    base.choice(data.donor_kind, DonorKind.values, "donor_kind")
    donor = base.clean(data.donor, "donor", _("捐赠方"), 100)
    if not donor and data.disclose:
        raise ValidationError({"donor": _("请填写捐赠方;不愿留名的,请勾选“不公示姓名”。")})
    if not donor and data.donor_kind != DonorKind.PERSON:
        raise ValidationError({"donor": _("单位、组织捐赠须填写名称。")})
    on = base.day(data.received_on, at, "received_on")
    note = base.clean(data.note, "note", _("说明"), 200)
    empty = data.amount is None or (isinstance(data.amount, str) and not data.amount.strip())
    amount = None if empty else decimals.money(data.amount)
    if amount is None and not data.goods:
        raise ValidationError({"amount": _("请填写捐款金额或捐赠的物资。")})
    if amount is not None:
        if data.fund is None:
            raise ValidationError({"fund": _("请选择捐款记入的资金。")})
        if data.fund.response_id != response.pk:
            raise ValidationError({"fund": _("这笔资金不属于该应急响应。")})
        base.holds(data.fund, holder)
    if data.contributions:
        for row, _name, part in data.contributions:
            if part <= 0:
                raise ValidationError(
                    {"amount": _("党员捐款明细第 %(row)s 行的金额须大于零。") % {"row": row}}
                )
        total = sum((a for _row, _name, a in data.contributions), Decimal(0))
        if total != amount:
            raise ValidationError({"amount": _("党员捐款明细合计与捐款金额不符。")})
    if data.goods and data.store is None:
        raise ValidationError({"store": _("请选择捐赠物资入库的仓库。")})
    receipt_no = _next_receipt(holder, on.year)
    posting = None
    if amount is not None and data.fund is not None:
        cash, source = base.locked(
            base.account(data.fund, holder, AccountKind.CASH),
            base.account(data.fund, None, AccountKind.SOURCE),
        )
        base.open_after_closing([cash], on, "received_on")
        posting = base.post(
            actor=actor, fund=data.fund, kind=PostingKind.DONATION, debit=cash, credit=source,
            amount=amount, on=on, at=at, voucher=receipt_no,
            summary=_("%(donor)s捐款") % {"donor": donor if data.disclose else _("爱心人士")},
            payee=holder.name,
        )  # fmt: skip
    goods_read = []
    for index, gift in enumerate(data.goods):
        quantity = decimals.quantity(
            gift.quantity, whole=gift.item.is_counted, field=f"goods-{index}-quantity"
        )
        assert data.store is not None
        supplies.do_stock_receive(
            actor=actor,
            store=data.store,
            response=response,
            receipt=supplies.Receipt(
                item=gift.item,
                quantity=quantity,
                source=ReceiveSource.DONATION,
                donor=donor if data.disclose else "",
                lot=receipt_no,
                voucher=receipt_no,
                note=note,
            ),
            now=at,
        )
        goods_read.append(f"{gift.item.name} {decimals.plain(quantity)} {gift.item.unit}")
    donation = Donation.objects.create(
        response=response,
        fund=data.fund if amount is not None else None,
        holder=holder,
        area_path=holder.area_path,
        donor_kind=data.donor_kind,
        donor=donor,
        disclose=data.disclose,
        amount=amount,
        goods=base.clean("、".join(goods_read), "goods", _("捐赠物资"), 200),
        received_on=on,
        receipt_no=receipt_no,
        note=note,
        posting=posting,
        created_at=at,
        created_by=account_of(actor),
    )
    Contribution.objects.bulk_create(
        Contribution(donation=donation, row=row, name=name, amount=part)
        for row, name, part in data.contributions
    )
    base.audit(actor, donation, holder.area_path, action="funds.donation",
        receipt=receipt_no, amount=amount or "", goods=donation.goods,
    )  # fmt: skip
    return donation


def donation_cancel(
    *, actor: User, donation: Donation, reason: str, now: datetime | None = None
) -> Donation:
    """`do_donation_cancel` by someone who keeps the receiving holder's books."""
    access.require_path(actor, Action.FUND_KEEP, donation.area_path)
    return do_donation_cancel(actor=actor, donation=donation, reason=reason, now=now)


@transaction.atomic
def do_donation_cancel(
    *, actor: Actor, donation: Donation, reason: str, now: datetime | None = None
) -> Donation:
    """Cancel a receipt made in error: it keeps its number, marked cancelled with the
    reason, and its money is posted back out of the holder's cash (refused when the
    holder has already passed it on or spent it). Goods in kind are corrected in the
    store, by an adjustment there."""
    at = base.now_or(now)
    why = base.clean(reason, "reason", _("作废原因"), 200, required=True)
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if donation.state == DonationState.CANCELLED:
        raise ValidationError({"reason": _("这张收据已经作废。")})
    cancellation = None
    if donation.posting is not None:
        original = donation.posting
        fund = original.fund
        base.in_force(fund)
        cash, source = base.locked(original.debit, original.credit)
        on = timezone.localdate(at)
        base.open_after_closing([cash], on, "reason")
        base.short(cash, original.amount, "reason")
        cancellation = base.post(
            actor=actor, fund=fund, kind=PostingKind.CANCELLATION, debit=source, credit=cash,
            amount=original.amount, on=on, at=at, voucher=donation.receipt_no,
            summary=_("作废收据 %(no)s:%(reason)s") % {"no": donation.receipt_no, "reason": why},
        )  # fmt: skip
    Donation.objects.filter(pk=donation.pk).update(
        state=DonationState.CANCELLED, cancelled_at=at, cancel_reason=why, cancellation=cancellation
    )
    donation.refresh_from_db()
    base.audit(actor, donation, donation.area_path, action="funds.donation_cancel", reason=why)
    return donation
