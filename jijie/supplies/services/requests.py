"""Requests up the tree: a store asks the level above for items ("我们社区没有耳温枪"),
the level above approves in full, in part or not at all, fulfils what it approved by a
transfer into the requesting store, and the request is done when that store confirms
receipt (`do_transfer_receive` closes it). Each store sets the least it should hold of
an item (`Threshold`); `selectors.shortages` shows the levels above who is short."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import Actor, account_of
from jijie.core import decimals
from jijie.responses.models import Response
from jijie.supplies.models import (
    Item,
    RequestLine,
    RequestState,
    Store,
    SupplyRequest,
    Threshold,
    Transfer,
)
from jijie.supplies.services.base import Line, _amounts, _audit, _clean, _now, _serving
from jijie.supplies.services.stock import do_transfer_send

if TYPE_CHECKING:
    from jijie.accounts.models import User


@dataclass
class RequestData:
    lines: Iterable[Line]
    reason: str
    needed_by: date


def request_submit(
    *,
    actor: User,
    store: Store,
    response: Response,
    data: RequestData,
    now: datetime | None = None,
) -> SupplyRequest:
    """`do_request_submit` by someone who keeps the requesting store."""
    access.require_path(actor, Action.SUPPLY_KEEP, store.area_path)
    return do_request_submit(actor=actor, store=store, response=response, data=data, now=now)


@transaction.atomic
def do_request_submit(
    *,
    actor: Actor,
    store: Store,
    response: Response,
    data: RequestData,
    now: datetime | None = None,
) -> SupplyRequest:
    """Ask the area above the store's for the lines. Takes no lock."""
    _serving(response, store)
    above = Area.objects.filter(path=store.area_path[: -Area.steplen]).first()
    if above is None or len(store.area_path) <= Area.steplen:
        raise ValidationError({"store": _("这个仓库没有上级可以申请。")})
    amounts = _amounts(data.lines)
    reason = _clean(data.reason, "reason", _("申请理由"), 300, required=True)
    at = _now(now)
    if data.needed_by < timezone.localdate(at):
        raise ValidationError({"needed_by": _("需要日期不能早于今天。")})
    request = SupplyRequest.objects.create(
        response=response,
        store=store,
        area_path=store.area_path,
        to_area=above,
        to_path=above.path,
        reason=reason,
        needed_by=data.needed_by,
        created_at=at,
        created_by=account_of(actor),
    )
    RequestLine.objects.bulk_create(
        RequestLine(request=request, item=item, quantity=amount)
        for item, amount in sorted(amounts.items(), key=lambda pair: pair[0].pk)
    )
    _audit(actor, "supplies.request_submit", request, store, to=above.pk)
    return request


def request_decide(
    *,
    actor: User,
    request: SupplyRequest,
    approved: Mapping[int, Decimal | str | int],
    note: str = "",
    now: datetime | None = None,
) -> SupplyRequest:
    """`do_request_decide` by someone who manages supplies over the area asked."""
    access.require_path(actor, Action.SUPPLY_MANAGE, request.to_path)
    return do_request_decide(actor=actor, request=request, approved=approved, note=note, now=now)


@transaction.atomic
def do_request_decide(
    *,
    actor: Actor,
    request: SupplyRequest,
    approved: Mapping[int, Decimal | str | int],
    note: str = "",
    now: datetime | None = None,
) -> SupplyRequest:
    """Approve each line in full, in part or not at all (`approved`: item id -> the
    quantity; an item left out is approved in full). Nothing approved is a refusal,
    which needs its reason. Whoever asked may not decide. Locks the request."""
    locked = SupplyRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != RequestState.SUBMITTED:
        raise ValidationError({"request": _("这份申请已经审批过了。")})
    decider = account_of(actor)
    if decider is not None and decider.pk == locked.created_by_id:
        raise ValidationError({"request": _("不能审批自己提出的申请。")})
    lines = list(locked.lines.select_related("item").order_by("item_id"))
    unknown = set(approved) - {line.item_id for line in lines}
    if unknown:
        raise ValidationError({"approved": _("批准的物资不在这份申请里。")})
    for line in lines:
        field = f"approved-{line.item_id}"
        amount = decimals.quantity(
            approved.get(line.item_id, line.quantity), whole=line.item.is_counted,
            field=field, label=_("批准数量"), zero=True,
        )  # fmt: skip
        if amount > line.quantity:
            raise ValidationError({field: _("批准数量不能超过申请数量。")})
        line.approved = amount
    cleaned = _clean(note, "note", _("审批意见"), 300)
    refused = not any(line.approved for line in lines)
    if refused and not cleaned:
        raise ValidationError({"note": _("不批准时请写明理由。")})
    RequestLine.objects.bulk_update(lines, ["approved"])
    locked.state = RequestState.REJECTED if refused else RequestState.APPROVED
    locked.decided_at = _now(now)
    locked.decided_by = decider
    locked.decision_note = cleaned
    locked.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    _audit(actor, "supplies.request_decide", locked, locked.store, state=locked.state)
    return locked


