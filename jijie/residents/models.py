from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import Area
from jijie.core.identity import DocumentType
from jijie.core.models import BytewiseCharField, Identity
from jijie.residents.doors import door_sort


class HouseholdKind(models.TextChoices):
    RESIDENT = "resident", _("住户")
    RENTAL = "rental", _("出租屋")
    SHOP = "shop", _("商铺门店")


class Household(models.Model):
    """A dwelling or shop at a building door. `area_path` is the building's path, copied
    so that scoped counts over hundreds of thousands of households need no join."""

    building = models.ForeignKey(
        Area,
        verbose_name=_("楼栋"),
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,  # the (building, door) constraint's index serves it
    )
    area_path = BytewiseCharField(max_length=255)
    door_number = models.CharField(_("门牌号"), max_length=32)
    # The door as people read it, for ORDER BY (residents.doors.door_sort): 101, 102 … 1001.
    door_sort = BytewiseCharField(max_length=255, default="", editable=False)
    kind = models.CharField(
        _("类型"), max_length=16, choices=HouseholdKind.choices, default=HouseholdKind.RESIDENT
    )
    # 联三户: the three kinds of key household a grid worker keeps in touch with.
    is_party_centre = models.BooleanField(_("党员中心户"), default=False)
    is_home_isolation = models.BooleanField(_("居家隔离户"), default=False)
    is_hardship = models.BooleanField(_("生活困难户"), default=False)
    # Optimistic concurrency: every edit names the version it read.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        constraints = [
            models.UniqueConstraint(fields=["building", "door_number"], name="household_door"),
        ]
        # Every index costs each of the hundreds of thousands of rows an import writes,
        # so there is one per way of finding a record. Compared byte by byte, this one
        # serves the area-path prefix (LIKE 'path%') and the ledger's order (area, then
        # door as people read it) at once: a page of a district's ledger reads 50 rows.
        # The key ends it, so the order is total and a page's keys are read from the
        # index alone, however many rows before it are skipped (`core.paging`).
        indexes = [models.Index(fields=["area_path", "door_sort", "id"], name="household_scope")]

    def __str__(self) -> str:
        return self.door_number

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Bulk writes (the import, the demo) set it themselves.
        self.door_sort = door_sort(self.door_number)
        super().save(*args, **kwargs)


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙辈")
    GRANDPARENT = "grandparent", _("祖辈")
    SIBLING = "sibling", _("兄弟姐妹")
    TENANT = "tenant", _("租客")
    EMPLOYEE = "employee", _("员工")
    OTHER = "other", _("其他")


class ResidentType(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    FLOATING = "floating", _("流动人口")
    FOREIGN = "foreign", _("境外人员")


NOTE_LENGTH = 500


class BuildingHouseholds(models.Model):
    """How many households and people a building holds, kept as they are registered,
    added or moved (by the registry's pages, its imports and the demo, through `counts`):
    the ledger counts a district's 361,876 households, and a testing round's coverage its
    658,787 people, by summing its buildings' counts instead of reading every row."""

    building = models.OneToOneField(
        Area, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    area_path: BytewiseCharField[str, str] = BytewiseCharField(max_length=255)
    households = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["area_path"], name="building_households_scope")]

    def __str__(self) -> str:
        return f"{self.building_id}: {self.households}"


