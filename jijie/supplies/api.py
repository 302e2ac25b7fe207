"""`/api/supplies/...`: the stores in sight and what each holds, batch by batch, for
other systems (the command's dashboard) and phones. Quantities are strings ("12.5"),
never JSON numbers. Read only: stock moves on the pages."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from jijie.areas import access
from jijie.areas.access import Action
from jijie.core import decimals
from jijie.supplies import selectors

router = Router(tags=["supplies"])


class StoreOut(Schema):
    id: int
    name: str
    area_code: str
    area: str


class StockOut(Schema):
    item_id: int
    item: str
    unit: str
    lot: str
    expires_on: date | None
    quantity: str


@router.get("/stores", response=list[StoreOut], summary="Stores in scope")
def store_list(request: HttpRequest) -> list[StoreOut]:
    if not access.scope_paths(request.user, Action.SUPPLY_VIEW):
        raise PermissionDenied(_("您的角色不能查看物资。"))
    return [
        StoreOut(id=s.pk, name=s.name, area_code=s.area.code, area=s.area.name)
        for s in selectors.store_list(actor=request.user)[:500]
    ]


@router.get("/stores/{pk}/stock", response=list[StockOut], summary="A store's stock by batch")
def store_stock(request: HttpRequest, pk: int) -> list[StockOut]:
    store = selectors.store_for(actor=request.user, pk=pk)
    if store is None:
        raise Http404
    return [
        StockOut(
            item_id=row.item_id,
            item=row.item.name,
            unit=row.item.unit,
            lot=row.batch.lot,
            expires_on=row.batch.expires_on if row.batch.has_expiry else None,
            quantity=decimals.plain(row.quantity),
        )
        for row in selectors.stock_of(store)
    ]
