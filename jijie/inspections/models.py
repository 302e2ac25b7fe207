"""Inspections (督查, 四不两直): teams of inspectors over the areas they cover, plans that
draw their targets at random and unannounced, the visit recorded against a checklist,
findings with photos and severity, rectification orders with an owner and a deadline,
and the re-inspection that closes or escalates an order.

A target is a compound, a gate, a post on duty, an isolation household or a store
(`TargetKind`); a plan's draw keeps each target as its kind, its id in its own app, its
area's path and the name it had, so that the plan reads as it was drawn. A plan keeps
the candidates and the earlier draws it was drawn from, and its seed: the draw can be
made again for audit (`draws.verify`). Nobody at a target sees a plan; a visit is seen
by the target's community once it is recorded."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jijie.areas.models import Area
from jijie.core.models import BytewiseCharField
from jijie.mobilization.models import Member
from jijie.responses.models import Response


class TargetKind(models.TextChoices):
    COMPOUND = "compound", _("小区")
    GATE = "gate", _("卡口")
    POST = "post", _("值守岗位")
    ISOLATION = "isolation", _("居家隔离户")
    STORE = "store", _("物资仓库")


class Team(models.Model):
    """A 督查组: its inspectors (accounts) and the areas it covers, set up by an office
    over `area`."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        Area, verbose_name=_("设立单位"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = BytewiseCharField(max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=60)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("组员"), related_name="inspection_teams"
    )
    covers = models.ManyToManyField(Area, verbose_name=_("督查范围"), related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督查组")
        verbose_name_plural = _("督查组")
        constraints = [
            models.UniqueConstraint(fields=["response", "name"], name="inspections_team_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One line of a target kind's checklist, kept per response (editable: a line taken
    out is kept for the visits that used it)."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("对象类型"), max_length=12, choices=TargetKind.choices)
    text = models.CharField(_("检查内容"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["kind", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Plan(models.Model):
    """A team's unannounced visits over [starts_on, ends_on]: `size` targets of `kinds`
    drawn from the areas the team covers."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="plans")
    area_path = BytewiseCharField(max_length=255, db_index=True)  # the team's office's
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    kinds = models.JSONField(_("对象类型"))
    size = models.PositiveSmallIntegerField(_("抽查数量"))
    seed = models.BigIntegerField(_("随机种子"))
    # What the draw was made from, so that it can be made again: the candidates' keys
    # ("gate:12") in order, and the keys already drawn in this cycle before it.
    candidates = models.JSONField(default=list)
    drawn_before = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("督查计划")
        verbose_name_plural = _("督查计划")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="inspections_plan_days"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.starts_on}–{self.ends_on}"


class Visit(models.Model):
    """A target drawn by a plan, to be visited on `day`; recorded once (`recorded_at`)
    with its checklist's answers and score."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="visits")
    position = models.PositiveSmallIntegerField()  # the order it was drawn in
    kind = models.CharField(max_length=12, choices=TargetKind.choices)
    ref = models.PositiveIntegerField()  # the target's id in its own app
    label = models.CharField(max_length=200)
    area_path = BytewiseCharField(max_length=255, db_index=True)
    community_path = BytewiseCharField(max_length=255, db_index=True)
    day = models.DateField(_("计划日期"))
    recorded_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answers = models.JSONField(default=dict)  # checklist item id -> "pass" | "fail" | "na"
    score = models.PositiveSmallIntegerField(_("得分"), null=True, blank=True)  # 0..100
    note = models.CharField(_("情况说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("督查点位")
        verbose_name_plural = _("督查点位")
        ordering = ["day", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "ref"], name="inspections_visit_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="inspections_score_100"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ref}"


class Severity(models.TextChoices):
    MINOR = "minor", pgettext_lazy("severity", "一般")
    MAJOR = "major", _("较重")
    CRITICAL = "critical", _("严重")


class FindingKind(models.TextChoices):
    PROBLEM = "problem", _("问题")
    COMMENDATION = "commendation", _("表扬")


class Finding(models.Model):
    """What an inspector saw at a visit: a problem (with its severity, and a
    rectification order) or a commendation; either may name the member on duty, which
    is what their service record takes from inspections."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("类型"), max_length=12, choices=FindingKind.choices)
    severity = models.CharField(_("严重程度"), max_length=8, choices=Severity.choices, blank=True)
    text = models.CharField(_("发现情况"), max_length=300)
    item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("涉及人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("督查发现")
        verbose_name_plural = _("督查发现")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="commendation", severity="")
                | (Q(kind="problem") & ~Q(severity="")),
                name="inspections_problem_has_severity",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Photo(models.Model):
    """A photo of a finding or of a fix, kept in the database, served to its readers."""

    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    order = models.ForeignKey(
        "Order", null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    content = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("督查照片")
        verbose_name_plural = _("督查照片")
        constraints = [
            models.CheckConstraint(
                condition=Q(finding__isnull=True) ^ Q(order__isnull=True),
                name="inspections_photo_of_one",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrderState(models.TextChoices):
    OPEN = "open", _("待整改")
    REPORTED = "reported", _("已整改,待复查")
    CLOSED = "closed", _("复查通过")


class Order(models.Model):
    """A rectification order (整改通知) for a problem found: owned by the office of
    `owner` (the target's community, or above once escalated), due by `due_at`. The
    owner reports the fix; a re-inspection closes it, or escalates it to the level above
    with a new deadline."""

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="order")
    owner = models.ForeignKey(
        Area, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    owner_path = BytewiseCharField(max_length=255, db_index=True)
    area_path = BytewiseCharField(max_length=255, db_index=True)  # the target's
    state = models.CharField(
        _("状态"), max_length=10, choices=OrderState.choices, default=OrderState.OPEN
    )
    due_at = models.DateTimeField(_("整改时限"))
    fix = models.CharField(_("整改情况"), max_length=500, blank=True)
    fixed_at = models.DateTimeField(null=True, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalations = models.PositiveSmallIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")

    def __str__(self) -> str:
        return str(self.finding)


class Recheck(models.Model):
    """A re-inspection of an order after its fix was reported."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="rechecks")
    at = models.DateTimeField()
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_fixed = models.BooleanField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("复查")
        verbose_name_plural = _("复查")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.at:%Y-%m-%d}"