class Person(Identity):
    """A person in a household, their identity kept as `Identity` keeps it (the ID
    number and phone only encrypted, hashed, masked and by their last four; the birth
    date by its year, the date encrypted)."""

    household = models.ForeignKey(
        Household, verbose_name=_("住户"), on_delete=models.PROTECT, related_name="people"
    )
    area_path = models.CharField(max_length=255)
    name = models.CharField(_("姓名"), max_length=50)
    name_initials = models.CharField(max_length=50, blank=True)
    document_type = models.CharField(
        _("证件类型"), max_length=20, choices=DocumentType.choices, blank=True
    )
    relation = models.CharField(
        _("与户主关系"), max_length=16, choices=Relation.choices, default=Relation.OTHER
    )
    register_place = models.CharField(_("户籍地"), max_length=100, blank=True)
    resident_type = models.CharField(
        _("人口类型"),
        max_length=16,
        choices=ResidentType.choices,
        default=ResidentType.REGISTERED,
    )
    # What a ledger's 备注 or 情况说明 column says of the person (not health data: that
    # lives in a key group, and only there).
    note = models.CharField(_("备注"), max_length=NOTE_LENGTH, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            # One registry entry per identity document in the whole installation.
            models.UniqueConstraint(
                fields=["document_hash"],
                condition=Q(document_hash__isnull=False),
                name="person_document_once",
            ),
        ]
        # One index per way of finding a person (see Household): scope (and name within
        # it), initials by prefix, the tails and the phone hash by equality.
        indexes = [
            models.Index(
                fields=["area_path", "name"],
                name="person_scope",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_initials"],
                name="person_initials",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["document_tail"], name="person_document_tail"),
            models.Index(fields=["phone_tail"], name="person_phone_tail"),
            models.Index(fields=["phone_hash"], name="person_phone_hash"),
        ]

    def __str__(self) -> str:
        return self.name

    def set_document(self, document_type: str, value: str | None) -> None:
        """Keep a checked document number and its type (None clears both)."""
        self.document_type = document_type if value is not None else ""
        self.store_document(value)


# A person's own details: what an edit or an import may replace.
PERSON_DETAIL_FIELDS = (
    "name", "name_initials", "relation", "register_place", "resident_type", "sex",
    "birth_year", "birth_date_cipher", "document_type", "document_cipher", "document_hash",
    "document_masked", "document_tail", "phone_cipher", "phone_hash", "phone_masked",
    "phone_tail", "note",
)  # fmt: skip


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("检查中")
    CHECKED = "checked", _("待确认")
    REFUSED = "refused", _("无法导入")
    IMPORTING = "importing", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    EXPIRED = "expired", _("已过期")


# A job whose step has run this long is stuck (its process died): marked failed.
RUNNING_IMPORT_STATUSES = (ImportStatus.CHECKING, ImportStatus.IMPORTING)


