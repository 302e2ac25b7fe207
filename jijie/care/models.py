"""Isolation cases, their extensions, follow-ups and alerts; errands (代办); care plans
and visits of hardship households.

Every row carries `area_path` (the household's building path) for scoping and
`community_path` for the community's board, copied so that neither needs a join."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jijie.mobilization.models import Member
from jijie.residents.models import Household, Person


class CaseKind(models.TextChoices):
    ISOLATION = "isolation", _("居家隔离")
    OBSERVATION = "observation", _("居家观察")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    ENDED = "ended", _("已解除")


class CaseOutcome(models.TextChoices):
    COMPLETED = "completed", _("期满解除")
    HOSPITAL = "hospital", _("转送医院")
    CENTRALISED = "centralised", _("转集中隔离")
    MOVED_AWAY = "moved_away", _("离开本地")
    OTHER = "other", _("其他")


class ContactMode(models.TextChoices):
    VISIT = "visit", _("上门")
    PHONE = "phone", _("电话")


class IsolationCase(models.Model):
    """A person, or a whole household when `person` is empty, under home isolation or
    observation from the official start date for `days` days plus the extensions'
    (`extra_days` is their sum, kept so that day counting reads one row). Supervised by
    an account (grid worker, community worker) or a member on an isolation post."""

    response = models.ForeignKey(
        "responses.Response",
        verbose_name=_("应急响应"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey(
        Household, verbose_name=_("住户"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_path = models.CharField(max_length=255)
    community_path = models.CharField(max_length=255)
    kind = models.CharField(_("类型"), max_length=12, choices=CaseKind.choices)
    reason = models.CharField(_("原因"), max_length=200)
    starts_on = models.DateField(_("起始日期"))
    days = models.PositiveSmallIntegerField(_("天数"))
    extra_days = models.PositiveSmallIntegerField(_("延长天数"), default=0)
    checks_per_day = models.PositiveSmallIntegerField(_("每日随访次数"), default=1)
    supervisor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("监管人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supervisor_member = models.ForeignKey(
        Member,
        verbose_name=_("监管队员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    seal_number = models.CharField(_("门磁/封条编号"), max_length=40, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    ended_on = models.DateField(_("解除日期"), null=True, blank=True)
    # When the end was recorded (the date above may be earlier): the daily report counts
    # a case ended in the 24 hours to its cut-off by this.
    ended_at = models.DateTimeField(_("解除登记时间"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=CaseOutcome.choices, blank=True)
    end_note = models.CharField(_("解除说明"), max_length=200, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("居家隔离")
        verbose_name_plural = _("居家隔离")
        constraints = [
            models.CheckConstraint(
                condition=Q(supervisor_user__isnull=True) ^ Q(supervisor_member__isnull=True),
                name="care_case_one_supervisor",
            ),
            models.CheckConstraint(
                condition=Q(status="open", ended_on__isnull=True, ended_at__isnull=True)
                | Q(status="ended", ended_on__isnull=False, ended_at__isnull=False),
                name="care_case_ended_has_date",
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1) & Q(checks_per_day__gte=1) & Q(checks_per_day__lte=2),
                name="care_case_schedule",
            ),
            # One open case per person, and one open whole-household case per household.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="open", person__isnull=False),
                name="care_case_person_open_once",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="open", person__isnull=True),
                name="care_case_household_open_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["community_path", "status"],
                name="care_case_board",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["area_path"], name="care_case_scope", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.person or self.household}"

    @property
    def total_days(self) -> int:
        return self.days + self.extra_days

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN


class CaseExtension(models.Model):
    """One extension of a case, kept with its reason."""

    case = models.ForeignKey(IsolationCase, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长天数"))
    reason = models.CharField(_("原因"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("延长隔离")
        verbose_name_plural = _("延长隔离")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"+{self.days}"


class FollowUp(models.Model):
    """One follow-up of a case (health data), dated its local day (`slot_on`): in a
    due slot of that day (`slot`), an extra one on a day of the period with no slot
    due (no `slot`), or outside the period (`is_outside_period`, no slot), still
    recorded."""

    case = models.ForeignKey(IsolationCase, on_delete=models.PROTECT, related_name="follow_ups")
    area_path = models.CharField(max_length=255)
    slot_on = models.DateField(_("随访日期"), null=True, blank=True)
    slot = models.PositiveSmallIntegerField(_("第几次"), null=True, blank=True)
    is_outside_period = models.BooleanField(_("隔离期外"), default=False)
    recorded_at = models.DateTimeField(_("随访时间"))
    contact = models.CharField(_("方式"), max_length=8, choices=ContactMode.choices)
    temperature = models.DecimalField(
        _("体温"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    is_fever = models.BooleanField(_("发热"), default=False)
    symptoms = models.CharField(_("症状"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("随访人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The phone's own id for this follow-up: one sent twice is stored once.
    client_ref = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("随访记录")
        verbose_name_plural = _("随访记录")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "client_ref"],
                condition=~Q(client_ref=""),
                name="care_follow_up_client_ref_once",
            ),
            models.CheckConstraint(
                condition=Q(temperature__isnull=True)
                | (Q(temperature__gte=30) & Q(temperature__lte=45)),
                name="care_follow_up_temperature_plausible",
            ),
        ]
        indexes = [models.Index(fields=["case", "slot_on", "slot"], name="care_follow_up_slot")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.recorded_at:%Y-%m-%d %H:%M}"


class AlertKind(models.TextChoices):
    FEVER = "fever", _("发热")
    MISSED = "missed", _("漏访")
    ERRAND_OVERDUE = "errand_overdue", _("代办超时")


class Alert(models.Model):
    """Something the community must act on: a fever at a follow-up, a due slot missed
    past its grace, an errand past its time. Raised once (the unique constraints make
    re-running the escalation harmless), resolved by the community or by a late
    follow-up of the slot."""

    kind = models.CharField(_("类型"), max_length=16, choices=AlertKind.choices)
    area_path = models.CharField(max_length=255)
    community_path = models.CharField(max_length=255)
    case = models.ForeignKey(
        IsolationCase, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    follow_up = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    errand = models.ForeignKey(
        "Errand", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    slot_on = models.DateField(null=True, blank=True)
    slot = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(_("处理情况"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "slot_on", "slot"],
                condition=Q(kind="missed"),
                name="care_alert_missed_once",
            ),
            models.UniqueConstraint(
                fields=["errand"],
                condition=Q(kind="errand_overdue"),
                name="care_alert_errand_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["community_path"],
                condition=Q(resolved_at__isnull=True),
                name="care_alert_open",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ErrandKind(models.TextChoices):
    GROCERIES = "groceries", _("买菜")
    MEDICINE = "medicine", _("买药")
    PARCEL = "parcel", _("取快递")
    GARBAGE = "garbage", _("垃圾清运")
    APPOINTMENT = "appointment", _("就医协助")
    OTHER = "other", _("其他")


class ErrandState(models.TextChoices):
    REQUESTED = "requested", _("待接单")
    ACCEPTED = "accepted", _("已接单")
    DONE = "done", _("已办结")
    CONFIRMED = "confirmed", _("已确认")
    CANCELLED = "cancelled", _("已取消")


# Errands still to be run (the open list, overdue when past `due_by`).
OPEN_ERRAND_STATES = (ErrandState.REQUESTED, ErrandState.ACCEPTED)


class Errand(models.Model):
    """An errand for a household that cannot go out (代办): asked for, offered to or
    claimed by a member, run, and confirmed by the household or its grid worker. The
    minutes served count on the member's record once confirmed."""

    household = models.ForeignKey(
        Household, verbose_name=_("住户"), on_delete=models.PROTECT, related_name="+"
    )
    # The case the household is isolated under, if any; a hardship household has none.
    case = models.ForeignKey(
        IsolationCase, null=True, blank=True, on_delete=models.SET_NULL, related_name="errands"
    )
    area_path = models.CharField(max_length=255)
    community_path = models.CharField(max_length=255)
    kind = models.CharField(_("类型"), max_length=12, choices=ErrandKind.choices)
    needed = models.CharField(_("所需事项"), max_length=300)
    money_advanced = models.DecimalField(_("垫付金额"), max_digits=10, decimal_places=2, default=0)
    due_by = models.DateTimeField(_("期望完成时间"))
    state = models.CharField(
        _("状态"), max_length=10, choices=ErrandState.choices, default=ErrandState.REQUESTED
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("代办队员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="errands",
    )
    proof_note = models.CharField(_("办结说明"), max_length=300, blank=True)
    minutes = models.PositiveIntegerField(_("服务时长(分钟)"), default=0)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("代办")
        verbose_name_plural = _("代办")
        constraints = [
            models.CheckConstraint(condition=Q(money_advanced__gte=0), name="care_errand_money"),
            models.CheckConstraint(
                condition=Q(state__in=["requested", "cancelled"]) | Q(member__isnull=False),
                name="care_errand_run_by_member",
            ),
        ]
        indexes = [
            models.Index(
                fields=["community_path", "state"],
                name="care_errand_board",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["area_path"], name="care_errand_scope", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["member", "state"], name="care_errand_member"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.needed[:20]}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ERRAND_STATES


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("执行中")
    CLOSED = "closed", _("已结束")


class CarePlan(models.Model):
    """How a hardship household is looked after (生活困难户不掉队): its needs, what is
    done, how often someone calls, who answers for it."""

    household = models.ForeignKey(
        Household, verbose_name=_("住户"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=255)
    community_path = models.CharField(max_length=255)
    needs = models.CharField(_("困难与需求"), max_length=300)
    measures = models.CharField(_("帮扶措施"), max_length=300)
    visit_every_days = models.PositiveSmallIntegerField(_("走访周期(天)"), default=7)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_on = models.DateField(_("开始日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("帮扶计划")
        verbose_name_plural = _("帮扶计划")
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(status="active"), name="care_plan_active_once"
            ),
            models.CheckConstraint(
                condition=Q(visit_every_days__gte=1), name="care_plan_visit_period"
            ),
        ]

    def __str__(self) -> str:
        return self.needs[:30]


class CareVisit(models.Model):
    """A visit (慰问) to a hardship household under a plan, with the help given."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="visits")
    area_path = models.CharField(max_length=255)
    visited_on = models.DateField(_("走访日期"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("走访人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    help_given = models.CharField(_("帮扶内容"), max_length=300)
    value = models.DecimalField(_("物资折价"), max_digits=10, decimal_places=2, default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # The form's own id: the same visit sent twice (a flaky phone) is stored once.
    client_ref = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("慰问记录")
        verbose_name_plural = _("慰问记录")
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="care_visit_value"),
            models.UniqueConstraint(
                fields=["plan", "client_ref"],
                condition=~Q(client_ref=""),
                name="care_visit_client_ref_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.help_given[:20]}"
