"""Writes of the stock: items and stores set up; stock received, issued, sent between
stores and received at the other end, adjusted, written off when expired, and counted.

Each checked entry takes the signed-in user, checks their role over the store once and
calls its `do_*` write, which trusts what it is given. A write appends to the ledger
and moves the store's stock in one transaction, holding the stock rows it changes
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite's write transactions take the database's
write lock when they begin), so two issues at once never both take the last mask, and
stock never goes below zero: the database's check would refuse it if a bug tried.

Quantities are read by `jijie.core.decimals.quantity` (whole units for an item counted
one by one); free text goes through `jijie.core.text.clean`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.core import decimals
from jijie.mobilization.models import Member
from jijie.residents.models import Household
from jijie.responses.models import Response
from jijie.supplies.models import (
    AdjustReason,
    Batch,
    Item,
    ItemCategory,
    Movement,
    MovementKind,
    ReceiveSource,
    RecipientKind,
    RequestState,
    Stock,
    StockCount,
    Store,
    SupplyRequest,
    Transfer,
    TransferState,
)
from jijie.supplies.services.base import (
    Line,
    _amounts,
    _audit,
    _batch,
    _choice,
    _clean,
    _locked_stock,
    _move,
    _now,
    _serving,
    _shown,
    _take,
)

if TYPE_CHECKING:
    from jijie.accounts.models import User


# Items and stores --------------------------------------------------------------------


@dataclass
class ItemData:
    name: str
    category: str
    unit: str
    is_counted: bool = True


def item_create(*, actor: User, data: ItemData) -> Item:
    """`do_item_create` by someone who manages supplies over a whole district or city:
    the catalogue is shared by every store."""
    if not any(len(p) <= 2 * Area.steplen for p in access.scope_paths(actor, Action.SUPPLY_MANAGE)):
        raise PermissionDenied(_("只有区、市一级可以新增物资品种。"))
    return do_item_create(actor=actor, data=data)


@transaction.atomic
def do_item_create(*, actor: Actor, data: ItemData) -> Item:
    name = _clean(data.name, "name", _("名称"), 60, required=True)
    unit = _clean(data.unit, "unit", _("单位"), 8, required=True)
    _choice(data.category, ItemCategory.values, "category")
    if Item.objects.filter(name=name).exists():
        raise ValidationError({"name": _("已有名为“%(name)s”的物资。") % {"name": name}})
    item = Item.objects.create(
        name=name, category=data.category, unit=unit, is_counted=data.is_counted
    )
    audit_record(actor=actor, action="supplies.item_create", target=item)
    return item


def store_create(*, actor: User, area: Area, name: str) -> Store:
    """`do_store_create` by someone who manages supplies over `area`."""
    access.require(actor, Action.SUPPLY_MANAGE, area)
    return do_store_create(actor=actor, area=area, name=name)


@transaction.atomic
def do_store_create(*, actor: Actor, area: Area, name: str) -> Store:
    cleaned = _clean(name, "name", _("名称"), 60, required=True)
    if Store.objects.filter(area=area, name=cleaned).exists():
        raise ValidationError({"name": _("这里已有名为“%(name)s”的仓库。") % {"name": cleaned}})
    store = Store.objects.create(area=area, area_path=area.path, name=cleaned)
    audit_record(actor=actor, action="supplies.store_create", target=store, area=area)
    return store


# Receiving ----------------------------------------------------------------------------


@dataclass
class Receipt:
    item: Item
    quantity: Decimal | str | int
    source: str
    donor: str = ""
    lot: str = ""
    expires_on: date | None = None
    voucher: str = ""
    note: str = ""


def stock_receive(
    *, actor: User, store: Store, response: Response, receipt: Receipt, now: datetime | None = None
) -> Movement:
    """`do_stock_receive` by someone who keeps the store."""
    access.require_path(actor, Action.SUPPLY_KEEP, store.area_path)
    return do_stock_receive(actor=actor, store=store, response=response, receipt=receipt, now=now)


@transaction.atomic
def do_stock_receive(
    *,
    actor: Actor,
    store: Store,
    response: Response,
    receipt: Receipt,
    now: datetime | None = None,
) -> Movement:
    """Put a receipt into the store: bought, allocated from above, or donated in kind
    (with its donor, or none when the donor asked not to be named). Locks the store's
    stock of the batch."""
    _serving(response, store)
    amount = decimals.quantity(receipt.quantity, whole=receipt.item.is_counted)
    _choice(receipt.source, ReceiveSource.values, "source")
    donor = _clean(receipt.donor, "donor", _("捐赠方"), 100)
    if donor and receipt.source != ReceiveSource.DONATION:
        raise ValidationError({"donor": _("只有捐赠才填写捐赠方。")})
    lot = _clean(receipt.lot, "lot", _("批号"), 40)
    voucher = _clean(receipt.voucher, "voucher", _("凭证号"), 40)
    note = _clean(receipt.note, "note", _("说明"), 200)
    at = _now(now)
    stock = _locked_stock(store, _batch(receipt.item, lot, receipt.expires_on))
    movement = _move(
        actor=actor, response=response, store=store, stock=stock, kind=MovementKind.RECEIVE,
        change=amount, at=at, source=receipt.source, donor=donor, voucher=voucher, note=note,
    )  # fmt: skip
    _audit(actor, "supplies.receive", movement, store, quantity=amount, item=receipt.item.pk)
    return movement


# Taking out: issue, transfer, write-off ---------------------------------------------


@dataclass
class Issue:
    item: Item
    quantity: Decimal | str | int
    recipient_kind: str
    recipient: str = ""  # a post's or a person's name as the ledger reads it
    household: Household | None = None
    member: Member | None = None
    voucher: str = ""
    note: str = ""


def stock_issue(
    *, actor: User, store: Store, response: Response, issue: Issue, now: datetime | None = None
) -> list[Movement]:
    """`do_stock_issue` by someone who keeps the store; a household it is issued to must
    be in the actor's sight."""
    access.require_path(actor, Action.SUPPLY_KEEP, store.area_path)
    if issue.household is not None:
        access.require_path(actor, Action.RESIDENT_VIEW, issue.household.area_path)
    return do_stock_issue(actor=actor, store=store, response=response, issue=issue, now=now)


