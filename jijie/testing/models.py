"""Mass-testing rounds (全员核酸): a round over an area for a range of days, its sampling
sites, who is exempt and why, and the tubes a site fills — one person in a single tube,
up to the round's tube size (10 by default) in a mixed one — with each tube's result
from the lab, appended once.

A person's sample is the row that ties them to a tube: a negative tube makes everyone
in it negative; a positive one lists exactly its people for re-testing and isolation."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import Area
from jijie.core.models import BytewiseCharField
from jijie.duty.models import Demand
from jijie.mobilization.models import Member
from jijie.residents.models import Person
from jijie.responses.models import Response

# The most people one mixed tube may hold (a 20-in-1 tube is the largest in use).
MAX_TUBE_SIZE = 20


class Round(models.Model):
    """A testing round over `area` (a community, a street, the district) from `starts_on`
    to `ends_on`: everyone registered under it is to be tested, less the exempt."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        Area, verbose_name=_("检测范围"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = BytewiseCharField(max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=60)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    tube_size = models.PositiveSmallIntegerField(_("每管人数"), default=10)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检测轮次")
        verbose_name_plural = _("检测轮次")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="testing_round_dates"
            ),
            models.CheckConstraint(
                condition=Q(tube_size__gte=1) & Q(tube_size__lte=MAX_TUBE_SIZE),
                name="testing_round_tube_size",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A sampling site (采样点) of a round: where it is, its lanes and its hours."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="sites")
    area = models.ForeignKey(
        Area, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = BytewiseCharField(max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=60)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    lanes = models.PositiveSmallIntegerField(_("通道数"), default=1)
    opens_at = models.TimeField(_("开放时间"))
    closes_at = models.TimeField(_("结束时间"))
    # Who staffs it and who carries its samples to the lab: posts of the duty roster in
    # the site's community (the people on shift there now are the site's staff).
    post = models.ForeignKey(
        Demand,
        verbose_name=_("值守岗位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    transport = models.ForeignKey(
        Demand,
        verbose_name=_("转运岗位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("采样点")
        verbose_name_plural = _("采样点")
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="testing_site_unique_name"),
            models.CheckConstraint(condition=Q(lanes__gte=1), name="testing_site_lanes"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="testing_site_hours"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Appointment(models.Model):
    """A building's window at a site on a day of the round (`slots.plan`): when its
    people are asked to come, and how many were still to come when it was planned."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="appointments")
    building = models.ForeignKey(
        Area, verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = BytewiseCharField(max_length=255)
    day = models.DateField(_("日期"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    people = models.PositiveIntegerField(_("预计人数"))

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "building", "day"], name="testing_appointment_once"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="testing_appointment_window"
            ),
        ]
        indexes = [models.Index(fields=["site", "day", "starts_at"], name="testing_appt_site")]

    def __str__(self) -> str:
        return f"{self.building} {self.starts_at:%H:%M}"


class ExemptReason(models.TextChoices):
    BEDRIDDEN = "bedridden", _("卧床(上门采样)")
    INFANT = "infant", _("婴幼儿")
    AWAY = "away", _("不在本地")
    OTHER = "other", _("其他")


class Exemption(models.Model):
    """Someone in the round's scope who is not to come to a site, and why. A bedridden
    person is sampled at home: they stay on the list of those to be tested."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="exemptions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    area_path = BytewiseCharField(max_length=255)
    reason = models.CharField(_("原因"), max_length=12, choices=ExemptReason.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("免检")
        verbose_name_plural = _("免检")
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="testing_exemption_once"),
        ]

    def __str__(self) -> str:
        return str(self.get_reason_display())

    @property
    def is_excused(self) -> bool:
        """Whether the person is left out of those to be tested (a bedridden person is
        not: they are sampled at home)."""
        return self.reason != ExemptReason.BEDRIDDEN


class TubeResult(models.TextChoices):
    PENDING = "pending", _("待出结果")
    NEGATIVE = "negative", _("阴性")
    POSITIVE = "positive", _("阳性")


class Batch(models.Model):
    """Sealed tubes handed over at a site to be carried to the lab (样本转运): when they
    left and with whom, and when the lab received them."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="batches")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="batches")
    area_path = BytewiseCharField(max_length=255)
    carrier = models.CharField(_("转运人"), max_length=50)
    # The member on shift at the site's carrying post who took them (their name is
    # `carrier`); none when the site has no such post and the name was written.
    carrier_member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("送出时间"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("送检批次")
        verbose_name_plural = _("送检批次")
        constraints = [
            models.CheckConstraint(
                condition=Q(received_at__isnull=True) | Q(received_at__gte=models.F("sent_at")),
                name="testing_batch_received_after_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.sent_at:%m-%d %H:%M}"


class Tube(models.Model):
    """A sample tube by its barcode: opened at a site by its first sample, sealed when
    full or closed early, handed over in a batch, then its result."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="tubes")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="tubes")
    area_path = BytewiseCharField(max_length=255)
    barcode = models.CharField(_("管码"), max_length=32)
    capacity = models.PositiveSmallIntegerField(_("容量"))
    size = models.PositiveSmallIntegerField(_("已采人数"), default=0)
    opened_at = models.DateTimeField(_("开管时间"))
    sealed_at = models.DateTimeField(_("封管时间"), null=True, blank=True)
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="tubes"
    )

    class Meta:
        verbose_name = _("采样管")
        verbose_name_plural = _("采样管")
        constraints = [
            models.UniqueConstraint(fields=["round", "barcode"], name="testing_tube_barcode"),
            models.CheckConstraint(
                condition=Q(size__lte=models.F("capacity")), name="testing_tube_not_overfull"
            ),
            models.CheckConstraint(
                condition=Q(batch__isnull=True) | Q(sealed_at__isnull=False),
                name="testing_tube_sent_sealed",
            ),
        ]

    def __str__(self) -> str:
        return self.barcode

    @property
    def is_sealed(self) -> bool:
        return self.sealed_at is not None

    @property
    def lab_result(self) -> LabResult | None:
        """The lab's result, None while pending (`select_related("lab")` for a list)."""
        try:
            return self.lab
        except LabResult.DoesNotExist:
            return None

    @property
    def result(self) -> str:
        found = self.lab_result
        return found.result if found is not None else TubeResult.PENDING

    @property
    def result_at(self) -> datetime | None:
        found = self.lab_result
        return found.result_at if found is not None else None

    def get_result_display(self) -> str:
        return str(TubeResult(self.result).label)


class LabResult(models.Model):
    """A tube's result as the lab gave it, by its file or by hand: appended once and
    never changed (a correction is the lab's own record). A pending tube has none.

    Kept apart from the tube so that a day's file of a district (65,879 tubes) is
    appended in one COPY instead of rewriting as many tube rows. The tie to the tube is
    checked by the writes, not by a database constraint: each row is written with the
    id of a tube just read from its round, and tubes are never deleted (their samples
    hold them); the constraint's check of every row at commit would double the import
    (docs/decisions.md)."""

    tube = models.OneToOneField(
        Tube,
        verbose_name=_("采样管"),
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="lab",
        db_constraint=False,
    )
    result = models.CharField(_("结果"), max_length=8, choices=TubeResult.choices)
    result_at = models.DateTimeField(_("出结果时间"))

    class Meta:
        verbose_name = _("检测结果")
        verbose_name_plural = _("检测结果")
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=["negative", "positive"]), name="testing_lab_result_known"
            ),
        ]
        indexes = [
            # The positive tubes of a round, read on its page: a handful among thousands.
            models.Index(
                fields=["tube"], condition=Q(result="positive"), name="testing_lab_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tube_id}: {self.result}"


class Sample(models.Model):
    """One person's swab in a tube. A person sampled twice in a round (a retest) says
    why; an offline phone's registration carries its client id, stored once."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+")
    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="samples")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    area_path = BytewiseCharField(max_length=255)
    taken_at = models.DateTimeField(_("采样时间"))
    retest_reason = models.CharField(_("复采原因"), max_length=100, blank=True)
    client_ref = models.UUIDField(null=True, blank=True, editable=False)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_by_label = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("采样记录")
        verbose_name_plural = _("采样记录")
        constraints = [
            models.UniqueConstraint(fields=["tube", "person"], name="testing_sample_once"),
            models.UniqueConstraint(
                fields=["client_ref"],
                condition=Q(client_ref__isnull=False),
                name="testing_sample_client_ref",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "area_path"], name="testing_sample_scope"),
            models.Index(fields=["round", "person"], name="testing_sample_person"),
        ]

    def __str__(self) -> str:
        return f"{self.tube_id}:{self.pk}"


class RoundCoverage(models.Model):
    """A round's people tested and excused in one building, kept as samples and
    exemptions are recorded (`counters`): the coverage of a district sums its buildings'
    rows beside the registry's kept counts of people, instead of reading every person,
    sample and exemption.

    A person counts as tested in the building of their first sample of the round (a
    retest adds nothing); as excused in their exemption's building while they have no
    sample (an exemption for the bedridden excuses no one: they are sampled at home)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    area_path = BytewiseCharField(max_length=255)
    tested = models.PositiveIntegerField(default=0)
    excused = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "area_path"], name="testing_coverage_once"),
        ]

    def __str__(self) -> str:
        return f"{self.area_path}: {self.tested}"
