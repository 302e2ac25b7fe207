from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import Area


class ResponseLevel(models.TextChoices):
    LEVEL_1 = "1", _("Ⅰ级(特别重大)")
    LEVEL_2 = "2", _("Ⅱ级(重大)")
    LEVEL_3 = "3", _("Ⅲ级(较大)")
    LEVEL_4 = "4", _("Ⅳ级(一般)")


class ResponseStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class Response(models.Model):
    """An emergency response over an area's subtree."""

    name = models.CharField(_("名称"), max_length=100)
    area = models.ForeignKey(
        Area, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="responses"
    )
    area_path = models.CharField(max_length=255, db_index=True)
    level = models.CharField(_("响应级别"), max_length=1, choices=ResponseLevel.choices)
    status = models.CharField(
        _("状态"), max_length=8, choices=ResponseStatus.choices, default=ResponseStatus.ACTIVE
    )
    started_at = models.DateTimeField(_("启动时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # Sensitive personal data collected for this response is purged this many days after
    # it closes; aggregates stay.
    retention_days = models.PositiveIntegerField(_("敏感数据保留天数"), default=30)
    purge_after = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("应急响应")
        verbose_name_plural = _("应急响应")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="response_unique_name"),
            models.CheckConstraint(
                condition=Q(status="active", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="response_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == ResponseStatus.ACTIVE