@transaction.atomic
def do_stock_issue(
    *, actor: Actor, store: Store, response: Response, issue: Issue, now: datetime | None = None
) -> list[Movement]:
    """Issue an item to a post, a member, a household or someone else, first expiry
    first: one movement per batch it comes out of. Locks the store's stock of the
    item."""
    _serving(response, store)
    amount = decimals.quantity(issue.quantity, whole=issue.item.is_counted)
    _choice(issue.recipient_kind, RecipientKind.values, "recipient_kind")
    recipient = _clean(issue.recipient, "recipient", _("领用方"), 100)
    if issue.recipient_kind == RecipientKind.HOUSEHOLD:
        if issue.household is None:
            raise ValidationError({"household": _("请选择领用的住户。")})
        recipient = recipient or str(issue.household)
    elif issue.recipient_kind == RecipientKind.MEMBER:
        if issue.member is None:
            raise ValidationError({"member": _("请选择领用的队员。")})
        recipient = recipient or issue.member.name
    elif not recipient:
        raise ValidationError({"recipient": _("请填写领用方。")})
    voucher = _clean(issue.voucher, "voucher", _("凭证号"), 40)
    note = _clean(issue.note, "note", _("说明"), 200)
    at = _now(now)
    movements = [
        _move(
            actor=actor,
            response=response,
            store=store,
            stock=stock,
            kind=MovementKind.ISSUE,
            change=-part,
            at=at,
            recipient_kind=issue.recipient_kind,
            recipient=recipient,
            household=issue.household,
            member=issue.member,
            voucher=voucher,
            note=note,
        )
        for stock, part in _take(store, issue.item, amount, timezone.localdate(at))
    ]
    _audit(actor, "supplies.issue", movements[0], store, quantity=amount, item=issue.item.pk)
    return movements


def may_send_to(actor: User, source: Store, destination: Store) -> bool:
    """A store keeper sends to the stores they keep or that lie below them, and back up
    to a store above their own."""
    return access.may_path(actor, Action.SUPPLY_KEEP, destination.area_path) or (
        source.area_path.startswith(destination.area_path)
    )


def transfer_send(
    *,
    actor: User,
    source: Store,
    destination: Store,
    response: Response,
    lines: Iterable[Line],
    note: str = "",
    now: datetime | None = None,
) -> Transfer:
    """`do_transfer_send` by someone who keeps the source, to a store they may send to."""
    access.require_path(actor, Action.SUPPLY_KEEP, source.area_path)
    if not may_send_to(actor, source, destination):
        raise PermissionDenied(_("不能向这个仓库调拨。"))
    return do_transfer_send(
        actor=actor, source=source, destination=destination, response=response,
        lines=lines, note=note, now=now,
    )  # fmt: skip


