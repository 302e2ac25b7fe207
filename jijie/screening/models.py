from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import Area
from jijie.residents.models import Household, Person


class Mode(models.TextChoices):
    DOOR = "door", _("入户")
    PHONE = "phone", _("电话")


class CampaignMode(models.TextChoices):
    DOOR = "door", _("入户")
    PHONE = "phone", _("电话")
    BOTH = "both", _("入户和电话")


class Outcome(models.TextChoices):
    DONE = "done", _("已排查")
    NO_ANSWER = "no_answer", _("无人应答")
    REFUSED = "refused", _("拒绝配合")
    MOVED_AWAY = "moved_away", _("已搬离")
    VACANT = "vacant", _("空置")


# Every outcome but "done" leaves the household in the revisit queue, due after this long:
# a closed door is tried again the same evening, a refusal the next day with the
# secretary, a household said to be gone or empty is checked again within three days.
REVISIT_AFTER: dict[str, timedelta] = {
    Outcome.NO_ANSWER: timedelta(hours=4),
    Outcome.REFUSED: timedelta(days=1),
    Outcome.MOVED_AWAY: timedelta(days=3),
    Outcome.VACANT: timedelta(days=3),
}


class QuestionKind(models.TextChoices):
    YES_NO = "yesno", _("是/否")
    NUMBER = "number", _("数字")
    TEXT = "text", _("文字")


# Keys the statistics read; a community may drop or reword the questions, the keys stay.
PEOPLE_HOME = "people_home"
FEVER = "fever_cough"


def default_questions() -> list[dict[str, Any]]:
    """The questions of seed-001's sweep; a community edits its own list. `health`
    answers (travel, symptoms) are seen only by roles that follow people up."""
    return [
        {"key": "all_present", "label": "登记人员是否都在住", "kind": "yesno", "health": False},
        {"key": PEOPLE_HOME, "label": "在家人数", "kind": "number", "health": False},
        {
            "key": "risk_area_14d",
            "label": "近14天是否有中高风险地区旅居史",
            "kind": "yesno",
            "health": True,
        },
        {"key": FEVER, "label": "是否有发热、咳嗽等症状", "kind": "yesno", "health": True},
        {
            "key": "needs_help",
            "label": "是否需要帮助(买菜、送药等)",
            "kind": "yesno",
            "health": False,
        },
    ]


