"""Recognition: a member's service record, assembled from what was verified elsewhere —
shifts attended and checked out (duty), errands confirmed by the household or its grid
worker (care), commendations and incidents recorded by inspectors (inspections) — and
never typed in. The member's unit approves a period's records: `ApprovedRecord` keeps
the figures as approved, which the unit's lists (评先评优, the annual assessment) and
the numbered certificates of service are made from. A member may be noted as a
candidate for party activist (入党积极分子) from front-line work, with who proposed
them and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jijie.mobilization.models import Member, Organisation


class Approval(models.Model):
    """A unit's approval of its members' records over [starts_on, ends_on]."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("审核时间"))

    class Meta:
        verbose_name = _("服务记录审核")
        verbose_name_plural = _("服务记录审核")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "starts_on", "ends_on"], name="recognition_approval_once"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="recognition_approval_days"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.starts_on}–{self.ends_on}"


class ApprovedRecord(models.Model):
    """A member's record of a period as their unit approved it."""

    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, related_name="records")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    shift_minutes = models.PositiveIntegerField(default=0)
    shifts = models.PositiveIntegerField(default=0)
    errand_minutes = models.PositiveIntegerField(default=0)
    errands = models.PositiveIntegerField(default=0)
    commendations = models.PositiveIntegerField(default=0)
    incidents = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("审核后的服务记录")
        verbose_name_plural = _("审核后的服务记录")
        constraints = [
            models.UniqueConstraint(fields=["approval", "member"], name="recognition_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.approval}"

    @property
    def minutes(self) -> int:
        return self.shift_minutes + self.errand_minutes


class Certificate(models.Model):
    """A certificate of service (服务证明), numbered per year, never reused."""

    record = models.OneToOneField(
        ApprovedRecord, on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField(_("证书编号"), max_length=20, unique=True)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("服务证明")
        verbose_name_plural = _("服务证明")

    def __str__(self) -> str:
        return self.number


class CertificateSequence(models.Model):
    """The last certificate number of a year, held while the next is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Nomination(models.Model):
    """A member noted as a candidate for party activist (入党积极分子) from their front-line
    work: who proposed them, why, and the record they had then."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("推荐理由"), max_length=500)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(_("推荐时间"))
    minutes = models.PositiveIntegerField(default=0)  # served, verified, when proposed
    commendations = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("入党积极分子推荐")
        verbose_name_plural = _("入党积极分子推荐")

    def __str__(self) -> str:
        return str(self.member)