@transaction.atomic
def do_transfer_send(
    *,
    actor: Actor,
    source: Store,
    destination: Store,
    response: Response,
    lines: Iterable[Line],
    note: str = "",
    now: datetime | None = None,
) -> Transfer:
    """Take the lines out of the source (first expiry first) and put them in transit to
    the destination, which confirms receipt (`do_transfer_receive`). Locks the source's
    stock of each item."""
    _serving(response, source)
    _serving(response, destination)
    if source.pk == destination.pk:
        raise ValidationError({"destination": _("调入仓库不能是调出仓库本身。")})
    amounts = _amounts(lines)
    at = _now(now)
    transfer = Transfer.objects.create(
        response=response,
        from_store=source,
        to_store=destination,
        from_path=source.area_path,
        to_path=destination.area_path,
        note=_clean(note, "note", _("说明"), 200),
        sent_at=at,
        sent_by=account_of(actor),
    )
    today = timezone.localdate(at)
    # Items in a fixed order, so that two transfers out of one store lock alike.
    for item in sorted(amounts, key=lambda i: i.pk):
        for stock, part in _take(source, item, amounts[item], today):
            _move(
                actor=actor, response=response, store=source, stock=stock,
                kind=MovementKind.TRANSFER_OUT, change=-part, at=at, transfer=transfer,
                recipient=destination.name,
            )  # fmt: skip
    _audit(actor, "supplies.transfer_send", transfer, source, to=destination.pk)
    return transfer


def transfer_receive(*, actor: User, transfer: Transfer, now: datetime | None = None) -> Transfer:
    """`do_transfer_receive` by someone who keeps the destination."""
    access.require_path(actor, Action.SUPPLY_KEEP, transfer.to_path)
    return do_transfer_receive(actor=actor, transfer=transfer, now=now)


@transaction.atomic
def do_transfer_receive(
    *, actor: Actor, transfer: Transfer, now: datetime | None = None
) -> Transfer:
    """Confirm a transfer's receipt: what left the source goes into the destination,
    batch by batch. Locks the transfer, so that it is received once however often
    it is confirmed."""
    locked = Transfer.objects.select_for_update().select_related("to_store").get(pk=transfer.pk)
    if locked.state != TransferState.IN_TRANSIT:
        raise ValidationError({"transfer": _("这次调拨已经签收过了。")})
    at = _now(now)
    destination = locked.to_store
    sent = Movement.objects.filter(transfer=locked, kind=MovementKind.TRANSFER_OUT).select_related(
        "batch", "store"
    )
    for out in sorted(sent, key=lambda m: m.batch_id):
        stock = _locked_stock(destination, out.batch)
        _move(
            actor=actor, response=locked.response, store=destination, stock=stock,
            kind=MovementKind.TRANSFER_IN, change=-out.quantity, at=at, transfer=locked,
            source=ReceiveSource.ALLOCATION, donor="", recipient=out.store.name,
        )  # fmt: skip
    locked.state = TransferState.RECEIVED
    locked.received_at = at
    locked.received_by = account_of(actor)
    locked.save(update_fields=["state", "received_at", "received_by"])
    # A transfer that fulfilled a request closes it.
    SupplyRequest.objects.filter(transfer=locked).update(
        state=RequestState.RECEIVED, received_at=at
    )
    _audit(actor, "supplies.transfer_receive", locked, destination)
    transfer.state, transfer.received_at = locked.state, locked.received_at
    return locked


# Correcting: adjustments, write-offs, counts --------------------------------------------


@dataclass
class Adjustment:
    batch: Batch
    quantity: Decimal | str | int
    reason: str
    increase: bool = False
    note: str = ""


def stock_adjust(
    *,
    actor: User,
    store: Store,
    response: Response,
    adjustment: Adjustment,
    now: datetime | None = None,
) -> Movement:
    """`do_stock_adjust` by someone who keeps the store."""
    access.require_path(actor, Action.SUPPLY_KEEP, store.area_path)
    return do_stock_adjust(
        actor=actor, store=store, response=response, adjustment=adjustment, now=now
    )


