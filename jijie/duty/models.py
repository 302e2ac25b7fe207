"""Post types, demands (吹哨), their shifts, participations (报到), notices, and the
rest rules of a response."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import Area
from jijie.duty import rules
from jijie.mobilization.models import Deployment, Member


class PostType(models.Model):
    """A kind of post (卡口值守, 隔离监管, 宣传...) and who may hold it: every skill in
    `required_skills` and, when `allowed_kinds` is not empty, one of those member kinds.
    Both are stored like `Member.skills` (",a,b,"), so a check is a `contains`."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    required_skills = models.CharField(_("所需技能"), max_length=200, blank=True)
    allowed_kinds = models.CharField(_("限定身份"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("岗位类型")
        verbose_name_plural = _("岗位类型")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def skill_list(self) -> list[str]:
        return [code for code in self.required_skills.split(",") if code]

    @property
    def kind_list(self) -> list[str]:
        return [code for code in self.allowed_kinds.split(",") if code]


class DemandStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Demand(models.Model):
    """A community asks for people of a post type at a place (吹哨) for a schedule:
    `shifts_per_day` shifts of `shift_hours` from `first_shift_at` for `days` days, each
    wanting at least `min_per_shift` and at most `max_per_shift` people."""

    community = models.ForeignKey(
        Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    community_path = models.CharField(max_length=255, db_index=True)
    post_type = models.ForeignKey(
        PostType, verbose_name=_("岗位类型"), on_delete=models.PROTECT, related_name="demands"
    )
    place = models.CharField(_("地点"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    days = models.PositiveSmallIntegerField(_("天数"))
    first_shift_at = models.TimeField(_("首班开始"))
    shifts_per_day = models.PositiveSmallIntegerField(_("每天班次"))
    shift_hours = models.PositiveSmallIntegerField(_("每班小时"))
    min_per_shift = models.PositiveSmallIntegerField(_("每班最少"))
    max_per_shift = models.PositiveSmallIntegerField(_("每班最多"))
    status = models.CharField(
        _("状态"), max_length=8, choices=DemandStatus.choices, default=DemandStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("岗位需求")
        verbose_name_plural = _("岗位需求")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_per_shift__gte=F("min_per_shift")) & Q(max_per_shift__gte=1),
                name="demand_per_shift_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post_type} · {self.place}"


class Shift(models.Model):
    """One shift of a demand; its row is locked when a place in it is taken."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="shifts")
    community_path = models.CharField(max_length=255, db_index=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    min_people = models.PositiveSmallIntegerField(_("最少人数"))
    max_people = models.PositiveSmallIntegerField(_("最多人数"))
    leader = models.ForeignKey(
        Member,
        verbose_name=_("班长"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The secret printed as the QR code at the post for this shift's check-in.
    check_in_token = models.CharField(max_length=32, unique=True, editable=False)

    class Meta:
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand} · {self.starts_at:%Y-%m-%d %H:%M}"


class ParticipationStatus(models.TextChoices):
    REQUESTED = "requested", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("未确认")
    CANCELLED = "cancelled", _("已取消")


# A participation holding a place in its shift.
HOLDING = (ParticipationStatus.REQUESTED, ParticipationStatus.CONFIRMED)


class ParticipationSource(models.TextChoices):
    CLAIMED = "claimed", _("本人报到")
    ASSIGNED = "assigned", _("社区指派")
    PROPOSED = "proposed", _("排班建议")


class Participation(models.Model):
    """A member on a shift: claimed by them (待确认 until the community confirms) or
    assigned by the community (confirmed at once); check-in and check-out give the
    hours counted on their service record."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="participations")
    deployment = models.ForeignKey(
        Deployment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=ParticipationStatus.choices)
    source = models.CharField(_("来源"), max_length=10, choices=ParticipationSource.choices)
    # Copied from the shift, so overlap and rest checks read one table.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    is_late = models.BooleanField(_("迟到"), default=False)
    minutes = models.PositiveIntegerField(_("服务时长(分钟)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("报到")
        verbose_name_plural = _("报到")
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "member"],
                condition=Q(status__in=["requested", "confirmed"]),
                name="participation_once_per_shift",
            ),
        ]
        indexes = [models.Index(fields=["member", "starts_at"], name="participation_member")]

    def __str__(self) -> str:
        return f"{self.member} · {self.shift}"


class Notice(models.Model):
    """A message to a member, shown on their shifts page: a place opened by a
    cancellation (to the replacement list), a claim confirmed or declined."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="duty_notices")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text


class DutyRules(models.Model):
    """The rest rules of one response (see `rules`); a response without a row, and a
    shift under no response, follow the defaults of the settings."""

    response = models.OneToOneField(
        "responses.Response",
        verbose_name=_("应急响应"),
        on_delete=models.CASCADE,
        related_name="duty_rules",
    )
    hours_in_a_row = models.PositiveSmallIntegerField(
        _("连续值守上限(小时)"), default=rules.DEFAULT_MAX_HOURS_IN_A_ROW
    )
    # A shorter break does not end a run of duty.
    rest_hours = models.PositiveSmallIntegerField(
        _("两班之间最少休息(小时)"), default=rules.DEFAULT_MIN_REST_HOURS
    )
    week_rest_hours = models.PositiveSmallIntegerField(
        _("每 7 天连续休息(小时)"), default=rules.DEFAULT_WEEK_REST_HOURS
    )
    week_hours = models.PositiveSmallIntegerField(
        _("每 7 天值守上限(小时)"), default=rules.DEFAULT_WEEK_MAX_HOURS
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("值守休息规则")
        verbose_name_plural = _("值守休息规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_in_a_row__gte=1, hours_in_a_row__lte=24)
                & Q(rest_hours__lte=48)
                & Q(week_rest_hours__gte=1, week_rest_hours__lte=72)
                & Q(week_hours__gte=1, week_hours__lte=168),
                name="duty_rules_in_bounds",
            ),
        ]

    def __str__(self) -> str:
        return str(self.response)

    def limits(self) -> rules.Limits:
        return rules.Limits(
            self.hours_in_a_row, self.rest_hours, self.week_rest_hours, self.week_hours
        )
