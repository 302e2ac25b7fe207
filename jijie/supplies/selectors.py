"""Reads of supplies: the stores a user may see, what a store holds, its movements,
transfers on their way, and a check that every stock figure equals its ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BigIntegerField, F, QuerySet, Sum
from django.db.models.functions import Cast, Round

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.core import decimals
from jijie.core.models import prefix_upper_bound
from jijie.supplies.models import (
    OPEN_REQUEST_STATES,
    Batch,
    Item,
    Movement,
    RequestState,
    Stock,
    Store,
    SupplyRequest,
    Threshold,
    Transfer,
    TransferState,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User


def exact_sum(field: str = "quantity") -> Sum:
    """The sum of a quantity column, exact on both databases: PostgreSQL sums numerics
    exactly; SQLite sums decimals in floating point (0.159 - 0.026 - 0.127 came to
    0.00600000000000001), so there it sums integer thousandths. `summed` reads it."""
    if connection.vendor == "postgresql":
        return Sum(field)
    return Sum(Cast(Round(F(field) * 1000), BigIntegerField()))


def summed(total: Decimal | int | None) -> Decimal:
    """A sum of `exact_sum` as a Decimal."""
    if total is None:
        return Decimal(0)
    if isinstance(total, Decimal):
        return total
    return Decimal(total).scaleb(-3)


def store_list(
    *, actor: User | AnonymousUser, action: Action = Action.SUPPLY_VIEW
) -> QuerySet[Store]:
    """The stores under the areas where `actor` may see supplies (or do `action`)."""
    return access.scoped(
        Store.objects.select_related("area"), actor, action, path_field="area_path"
    ).order_by("area_path", "name")


def destinations(*, actor: User | AnonymousUser, source: Store) -> QuerySet[Store]:
    """The stores `actor` may send to from `source`: those they keep, and those above
    the source's area (returned up the tree)."""
    step = Area.steplen
    above = [source.area_path[:end] for end in range(step, len(source.area_path), step)]
    kept = access.scoped(Store.objects.all(), actor, Action.SUPPLY_KEEP, path_field="area_path")
    return (
        (kept | Store.objects.filter(area_path__in=above))
        .exclude(pk=source.pk)
        .select_related("area")
        .order_by("area_path", "name")
    )


def store_for(*, actor: User | AnonymousUser, pk: int) -> Store | None:
    """One store the actor may see (None when missing or out of sight: the boundary
    answers 404 alike)."""
    return store_list(actor=actor).filter(pk=pk).first()


def stock_of(store: Store) -> QuerySet[Stock]:
    """The store's stock, batch by batch, first expiry first within an item."""
    return (
        Stock.objects.filter(store=store, quantity__gt=0)
        .select_related("item", "batch")
        .order_by("item__category", "item__name", "batch__expires_on", "batch_id")
    )


def batch_held(store: Store, batch: Batch) -> Decimal:
    """What the store holds of one batch (zero when it holds none)."""
    row = Stock.objects.filter(store=store, batch=batch).values_list("quantity", flat=True).first()
    return row if row is not None else Decimal(0)


def balances_under(path: str) -> dict[tuple[int, int], Decimal]:
    """What every store under `path` holds of each item ((store id, item id) ->
    quantity), the caller having resolved the area with the actor's right to see it.

    The command's page reads it for a whole district: one grouped read of the kept
    stock rows (a few thousand), written as SQL from the model's names because the
    ORM's building of the query cost as much again as running it (1.84 ms against
    0.99 at the seed district's 1,377 rows, bench/ledger.py). The prefix is an index
    range, which serves both databases; SQLite sums integer thousandths (`exact_sum`)."""
    quote = connection.ops.quote_name
    table = quote(Stock._meta.db_table)
    fields = Stock._meta
    store = quote(fields.get_field("store").column)
    item = quote(fields.get_field("item").column)
    quantity = quote(fields.get_field("quantity").column)
    area = quote(fields.get_field("area_path").column)
    total = (
        f"SUM({quantity})"
        if connection.vendor == "postgresql"
        else f"SUM(CAST(ROUND({quantity} * 1000) AS INTEGER))"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {store}, {item}, {total} FROM {table}"  # noqa: S608 - the model's names
            f" WHERE {area} >= %s AND {area} < %s AND {quantity} > 0"
            f" GROUP BY {store}, {item}",
            [path, prefix_upper_bound(path)],
        )
        return {(s, i): summed(held) for s, i, held in cursor.fetchall()}