@transaction.atomic
def do_stock_adjust(
    *,
    actor: Actor,
    store: Store,
    response: Response,
    adjustment: Adjustment,
    now: datetime | None = None,
) -> Movement:
    """Correct a store's stock of a batch, with the reason and a note saying what
    happened: damaged or lost goods only go down. A count goes through
    `do_stock_count_post`. Locks the stock row."""
    _serving(response, store)
    batch = adjustment.batch
    amount = decimals.quantity(adjustment.quantity, whole=batch.item.is_counted)
    _choice(
        adjustment.reason, [AdjustReason.DAMAGE, AdjustReason.LOSS, AdjustReason.OTHER], "reason"
    )
    if adjustment.increase and adjustment.reason != AdjustReason.OTHER:
        raise ValidationError({"reason": _("损坏或丢失只能减少库存。")})
    note = _clean(adjustment.note, "note", _("说明"), 200, required=True)
    stock = _locked_stock(store, batch)
    if not adjustment.increase and amount > stock.quantity:
        raise ValidationError(
            {
                "quantity": _("调减数量超过了现有库存(%(held)s)。")
                % {"held": _shown(stock.quantity, batch.item)}
            }
        )
    movement = _move(
        actor=actor, response=response, store=store, stock=stock, kind=MovementKind.ADJUST,
        change=amount if adjustment.increase else -amount, at=_now(now),
        adjust_reason=adjustment.reason, note=note,
    )  # fmt: skip
    _audit(actor, "supplies.adjust", movement, store, quantity=movement.quantity)
    return movement


def stock_write_off(
    *, actor: User, store: Store, response: Response, batch: Batch, now: datetime | None = None
) -> Movement:
    """`do_stock_write_off` by someone who keeps the store."""
    access.require_path(actor, Action.SUPPLY_KEEP, store.area_path)
    return do_stock_write_off(actor=actor, store=store, response=response, batch=batch, now=now)


@transaction.atomic
def do_stock_write_off(
    *, actor: Actor, store: Store, response: Response, batch: Batch, now: datetime | None = None
) -> Movement:
    """Write off what the store holds of an expired batch. Locks the stock row."""
    _serving(response, store)
    at = _now(now)
    if batch.expires_on >= timezone.localdate(at):
        raise ValidationError({"batch": _("这一批次还没有过期,不能报废。")})
    stock = _locked_stock(store, batch)
    if not stock.quantity:
        raise ValidationError({"batch": _("这个仓库没有这一批次的库存。")})
    movement = _move(
        actor=actor, response=response, store=store, stock=stock,
        kind=MovementKind.WRITE_OFF, change=-stock.quantity, at=at,
    )  # fmt: skip
    _audit(actor, "supplies.write_off", movement, store, quantity=movement.quantity)
    return movement


@dataclass
class Count:
    """What is on the shelf: a quantity per batch of the store's stock, as counted."""

    counted: Mapping[int, Decimal | str] = field(default_factory=dict)  # batch id -> quantity
    note: str = ""


def stock_count_post(
    *, actor: User, store: Store, response: Response, count: Count, now: datetime | None = None
) -> StockCount:
    """`do_stock_count_post` by someone who keeps the store."""
    access.require_path(actor, Action.SUPPLY_KEEP, store.area_path)
    return do_stock_count_post(actor=actor, store=store, response=response, count=count, now=now)


@transaction.atomic
def do_stock_count_post(
    *, actor: Actor, store: Store, response: Response, count: Count, now: datetime | None = None
) -> StockCount:
    """Post a count (盘点) as one adjustment: a movement for each batch whose counted
    quantity differs from the stock, all carried by the count. A batch not counted is
    left as it is; a count that agrees everywhere is kept as a record with no movement.
    Locks the store's stock rows that were counted."""
    _serving(response, store)
    stocks = {
        s.batch_id: s
        for s in Stock.objects.select_for_update(of=("self",))
        .filter(store=store, batch_id__in=list(count.counted))
        .select_related("item")
        .order_by("batch_id")
    }
    counted: dict[int, Decimal] = {}
    for batch_id, raw in count.counted.items():
        stock = stocks.get(batch_id)
        if stock is None:
            raise ValidationError({f"batch-{batch_id}": _("这个仓库没有这一批次。")})
        counted[batch_id] = decimals.quantity(
            raw, whole=stock.item.is_counted, field=f"batch-{batch_id}", label=_("实盘数量"),
            zero=True,
        )  # fmt: skip
    at = _now(now)
    record = StockCount.objects.create(
        response=response,
        store=store,
        area_path=store.area_path,
        note=_clean(count.note, "note", _("说明"), 200),
        counted_at=at,
        counted_by=account_of(actor),
    )
    for batch_id in sorted(counted):
        stock = stocks[batch_id]
        variance = counted[batch_id] - stock.quantity
        if variance:
            _move(
                actor=actor, response=response, store=store, stock=stock,
                kind=MovementKind.ADJUST, change=variance, at=at, count=record,
                adjust_reason=AdjustReason.COUNT,
            )  # fmt: skip
    _audit(actor, "supplies.count", record, store, batches=len(counted))
    return record
