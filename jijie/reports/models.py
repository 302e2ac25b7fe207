"""The daily report: each response's days, the figures of every reporting unit (the
city, district, streets and communities under the response's area) kept precomputed,
their sign-off level by level (上报), and the corrections made after a day closed.

A day's figures are counted by the roll-up (`services.report_refresh`) from the source
apps' rows over the day's window, never when a page is shown. Until the day's cut-off
each run replaces them; the first run at or after the cut-off fixes them (`closed_at`).
Later runs still count (`own_live`, `total_live`), so an entry made late shows as a
difference waiting for a correction, which needs a reason and leaves a revision for
every figure it changed.

Figures are kept as JSON objects `{indicator key: "decimal"}`: one row per unit and day
(44 rows a day for a district), read whole by the pages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import Area
from jijie.core.models import BytewiseCharField
from jijie.reports.indicators import BY_KEY
from jijie.responses.models import Response


class Report(models.Model):
    """One response's day."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    refreshed_at = models.DateTimeField(_("统计时间"))
    # Set by the first roll-up at or after the day's cut-off: the figures are fixed.
    closed_at = models.DateTimeField(_("截止时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("日报")
        verbose_name_plural = _("日报")
        constraints = [
            models.UniqueConstraint(fields=["response", "day"], name="reports_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id} {self.day}"


class Figures(models.Model):
    """One reporting unit's figures of one day. `own` counts the rows kept at the unit
    itself (for a community, everything under it); `total` adds the units below. The
    `_live` pair is the latest count, which differs from the reported pair only after
    the cut-off, by what was entered late."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="figures")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = BytewiseCharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    own = models.JSONField(default=dict)
    own_live = models.JSONField(default=dict)
    total = models.JSONField(default=dict)
    total_live = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "area"], name="reports_figures_once"),
        ]
        indexes = [
            models.Index(fields=["report", "area_path"], name="reports_figures_path"),
            models.Index(fields=["area", "report"], name="reports_figures_area"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.area_path}"


class Submission(models.Model):
    """A unit's day submitted (上报) by its office, on time or late."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="submissions")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = BytewiseCharField(max_length=255)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("上报时间"))
    due_at = models.DateTimeField(_("上报时限"))
    is_on_time = models.BooleanField(_("按时"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("上报")
        verbose_name_plural = _("上报")
        constraints = [
            models.UniqueConstraint(fields=["report", "area"], name="reports_submission_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.area_path}"


class Correction(models.Model):
    """A closed day's figures under one unit taken again from the rows, with a reason."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="corrections")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = BytewiseCharField(max_length=255)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField(_("更正时间"))
    reason = models.CharField(_("更正原因"), max_length=300)

    class Meta:
        verbose_name = _("更正")
        verbose_name_plural = _("更正")

    def __str__(self) -> str:
        return f"{self.report_id} {self.area_path}"


class Revision(models.Model):
    """One figure a correction changed, at one unit, before and after."""

    correction = models.ForeignKey(Correction, on_delete=models.CASCADE, related_name="revisions")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(max_length=40)
    before = models.DecimalField(max_digits=18, decimal_places=2)
    after = models.DecimalField(max_digits=18, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.indicator}: {self.before} → {self.after}"

    @property
    def label(self) -> str:
        found = BY_KEY.get(self.indicator)
        return str(found.name) if found else self.indicator


class Boundary(models.Model):
    """A reporting unit's outline for the report's map, as the deployment supplied it
    (`boundaries.read`): a GeoJSON Polygon or MultiPolygon, longitude before latitude,
    in whatever datum the file was drawn in (the map only places units side by side)."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="+")
    area_path = BytewiseCharField(max_length=255)
    geometry = models.JSONField(_("边界"))
    loaded_at = models.DateTimeField(_("导入时间"))

    class Meta:
        verbose_name = _("区域边界")
        verbose_name_plural = _("区域边界")
        indexes = [models.Index(fields=["area_path"], name="reports_boundary_path")]

    def __str__(self) -> str:
        return self.area_path
