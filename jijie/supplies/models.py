"""Supplies: the items a response needs (masks, suits, thermometers...), the stores
that hold them at any level of the tree, their batches, and the stock-movement ledger.

The ledger (`Movement`) is append-only: every receipt, issue, transfer, adjustment and
write-off is a row that is never changed or deleted, its quantity signed (in > 0, out
< 0). What a store holds of a batch (`Stock`) is a stored figure kept by the same
transaction that appends the movement, so that reading stock is one row, not a sum; a
database check holds it at zero or more, and it always equals the sum of its movements
(`selectors.ledger_disagreements` finds any store where it does not).

Stores and items are kept across responses (a district warehouse outlives an
epidemic); every movement belongs to the response it served. `area_path` is the
store's area's path, copied on each row for scoping without a join.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import Area
from jijie.core.models import BytewiseCharField
from jijie.mobilization.models import Member
from jijie.residents.models import Household
from jijie.responses.models import Response

# A batch with no expiry date is stored as expiring on this day: every batch then has a
# date, first-expiry-first-out sorts it last, and "one batch per item, lot and expiry"
# is a plain unique constraint on both databases (a NULL is distinct from every NULL).
NO_EXPIRY = date(9999, 12, 31)


class ItemCategory(models.TextChoices):
    PROTECTION = "protection", _("防护用品")
    DISINFECTION = "disinfection", _("消杀用品")
    DEVICE = "device", _("医疗器械")
    TESTING = "testing", _("检测用品")
    LIVING = "living", _("生活物资")
    OTHER = "other", _("其他")


class Item(models.Model):
    """A kind of supply, counted one by one (`is_counted`: masks, suits, thermometers)
    or measured (litres of disinfectant, kilograms of rice)."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    category = models.CharField(_("类别"), max_length=16, choices=ItemCategory.choices)
    unit = models.CharField(_("单位"), max_length=8)
    is_counted = models.BooleanField(_("按件计数"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("物资")
        verbose_name_plural = _("物资")

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    """A place that holds supplies: a district warehouse, a street's store, a community's
    room. It belongs to its area; whoever keeps supplies over that area keeps it."""

    area = models.ForeignKey(
        Area, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = BytewiseCharField(max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("仓库")
        verbose_name_plural = _("仓库")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="supplies_store_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Batch(models.Model):
    """One lot of an item with its expiry date (`NO_EXPIRY` when it has none)."""

    item = models.ForeignKey(
        Item, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.CharField(_("批号"), max_length=40, blank=True)
    expires_on = models.DateField(_("有效期至"), default=NO_EXPIRY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "lot", "expires_on"], name="supplies_batch_unique"
            ),
        ]

    def __str__(self) -> str:
        expiry = self.expires_on.isoformat() if self.has_expiry else "—"
        return f"{self.lot or '—'} · {expiry}"

    @property
    def has_expiry(self) -> bool:
        return self.expires_on != NO_EXPIRY


class Stock(models.Model):
    """What a store holds of one batch: kept with every movement, never below zero."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="+")
    area_path = BytewiseCharField(max_length=255)
    quantity = models.DecimalField(_("库存"), default=Decimal(0), max_digits=15, decimal_places=3)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("库存")
        verbose_name_plural = _("库存")
        constraints = [
            models.UniqueConstraint(fields=["store", "batch"], name="supplies_stock_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="supplies_stock_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["store", "item"], name="supplies_stock_store_item")]

    def __str__(self) -> str:
        return f"{self.store_id}:{self.batch_id}={self.quantity}"


class MovementKind(models.TextChoices):
    RECEIVE = "receive", _("入库")
    ISSUE = "issue", _("发放")
    TRANSFER_OUT = "transfer_out", _("调出")
    TRANSFER_IN = "transfer_in", _("调入")
    ADJUST = "adjust", _("调整")
    WRITE_OFF = "write_off", _("过期报废")


# The sign each kind's quantity must have (an adjustment may go either way).
INCOMING = (MovementKind.RECEIVE, MovementKind.TRANSFER_IN)
OUTGOING = (MovementKind.ISSUE, MovementKind.TRANSFER_OUT, MovementKind.WRITE_OFF)


class ReceiveSource(models.TextChoices):
    PURCHASE = "purchase", _("采购")
    ALLOCATION = "allocation", _("上级调拨")
    DONATION = "donation", _("捐赠")


class RecipientKind(models.TextChoices):
    POST = "post", _("岗位")
    MEMBER = "member", _("队员")
    HOUSEHOLD = "household", _("住户")
    OTHER = "other", _("其他")


class AdjustReason(models.TextChoices):
    COUNT = "count", _("盘点")
    DAMAGE = "damage", _("损坏")
    LOSS = "loss", _("丢失")
    OTHER = "other", _("其他")


class TransferState(models.TextChoices):
    IN_TRANSIT = "in_transit", _("在途")
    RECEIVED = "received", _("已签收")


class Transfer(models.Model):
    """Supplies sent from one store to another: taken out of the first when sent, in
    transit until the other end confirms receipt, then put into it."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    from_store = models.ForeignKey(
        Store, verbose_name=_("调出仓库"), on_delete=models.PROTECT, related_name="+"
    )
    to_store = models.ForeignKey(
        Store, verbose_name=_("调入仓库"), on_delete=models.PROTECT, related_name="+"
    )
    from_path = BytewiseCharField(max_length=255, db_index=True)
    to_path = BytewiseCharField(max_length=255, db_index=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=TransferState.choices, default=TransferState.IN_TRANSIT
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("调出时间"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("调拨")
        verbose_name_plural = _("调拨")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_store=models.F("to_store")), name="supplies_transfer_two_stores"
            ),
            models.CheckConstraint(
                condition=Q(state="in_transit", received_at__isnull=True)
                | Q(state="received", received_at__isnull=False),
                name="supplies_transfer_received_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_store_id} → {self.to_store_id}"


class StockCount(models.Model):
    """A count (盘点) of a store posted as one adjustment: its movements carry it."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    area_path = BytewiseCharField(max_length=255)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    counted_at = models.DateTimeField(_("盘点时间"))
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("盘点")
        verbose_name_plural = _("盘点")

    def __str__(self) -> str:
        return f"{self.store_id} @ {self.counted_at:%Y-%m-%d %H:%M}"


class AppendOnlyError(Exception):
    """A movement is written once and never changed: correct it with another."""


class Movement(models.Model):
    """One line of the stock ledger: a store's quantity of a batch changed by
    `quantity` (signed), for a response, by someone, for a reason."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="+")
    area_path = BytewiseCharField(max_length=255)
    kind = models.CharField(_("类型"), max_length=12, choices=MovementKind.choices)
    quantity = models.DecimalField(_("数量"), max_digits=15, decimal_places=3)
    # Receipts: where it came from, and the donor of a donation in kind ("" anonymous).
    source = models.CharField(_("来源"), max_length=12, choices=ReceiveSource.choices, blank=True)
    donor = models.CharField(_("捐赠方"), max_length=100, blank=True)
    # Issues: to whom, as a kind and a name read on the ledger (a post, a member, a
    # household's door), and the household or member when it is one.
    recipient_kind = models.CharField(
        _("发放对象"), max_length=12, choices=RecipientKind.choices, blank=True
    )
    recipient = models.CharField(_("领用方"), max_length=100, blank=True)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adjust_reason = models.CharField(
        _("调整原因"), max_length=12, choices=AdjustReason.choices, blank=True
    )
    transfer = models.ForeignKey(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    count = models.ForeignKey(
        StockCount, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    voucher = models.CharField(_("凭证号"), max_length=40, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("出入库记录")
        verbose_name_plural = _("出入库记录")
        indexes = [
            models.Index(fields=["store", "at"], name="supplies_movement_store_at"),
            models.Index(fields=["area_path", "at"], name="supplies_movement_path_at"),
            models.Index(fields=["store", "batch"], name="supplies_movement_store_batch"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=INCOMING, quantity__gt=0)
                | Q(kind__in=OUTGOING, quantity__lt=0)
                | (Q(kind=MovementKind.ADJUST) & ~Q(quantity=0)),
                name="supplies_movement_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError(self.pk)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(self.pk)


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准,待调拨")
    REJECTED = "rejected", _("未批准")
    SENT = "sent", _("已调拨,待签收")
    RECEIVED = "received", _("已签收")
    CANCELLED = "cancelled", _("已撤回")


OPEN_REQUEST_STATES = (RequestState.SUBMITTED, RequestState.APPROVED, RequestState.SENT)


class SupplyRequest(models.Model):
    """A store's request to the level above (a community's to its street, a street's to
    the district) for items, with a reason and the day they are needed by. The level
    above approves it in full or in part (or not), fulfils it by a transfer into the
    requesting store, and the request is done when that store confirms receipt."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(
        Store, verbose_name=_("申请仓库"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = BytewiseCharField(max_length=255, db_index=True)  # the requesting store's
    to_area = models.ForeignKey(
        Area, verbose_name=_("申请对象"), on_delete=models.PROTECT, related_name="+"
    )
    to_path = BytewiseCharField(max_length=255, db_index=True)
    reason = models.CharField(_("申请理由"), max_length=300)
    needed_by = models.DateField(_("需要日期"))
    state = models.CharField(
        _("状态"), max_length=12, choices=RequestState.choices, default=RequestState.SUBMITTED
    )
    created_at = models.DateTimeField(_("申请时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    transfer = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="request"
    )
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("物资申请")
        verbose_name_plural = _("物资申请")
        indexes = [models.Index(fields=["to_path", "state"], name="supplies_request_to_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["sent", "received"], transfer__isnull=False)
                | (~Q(state__in=["sent", "received"]) & Q(transfer__isnull=True)),
                name="supplies_request_sent_has_transfer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} → {self.to_area_id} ({self.state})"


class RequestLine(models.Model):
    """One item of a request: how much was asked for and how much was approved."""

    request = models.ForeignKey(SupplyRequest, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        Item, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("申请数量"), max_digits=15, decimal_places=3)
    approved = models.DecimalField(
        _("批准数量"), max_digits=15, decimal_places=3, null=True, blank=True
    )

    class Meta:
        verbose_name = _("申请明细")
        verbose_name_plural = _("申请明细")
        constraints = [
            models.UniqueConstraint(fields=["request", "item"], name="supplies_request_line_item"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & (
                    Q(approved__isnull=True)
                    | Q(approved__gte=0, approved__lte=models.F("quantity"))
                ),
                name="supplies_request_line_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} × {self.quantity}"


class Threshold(models.Model):
    """The least a store should hold of an item: under it, the store is short, and the
    shortage shows on the pages of the levels above the same day."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(
        Item, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = BytewiseCharField(max_length=255, db_index=True)
    minimum = models.DecimalField(_("最低库存"), max_digits=15, decimal_places=3)

    class Meta:
        verbose_name = _("库存下限")
        verbose_name_plural = _("库存下限")
        constraints = [
            models.UniqueConstraint(fields=["store", "item"], name="supplies_threshold_unique"),
            models.CheckConstraint(condition=Q(minimum__gt=0), name="supplies_threshold_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id}:{self.item_id} ≥ {self.minimum}"
