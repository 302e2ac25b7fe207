from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import Area, Compound
from jijie.residents.models import Household
from jijie.responses.models import Response


class GateKind(models.TextChoices):
    COMPOUND = "compound", _("小区出入口")
    VILLAGE = "village", _("村口")
    ROAD = "road", _("路口")


class Gate(models.Model):
    """A gate of a compound or a checkpoint at a village entrance or a road. It belongs
    to a community or village; `area_path` is that area's path, for scoping."""

    area = models.ForeignKey(
        Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="gates"
    )
    area_path = models.CharField(max_length=255, db_index=True)
    compound = models.ForeignKey(
        Compound,
        verbose_name=_("小区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gates",
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=GateKind.choices)
    # Opening hours; both empty means always open.
    opens_at = models.TimeField(_("开放时间"), null=True, blank=True)
    closes_at = models.TimeField(_("关闭时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("卡口")
        verbose_name_plural = _("卡口")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="gate_unique_name"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True, closes_at__isnull=True)
                | Q(opens_at__isnull=False, closes_at__isnull=False),
                name="gate_hours_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GateRule(models.Model):
    """What a gate checks during one response."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="gate_rules")
    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="rules")
    temperature_limit = models.DecimalField(
        _("体温上限(℃)"), max_digits=3, decimal_places=1, default=37.3
    )
    # A negative test certificate no older than this many hours; empty: not required.
    certificate_hours = models.PositiveIntegerField(_("核酸证明时限(小时)"), null=True, blank=True)
    vehicles_allowed = models.BooleanField(_("允许车辆"), default=True)
    visitors_allowed = models.BooleanField(_("允许访客"), default=False)
    # A household may go out this many times per period (e.g. 1 per 2 days); empty: free.
    outings_limit = models.PositiveIntegerField(_("外出次数上限"), null=True, blank=True)
    outings_period_days = models.PositiveIntegerField(_("外出次数周期(天)"), default=1)
    # Who went out and has not come back by this time is on the curfew list.
    curfew_at = models.TimeField(_("返回时限"), null=True, blank=True)

    class Meta:
        verbose_name = _("卡口规则")
        verbose_name_plural = _("卡口规则")
        constraints = [
            models.UniqueConstraint(fields=["response", "gate"], name="gate_rule_once"),
            models.CheckConstraint(
                condition=Q(outings_period_days__gte=1), name="gate_rule_period_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gate} · {self.response}"


class PassStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    REVOKED = "revoked", _("已作废")
    REPLACED = "replaced", _("已换发")


class Pass(models.Model):
    """A pass (通行证) of a household for a response. Its QR code is a signed token
    (`jijie.gates.signing`) carrying only numbers: no name, ID number or phone."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="passes")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="passes")
    area_path = models.CharField(max_length=255, db_index=True)
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("失效时间"))
    # How many times a day the household may go out on this pass; 0: as the gate says.
    outings_per_day = models.PositiveSmallIntegerField(_("每日外出次数"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=PassStatus.choices, default=PassStatus.ACTIVE
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("通行证")
        verbose_name_plural = _("通行证")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "household"],
                condition=Q(status="active"),
                name="pass_one_active_per_household",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("valid_from")), name="pass_valid_period"
            ),
            models.CheckConstraint(
                condition=Q(status="active", revoked_at__isnull=True)
                | (~Q(status="active") & Q(revoked_at__isnull=False)),
                name="pass_revoked_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"No.{self.pk}"


class Direction(models.TextChoices):
    IN = "in", _("进")
    OUT = "out", _("出")


class Standing(models.TextChoices):
    """What the testing ledger says of a household coming in (`proofs`)."""

    VALID = "valid", _("全户阴性")
    PARTIAL = "partial", _("部分成员阴性")
    PENDING = "pending", _("结果未出")
    NONE = "none", _("无有效结果")


class Scan(models.Model):
    """One passage at a gate, as the guard's phone recorded it. `client_id` is the
    phone's id for the scan: a replay of the same scan is stored once. `body_hash`
    tells a replay from a different scan that reuses an id."""

    client_id = models.UUIDField(unique=True)
    body_hash = models.CharField(max_length=64)
    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="scans")
    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255)
    pass_ref = models.ForeignKey(
        Pass, null=True, blank=True, on_delete=models.PROTECT, related_name="scans"
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices)
    temperature = models.DecimalField(
        _("体温"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    certificate_checked = models.BooleanField(_("已查验核酸证明"), default=False)
    # The ledger's standing of the household when its rule asked for a negative result
    # and a ledger was there to ask; blank otherwise.
    proof = models.CharField(_("核酸台账"), max_length=8, choices=Standing.choices, blank=True)
    vehicle_plate = models.CharField(_("车牌"), max_length=16, blank=True)
    vehicle_disinfected = models.BooleanField(_("车辆已消毒"), default=False)
    visitor_name = models.CharField(_("访客姓名"), max_length=50, blank=True)
    visitor_visiting = models.CharField(_("拜访对象"), max_length=100, blank=True)
    visitor_reason = models.CharField(_("来访事由"), max_length=200, blank=True)
    is_allowed = models.BooleanField(_("放行"))
    reason = models.CharField(max_length=32, blank=True)
    message = models.CharField(_("原因"), max_length=200, blank=True)
    device_at = models.DateTimeField(_("扫码时间"))
    received_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("出入记录")
        verbose_name_plural = _("出入记录")
        indexes = [
            models.Index(fields=["gate", "device_at"], name="scan_gate_time"),
            models.Index(fields=["household", "device_at"], name="scan_household_time"),
        ]

    def __str__(self) -> str:
        return str(self.client_id)