class ImportJob(models.Model):
    """One upload of a ledger: checked first (a dry run), imported when confirmed. The
    file is kept encrypted only until it is imported or abandoned."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("文件名"), max_length=200)
    file_cipher = models.BinaryField(null=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    skip_invalid = models.BooleanField(default=False)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # Summary counts and the problems, masked: row, column, value, reason.
    report = models.JSONField(default=dict, blank=True)
    # {person id: version} of the people the check found to update: the import refuses
    # to overwrite anyone edited since.
    expected_versions = models.JSONField(default=dict, blank=True, editable=False)
    message = models.TextField(blank=True)
    # {column index: field} the uploader chose on the check page ("" leaves it out).
    column_map = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the job last changed step (uploaded, checked, confirmed, done...): the purge
    # erases its file some hours after, and fails a job that stays running too long.
    stepped_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        indexes = [models.Index(fields=["stepped_at"], name="import_job_stepped")]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_IMPORT_STATUSES


class ExportStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    DECLINED = "declined", _("已拒绝")
    DOWNLOADED = "downloaded", _("已下载")
    EXPIRED = "expired", _("已过期")
    FAILED = "failed", _("生成失败")


class ExportRequest(models.Model):
    """A request for the unmasked ledger of an area. A second person who may export there
    approves or declines it; the approved file is built in the background, stored
    encrypted, downloaded by the requester only, and erased when it expires (a request
    left undecided expires too)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("事由"))
    # A masked ledger too large to write during a request (a street, a district): no
    # approval, built in the background the same way, for its requester alone.
    masked = models.BooleanField(_("脱敏"), default=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=ExportStatus.choices, default=ExportStatus.REQUESTED
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    # The deadline for a decision while requested; for the download once approved.
    expires_at = models.DateTimeField(_("有效期至"))
    file_cipher = models.BinaryField(null=True, editable=False)
    rows = models.PositiveIntegerField(_("人数"), null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    download_count = models.PositiveIntegerField(_("下载次数"), default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("完整信息导出申请")
        verbose_name_plural = _("完整信息导出申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(approver__isnull=True) | ~Q(approver=F("requested_by")),
                name="export_request_second_person",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="export_request_due")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.area}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_EXPORT_STATUSES

    @property
    def is_due(self) -> bool:
        """Open but past its time: to be erased (`export_purge`, or when next opened)."""
        return self.is_open and self.expires_at <= timezone.now()

    @property
    def is_building(self) -> bool:
        return self.status == ExportStatus.APPROVED and self.built_at is None

    @property
    def is_ready(self) -> bool:
        """Approved, built and still in time: the requester may download it."""
        downloadable = self.status in (ExportStatus.APPROVED, ExportStatus.DOWNLOADED)
        return downloadable and self.built_at is not None and not self.is_due


# Requests whose time can run out: undecided, or approved with a file to download.
OPEN_EXPORT_STATUSES = (ExportStatus.REQUESTED, ExportStatus.APPROVED, ExportStatus.DOWNLOADED)


class KeyGroup(models.Model):
    """A key group of a response (e.g. 从中高风险地区返回人员), over the response's area."""

    response = models.ForeignKey(
        "responses.Response",
        verbose_name=_("应急响应"),
        on_delete=models.PROTECT,
        related_name="key_groups",
    )
    name = models.CharField(_("名称"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("重点人群")
        verbose_name_plural = _("重点人群")
        constraints = [
            models.UniqueConstraint(fields=["response", "name"], name="key_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class HealthStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    FEVER = "fever", _("发热")
    RESPIRATORY = "respiratory", _("咳嗽等呼吸道症状")
    OTHER = "other", _("其他症状")


class KeyGroupMember(models.Model):
    """A person in a key group. The health, travel and isolation fields live here and
    nowhere else: they exist only for people in a key group, and are purged with the
    response's sensitive data."""

    key_group = models.ForeignKey(KeyGroup, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="key_groups")
    area_path = models.CharField(max_length=255, db_index=True)
    arrived_from = models.CharField(_("来自何地"), max_length=100, blank=True)
    arrived_on = models.DateField(_("抵达日期"), null=True, blank=True)
    travel_mode = models.CharField(_("交通方式"), max_length=100, blank=True)
    health_status = models.CharField(
        _("健康状况"), max_length=16, choices=HealthStatus.choices, default=HealthStatus.NORMAL
    )
    isolation_until = models.DateField(_("居家观察至"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("重点人员")
        verbose_name_plural = _("重点人员")
        constraints = [
            models.UniqueConstraint(
                fields=["key_group", "person"],
                condition=Q(ended_at__isnull=True),
                name="key_group_member_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.key_group}"


class NameGram(models.Model):
    """Each 1- and 2-character piece of a person's name, with the person's area path: the
    index behind "name contains …" search. Chinese names are 2–4 characters and a search
    is usually 1–2, too short for trigram indexes, so the pieces are kept here, on
    SQLite and PostgreSQL alike.

    An import writes four pieces per person, millions for a district, so the table is
    its own index: the key (piece, area path, person) is the search's scan, in area
    order, and nothing else is stored. The person's foreign key has no database
    constraint (millions of per-row checks at commit): its pieces go with the person
    through the ORM's cascade, and `names.reindex` rewrites them."""

    pk = models.CompositePrimaryKey("gram", "area_path", "person")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="name_grams", db_constraint=False
    )
    gram: BytewiseCharField[str, str] = BytewiseCharField(max_length=2)
    area_path: BytewiseCharField[str, str] = BytewiseCharField(max_length=255)

    def __str__(self) -> str:
        return self.gram