def holdings(
    stores: list[Store], paths: list[str]
) -> list[tuple[Store, list[tuple[Item, Decimal]]]]:
    """Each of `stores` with what it holds of each item (by item name), read once for
    every store under `paths` (the user's areas)."""
    held: dict[int, list[tuple[int, Decimal]]] = {}
    for path in paths:
        for (store, item), quantity in balances_under(path).items():
            held.setdefault(store, []).append((item, quantity))
    items = Item.objects.in_bulk({item for rows in held.values() for item, _q in rows})
    return [
        (
            store,
            sorted(
                ((items[item], q) for item, q in held.get(store.pk, [])),
                key=lambda pair: pair[0].name,
            ),
        )
        for store in stores
    ]


def balances(store: Store) -> dict[int, Decimal]:
    """What the store holds of each item (item id -> quantity), over its batches."""
    rows = (
        Stock.objects.filter(store=store, quantity__gt=0)
        .values("item_id")
        .annotate(held=exact_sum())
        .values_list("item_id", "held")
    )
    return {item: summed(held) for item, held in rows}


def movements_of(store: Store) -> QuerySet[Movement]:
    """The store's ledger, newest first."""
    return (
        Movement.objects.filter(store=store).select_related("item", "batch").order_by("-at", "-pk")
    )


def in_transit_to(store: Store) -> QuerySet[Transfer]:
    """Transfers sent to the store and not yet received."""
    return Transfer.objects.filter(to_store=store, state=TransferState.IN_TRANSIT).order_by(
        "sent_at", "pk"
    )


def ledger_disagreements(store: Store | None = None) -> list[tuple[int, int, Decimal, Decimal]]:
    """Every (store, batch, stock, ledger sum) where the kept stock is not the sum of
    the movements: empty, always, unless something wrote around the services."""
    stocks = Stock.objects.all() if store is None else Stock.objects.filter(store=store)
    movements = Movement.objects.all() if store is None else Movement.objects.filter(store=store)
    kept = {(s, b): q for s, b, q in stocks.values_list("store_id", "batch_id", "quantity")}
    totals = {
        (s, b): summed(q)
        for s, b, q in movements.values("store_id", "batch_id")
        .annotate(total=exact_sum())
        .values_list("store_id", "batch_id", "total")
    }
    return [
        (s, b, kept.get((s, b), Decimal(0)), totals.get((s, b), Decimal(0)))
        for s, b in sorted(kept.keys() | totals.keys())
        if kept.get((s, b), Decimal(0)) != totals.get((s, b), Decimal(0))
    ]


def transfer_to(*, actor: User | AnonymousUser, pk: int) -> Transfer | None:
    """A transfer to a store the actor may see (None when missing or out of sight)."""
    return access.scoped(
        Transfer.objects.filter(pk=pk), actor, Action.SUPPLY_VIEW, path_field="to_path"
    ).first()


def requests_to(*, actor: User | AnonymousUser) -> QuerySet[SupplyRequest]:
    """Requests addressed to an area where `actor` manages supplies, open ones first by
    the day they are needed."""
    return (
        access.scoped(
            SupplyRequest.objects.all(), actor, Action.SUPPLY_MANAGE, path_field="to_path"
        )
        .select_related("store", "to_area")
        .prefetch_related("lines__item")
        .order_by("needed_by", "pk")
    )