class Campaign(models.Model):
    """A sweep (扫楼行动) of a response over some areas: a street, a community, some grids."""

    response = models.ForeignKey(
        "responses.Response",
        verbose_name=_("应急响应"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    name = models.CharField(_("名称"), max_length=100)
    mode = models.CharField(
        _("排查方式"), max_length=8, choices=CampaignMode.choices, default=CampaignMode.BOTH
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    questions = models.JSONField(_("排查问题"), default=default_questions)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the health answers and temperatures were erased after the response closed.
    health_purged_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Every question key that has been a health question of this campaign: such a key
    # stays one (its answers are health data whatever its label says later), its answers
    # go to HEALTH_VIEW holders only, and the purge erases them.
    health_keys = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("排查行动")
        verbose_name_plural = _("排查行动")
        constraints = [
            models.UniqueConstraint(fields=["response", "name"], name="campaign_unique_name"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def allows(self, mode: str) -> bool:
        return self.mode in (CampaignMode.BOTH, mode)

    def is_health(self, key: str) -> bool:
        """Whether answers to question `key` are health data (see `health_keys`)."""
        return key in self.health_keys or any(
            q["key"] == key and q.get("health") for q in self.questions
        )


class CampaignArea(models.Model):
    """One area a campaign sweeps; its households are those under any of them."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "area"], name="campaign_area_once"),
        ]

    def __str__(self) -> str:
        return self.area_path


class Visit(models.Model):
    """One knock on a door or one call: who, when, how it went, what was asked. The
    answers may hold health and travel data (see `Campaign.questions`)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="visits")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("排查人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mode = models.CharField(_("方式"), max_length=8, choices=Mode.choices)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices)
    visited_at = models.DateTimeField(_("排查时间"))
    people_present = models.PositiveSmallIntegerField(_("在家人数"), default=0)
    # People this visit put into a key group for follow-up.
    flags_raised = models.PositiveSmallIntegerField(_("标记重点人员"), default=0)
    answers = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # The phone's own id for this visit: a request replayed from a flaky connection is
    # stored once.
    client_ref = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("排查记录")
        verbose_name_plural = _("排查记录")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "client_ref"],
                condition=~Q(client_ref=""),
                name="visit_client_ref_once",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "household", "visited_at"], name="visit_household"),
            models.Index(
                fields=["campaign", "area_path", "visited_at"],
                name="visit_area_day",
                opclasses=["int8_ops", "varchar_pattern_ops", "timestamptz_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.outcome}"


class Temperature(models.Model):
    """A temperature taken at the door (health data)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="temperatures")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    celsius = models.DecimalField(_("体温"), max_digits=3, decimal_places=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(celsius__gte=30) & Q(celsius__lte=45), name="temperature_plausible"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.celsius}"


class HouseholdState(models.Model):
    """Where one household stands in one campaign: the single row two workers at the same
    door both lock, so that the household is counted once however many visits it gets."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    area_path = models.CharField(max_length=255)
    visits = models.PositiveIntegerField(default=0)
    first_visited_at = models.DateTimeField(null=True)
    completed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="household_state_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.household_id}"


class Revisit(models.Model):
    """A household to try again: opened by a failed visit, moved on by the next failed
    one, closed by a done visit."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="revisits")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    area_path = models.CharField(max_length=255)
    outcome = models.CharField(_("上次结果"), max_length=12, choices=Outcome.choices)
    attempts = models.PositiveIntegerField(_("未成功次数"), default=1)
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField(_("应回访时间"))
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"],
                condition=Q(closed_at__isnull=True),
                name="revisit_open_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["campaign", "area_path"],
                condition=Q(closed_at__isnull=True),
                name="revisit_open",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.due_at}"


class BuildingCoverage(models.Model):
    """Running totals of one campaign at one building, updated in each visit's
    transaction. Every level above is a sum of these over a path prefix, so the coverage
    page never reads the visits. A household visited but not completed has exactly one
    open revisit, so the revisits pending are `visited - completed`."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    area_path = models.CharField(max_length=255)
    households = models.PositiveIntegerField(default=0)
    visited = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    people_screened = models.PositiveIntegerField(default=0)
    flags = models.PositiveIntegerField(default=0)
    fevers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "building"], name="building_coverage_once"),
        ]
        indexes = [
            models.Index(
                fields=["campaign", "area_path"],
                name="building_coverage_path",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.area_path


class DailyCoverage(models.Model):
    """What one day's visits added at one building: the daily report's counts."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    area_path = models.CharField(max_length=255)
    day = models.DateField()
    visits = models.PositiveIntegerField(default=0)
    door_visits = models.PositiveIntegerField(default=0)
    phone_visits = models.PositiveIntegerField(default=0)
    reached = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    revisits_opened = models.PositiveIntegerField(default=0)
    revisits_closed = models.PositiveIntegerField(default=0)
    people_screened = models.PositiveIntegerField(default=0)
    flags = models.PositiveIntegerField(default=0)
    fevers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "building", "day"], name="daily_coverage_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["campaign", "area_path", "day"],
                name="daily_coverage_path",
                opclasses=["int8_ops", "varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_path} {self.day}"


BUILDING_COUNTERS = (
    "households", "visited", "completed", "people_screened", "flags", "fevers",
)  # fmt: skip
DAILY_COUNTERS = (
    "visits", "door_visits", "phone_visits", "reached", "completed", "failed",
    "revisits_opened", "revisits_closed", "people_screened", "flags", "fevers",
)  # fmt: skip