def request_fulfil(
    *, actor: User, request: SupplyRequest, source: Store, now: datetime | None = None
) -> Transfer:
    """`do_request_fulfil` by someone who manages supplies over the area asked and keeps
    the source, a store of that area or below it."""
    access.require_path(actor, Action.SUPPLY_MANAGE, request.to_path)
    access.require_path(actor, Action.SUPPLY_KEEP, source.area_path)
    return do_request_fulfil(actor=actor, request=request, source=source, now=now)


@transaction.atomic
def do_request_fulfil(
    *, actor: Actor, request: SupplyRequest, source: Store, now: datetime | None = None
) -> Transfer:
    """Send what was approved from `source` to the requesting store, in transit until
    it confirms receipt. Locks the request, then the source's stock."""
    locked = SupplyRequest.objects.select_for_update().select_related("store").get(pk=request.pk)
    if locked.state != RequestState.APPROVED:
        raise ValidationError({"request": _("只有已批准、尚未调拨的申请可以调拨。")})
    if not source.area_path.startswith(locked.to_path):
        raise ValidationError({"source": _("请从本级或下级的仓库调拨。")})
    lines = [
        Line(line.item, line.approved)
        for line in locked.lines.select_related("item").order_by("item_id")
        if line.approved
    ]
    transfer = do_transfer_send(
        actor=actor, source=source, destination=locked.store, response=locked.response,
        lines=lines, note=_("物资申请 #%(n)s") % {"n": locked.pk}, now=now,
    )  # fmt: skip
    locked.transfer = transfer
    locked.state = RequestState.SENT
    locked.save(update_fields=["transfer", "state"])
    _audit(actor, "supplies.request_fulfil", locked, source, transfer=transfer.pk)
    return transfer


def request_cancel(*, actor: User, request: SupplyRequest) -> SupplyRequest:
    """`do_request_cancel` by someone who keeps the requesting store."""
    access.require_path(actor, Action.SUPPLY_KEEP, request.area_path)
    return do_request_cancel(actor=actor, request=request)


@transaction.atomic
def do_request_cancel(*, actor: Actor, request: SupplyRequest) -> SupplyRequest:
    """Withdraw a request nothing has been sent for yet. Locks the request."""
    locked = SupplyRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state not in (RequestState.SUBMITTED, RequestState.APPROVED):
        raise ValidationError({"request": _("已经调拨或办结的申请不能撤回。")})
    locked.state = RequestState.CANCELLED
    locked.save(update_fields=["state"])
    _audit(actor, "supplies.request_cancel", locked, locked.store)
    return locked


def threshold_set(
    *, actor: User, store: Store, item: Item, minimum: Decimal | str | int | None
) -> Threshold | None:
    """`do_threshold_set` by someone who keeps the store."""
    access.require_path(actor, Action.SUPPLY_KEEP, store.area_path)
    return do_threshold_set(actor=actor, store=store, item=item, minimum=minimum)


@transaction.atomic
def do_threshold_set(
    *, actor: Actor, store: Store, item: Item, minimum: Decimal | str | int | None
) -> Threshold | None:
    """Set (or, with None or "", remove) the least the store should hold of the item."""
    if minimum is None or str(minimum).strip() == "":
        Threshold.objects.filter(store=store, item=item).delete()
        _audit(actor, "supplies.threshold_set", store, store, item=item.pk, minimum="")
        return None
    amount = decimals.quantity(minimum, whole=item.is_counted, field="minimum", label=_("最低库存"))
    threshold, _created = Threshold.objects.update_or_create(
        store=store, item=item, defaults={"minimum": amount, "area_path": store.area_path}
    )
    _audit(actor, "supplies.threshold_set", store, store, item=item.pk, minimum=amount)
    return threshold