def requests_of(store: Store) -> QuerySet[SupplyRequest]:
    """The store's own requests, newest first."""
    return (
        SupplyRequest.objects.filter(store=store)
        .select_related("to_area")
        .prefetch_related("lines__item")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class Shortage:
    store: Store
    item: Item
    held: Decimal
    minimum: Decimal


@dataclass(frozen=True)
class Shortages:
    """What is short under an area: stores under a threshold, and requests still open
    past the day they were needed by."""

    stores: list[Shortage]
    overdue: list[SupplyRequest]


def shortages(path: str, today: date) -> Shortages:
    """Shortages in the subtree at `path` (the caller has resolved the area with the
    actor's right to see its supplies): each threshold's store and item held under its
    minimum, and open requests whose day has passed. A few queries whatever the size."""
    overdue = list(
        overdue_requests(path, today).select_related("store", "to_area").order_by("needed_by", "pk")
    )
    return Shortages(short_stores(path), overdue)


def short_stores(path: str) -> list[Shortage]:
    """Each threshold in the subtree at `path` whose store holds less of its item than
    its minimum, by store and item: two queries whatever the size."""
    thresholds = list(
        Threshold.objects.filter(area_path__startswith=path).select_related("store", "item")
    )
    held: dict[tuple[int, int], Decimal] = {}
    if thresholds:
        rows = (
            Stock.objects.filter(
                area_path__startswith=path,
                store_id__in={t.store_id for t in thresholds},
                quantity__gt=0,
            )
            .values("store_id", "item_id")
            .annotate(total=exact_sum())
            .values_list("store_id", "item_id", "total")
        )
        held = {(s, i): summed(total) for s, i, total in rows}
    short = [
        Shortage(t.store, t.item, held.get((t.store_id, t.item_id), Decimal(0)), t.minimum)
        for t in thresholds
        if held.get((t.store_id, t.item_id), Decimal(0)) < t.minimum
    ]
    short.sort(key=lambda s: (s.store.area_path, s.item.name))
    return short


def overdue_requests(path: str, today: date) -> QuerySet[SupplyRequest]:
    """The requests from the subtree at `path` still open after the day they were
    needed by: a page lists them, home only counts them."""
    return SupplyRequest.objects.filter(
        area_path__startswith=path, state__in=OPEN_REQUEST_STATES, needed_by__lt=today
    )


def waiting_count(user: User | AnonymousUser) -> int:
    """Requests addressed to the user's areas waiting for a decision or a transfer."""
    if not access.scope_paths(user, Action.SUPPLY_MANAGE):
        return 0
    return (
        requests_to(actor=user)
        .filter(state__in=[RequestState.SUBMITTED, RequestState.APPROVED])
        .count()
    )


def arriving(user: User | AnonymousUser) -> QuerySet[Transfer]:
    """Transfers on their way to the stores the user keeps, oldest first."""
    return (
        access.scoped(
            Transfer.objects.filter(state=TransferState.IN_TRANSIT),
            user,
            Action.SUPPLY_KEEP,
            path_field="to_path",
        )
        .select_related("from_store")
        .order_by("sent_at", "pk")
    )


@dataclass(frozen=True)
class Variance:
    stock: Stock
    counted: Decimal | None  # None: what was typed is not a quantity (the post says why)
    difference: Decimal | None


def count_variances(stock: list[Stock], counted: dict[int, str]) -> list[Variance]:
    """What a count would change, batch by batch, before it is posted (only the batches
    counted)."""
    rows = []
    for s in stock:
        typed = counted.get(s.batch_id)
        if typed is None:
            continue
        try:
            value = decimals.quantity(typed, whole=s.item.is_counted, zero=True)
        except ValidationError:
            rows.append(Variance(s, None, None))
            continue
        rows.append(Variance(s, value, value - s.quantity))
    return rows


def nearest_kept_store(user: User | AnonymousUser, path: str) -> Store | None:
    """The store nearest above `path` (its own area first, then up the tree) that the
    user keeps, or None."""
    step = Area.steplen
    above = [path[:end] for end in range(step, len(path) + 1, step)]
    candidates = access.scoped(
        Store.objects.filter(area_path__in=above), user, Action.SUPPLY_KEEP, path_field="area_path"
    )
    return candidates.order_by("-area_path", "pk").first()
