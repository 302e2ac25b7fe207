"""Problems raised from the front line (没有耳温枪, 人手不足 …), each with an owner and a
clock (the 12345 hotline's 接诉即办): it goes to the level that can solve it, is claimed
by one handler, answered, and confirmed and rated by whoever raised it; unanswered by
its deadline it moves one level up by itself. Every step is a `ProblemEvent`.

`area_path` is where the problem is (a building, a grid, a community, a street);
`level_path` is the area whose office must answer it now. Both are copied on the row so
that a board and the rates read one table. The first response and the first deadline
are kept on the row too, for the response rate."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jijie.areas.models import Area
from jijie.core.models import BytewiseCharField
from jijie.responses.models import Response
from jijie.supplies.models import SupplyRequest, Transfer


class ProblemKind(models.TextChoices):
    SUPPLIES = "supplies", _("物资短缺")
    STAFF = "staff", _("人手不足")
    FACILITIES = "facilities", _("设施设备")
    RESIDENTS = "residents", _("群众诉求")
    OTHER = "other", _("其他")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    NORMAL = "normal", _("一般")
    LOW = "low", _("不急")


class ProblemState(models.TextChoices):
    OPEN = "open", _("待办理")
    HANDLING = "handling", _("办理中")
    ANSWERED = "answered", _("已答复,待确认")
    RESOLVED = "resolved", _("已解决")


# A level still owes an answer while the problem is in one of these.
UNANSWERED_STATES = (ProblemState.OPEN, ProblemState.HANDLING)


class Problem(models.Model):
    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        Area, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = BytewiseCharField(max_length=255)
    level = models.ForeignKey(
        Area, verbose_name=_("承办层级"), on_delete=models.PROTECT, related_name="+"
    )
    level_path = BytewiseCharField(max_length=255)
    kind = models.CharField(_("类别"), max_length=12, choices=ProblemKind.choices)
    urgency = models.CharField(_("紧急程度"), max_length=8, choices=Urgency.choices)
    title = models.CharField(pgettext_lazy("problem", "问题"), max_length=60)
    need = models.CharField(_("需要什么"), max_length=300, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=ProblemState.choices, default=ProblemState.OPEN
    )
    raised_at = models.DateTimeField(_("提出时间"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deadline_at = models.DateTimeField(_("办理时限"))
    first_deadline_at = models.DateTimeField()
    escalations = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The first claim or answer, and whether it came by the first deadline (响应).
    responded_at = models.DateTimeField(null=True, blank=True)
    is_responded_in_time = models.BooleanField(default=False)
    answer = models.CharField(_("办理情况"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    supply_request = models.ForeignKey(
        SupplyRequest,
        verbose_name=_("物资申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transfer = models.ForeignKey(
        Transfer,
        verbose_name=_("物资调拨"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    reopenings = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = pgettext_lazy("problem", "问题")
        verbose_name_plural = pgettext_lazy("problem", "问题")
        indexes = [
            models.Index(fields=["level_path", "state"], name="problems_level_state"),
            models.Index(fields=["area_path", "raised_at"], name="problems_area_raised"),
            models.Index(fields=["state", "deadline_at"], name="problems_state_deadline"),
            # The board's newest-first tabs read a page from the end of this index.
            models.Index(fields=["raised_at", "id"], name="problems_raised"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="problems_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(state="handling") | Q(claimed_by__isnull=False),
                name="problems_handling_has_handler",
            ),
            models.CheckConstraint(
                condition=~Q(state="resolved") | Q(resolved_at__isnull=False),
                name="problems_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in UNANSWERED_STATES


class Photo(models.Model):
    """A problem's photo, kept in the database and served only to its readers."""

    problem = models.OneToOneField(Problem, on_delete=models.CASCADE, related_name="photo")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    content = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("问题照片")
        verbose_name_plural = _("问题照片")

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    RAISED = "raised", _("提出")
    CLAIMED = "claimed", _("认领")
    RELEASED = "released", _("退回待办")
    ESCALATED = "escalated", _("超时升级")
    ANSWERED = "answered", _("答复")
    RESOLVED = "resolved", _("确认解决")
    REOPENED = "reopened", _("重新办理")


class ProblemEvent(models.Model):
    """A step of a problem's history: who did what, at which level, when. An
    escalation is the system's, from one level to the next."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    level = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    # An escalation's step: the deadline it was past, so that a second run of the
    # escalation finds the step already taken.
    deadline_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("问题记录")
        verbose_name_plural = _("问题记录")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "deadline_at"],
                condition=Q(kind="escalated"),
                name="problems_one_escalation_per_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.kind}"
