"""What the writes of supplies share: the checks of text, choices and the response;
the stock row held and changed with its movement appended; which batches an amount
comes out of (first expiry first)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas.models import Area
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.core import decimals, text
from jijie.responses.models import Response
from jijie.supplies.models import NO_EXPIRY, Batch, Item, Movement, Stock, Store


def _area(path: str) -> Area:
    return Area(path=path)


def _clean(value: str, field: str, label: str, limit: int, *, required: bool = False) -> str:
    return text.bounded(value, field=field, label=label, limit=limit, required=required)


def _choice(value: str, values: list[str], field: str) -> None:
    if value not in values:
        raise ValidationError({field: _("“%(value)s”不是可选的值。") % {"value": value}})


def _serving(response: Response, store: Store) -> None:
    """A movement belongs to a response in force that covers the store, or that the
    store serves from above (a district warehouse for a street's response)."""
    if not response.is_active:
        raise ValidationError({"response": _("应急响应已经结束,不能再登记出入库。")})
    if not (
        store.area_path.startswith(response.area_path)
        or response.area_path.startswith(store.area_path)
    ):
        raise ValidationError({"response": _("该应急响应不覆盖这个仓库。")})


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _batch(item: Item, lot: str, expires_on: date | None) -> Batch:
    batch, _created = Batch.objects.get_or_create(
        item=item, lot=lot, expires_on=expires_on or NO_EXPIRY
    )
    return batch


def _locked_stock(store: Store, batch: Batch) -> Stock:
    """The store's stock of `batch`, held until the transaction ends; made at zero if
    the store never had it (two receipts making it at once: one makes it, the other
    waits on the unique key and then reads it)."""
    stock, _created = Stock.objects.select_for_update().get_or_create(
        store=store,
        batch=batch,
        defaults={"item_id": batch.item_id, "area_path": store.area_path},
    )
    return stock


def _move(
    *,
    actor: Actor,
    response: Response,
    store: Store,
    stock: Stock,
    kind: str,
    change: Decimal,
    at: datetime,
    **details: Any,
) -> Movement:
    """Change a locked stock row by `change` and append its movement. The callers make
    sure it stays at zero or more; the database's check is the last word."""
    # The new figure is computed here, not as `quantity + change` in SQL: the row is
    # held, and SQLite would add in floating point (0.159 - 0.026 - 0.127 is not 0.006).
    stock.quantity += change
    Stock.objects.filter(pk=stock.pk).update(quantity=stock.quantity, updated_at=at)
    return Movement.objects.create(
        response=response,
        store=store,
        item_id=stock.item_id,
        batch_id=stock.batch_id,
        area_path=store.area_path,
        kind=kind,
        quantity=change,
        at=at,
        actor=account_of(actor),
        actor_label=actor.get_username(),
        **details,
    )


def _audit(actor: Actor, action: str, target: Any, store: Store, **data: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=target,
        area=_area(store.area_path),
        data={k: str(v) for k, v in data.items()},
    )


def _shown(amount: Decimal, item: Item) -> str:
    """A quantity as a person reads it: 12 只, 2.5 升."""
    return f"{decimals.plain(amount)} {item.unit}"


def _take(
    store: Store, item: Item, amount: Decimal, today: date, field: str = "quantity"
) -> list[tuple[Stock, Decimal]]:
    """Which batches `amount` of `item` comes out of, first expiry first (FEFO), with
    their stock rows held: [(stock, how much)]. Expired batches are not issued (they
    are written off). Refused, naming what there is, when the store has too little."""
    # Held in batch order, as every write that holds several rows holds them (a count,
    # a transfer's receipt), so that two writes never wait on each other crosswise;
    # then taken first expiry first.
    held_rows = list(
        Stock.objects.select_for_update(of=("self",))
        .filter(store=store, item=item, quantity__gt=0)
        .select_related("batch")
        .order_by("batch_id")
    )
    stocks = sorted(held_rows, key=lambda s: (s.batch.expires_on, s.batch_id))
    usable = [s for s in stocks if s.batch.expires_on >= today]
    held = sum((s.quantity for s in usable), Decimal(0))
    if held < amount:
        expired = sum((s.quantity for s in stocks if s.batch.expires_on < today), Decimal(0))
        message = _("库存不足:%(store)s现有可用的%(item)s %(held)s。") % {
            "store": store.name,
            "item": item.name,
            "held": _shown(held, item),
        }
        if expired:
            message += _("另有 %(expired)s 已过期,须报废,不能发放。") % {
                "expired": _shown(expired, item)
            }
        raise ValidationError({field: message})
    taken: list[tuple[Stock, Decimal]] = []
    rest = amount
    for stock in usable:
        if not rest:
            break
        part = min(rest, stock.quantity)
        taken.append((stock, part))
        rest -= part
    return taken


@dataclass
class Line:
    item: Item
    quantity: Decimal | str | int


def _amounts(lines: Iterable[Line]) -> dict[Item, Decimal]:
    """The lines' quantities read and added up per item (an item twice is one line);
    refused, naming the line, when one is not a quantity, or when there is none."""
    amounts: dict[Item, Decimal] = {}
    for index, line in enumerate(lines):
        amount = decimals.quantity(
            line.quantity, whole=line.item.is_counted, field=f"lines-{index}-quantity"
        )
        amounts[line.item] = amounts.get(line.item, Decimal(0)) + amount
    if not amounts:
        raise ValidationError({"lines": _("请至少填写一种物资。")})
    return amounts
