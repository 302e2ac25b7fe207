from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from jijie.areas.models import Area, Compound
from jijie.core.models import Identity


class OrganisationKind(models.TextChoices):
    WORKING_COMMITTEE = "working_committee", _("机关工委")
    AGENCY = "agency", _("机关单位")
    PARTY_COMMITTEE = "party_committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    TEMPORARY_BRANCH = "temporary_branch", _("临时党支部")
    PARTY_GROUP = "party_group", _("党小组")


class Organisation(MP_Node):
    """An agency or party organisation, in a tree: working committee › party committee or
    agency › general branch › branch › party group. A temporary branch is set up in a
    compound or on a project.

    `area_path` is the path of the area the organisation belongs to (city agencies to the
    city): a working committee's role over an area reaches the organisations seated in it.
    """

    steplen = 4

    objects: ClassVar[MP_NodeManager[Organisation]] = MP_NodeManager()  # type: ignore[assignment]

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=OrganisationKind.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="organisations"
    )
    area_path = models.CharField(max_length=255, db_index=True)
    compound = models.ForeignKey(
        Compound,
        verbose_name=_("小区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.CharField(_("项目"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="temporary_branch") | (Q(compound__isnull=True) & Q(project="")),
                name="organisation_place_only_on_temporary_branch",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationRole(models.TextChoices):
    ADMIN = "admin", _("单位管理员")


class OrganisationAssignment(models.Model):
    """A role held over an organisation's subtree (a unit's admin sees its own members
    only). What the role may do is decided in `jijie.areas.access`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_roles"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(
        _("角色"),
        max_length=16,
        choices=OrganisationRole.choices,
        default=OrganisationRole.ADMIN,
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("组织角色")
        verbose_name_plural = _("组织角色")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="organisation_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation}"


class OrganisationLeader(models.Model):
    """A leader of an organisation (书记, 副书记, 组长, 负责人...), one of its members."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="leaders")
    member = models.ForeignKey("Member", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("职务"), max_length=20)

    class Meta:
        verbose_name = _("组织负责人")
        verbose_name_plural = _("组织负责人")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "member"], name="organisation_leader_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.title}"


class Pairing(models.Model):
    """A unit covers a community for a period (包保)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="pairings"
    )
    community = models.ForeignKey(
        Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    community_path = models.CharField(max_length=255, db_index=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("包保")
        verbose_name_plural = _("包保")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="pairing_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.community.name}"


class MemberKind(models.TextChoices):
    PARTY_MEMBER = "party_member", _("党员")
    PROBATIONARY = "probationary", _("预备党员")
    CADRE = "cadre", _("干部")
    CIVIL_SERVANT = "civil_servant", _("公职人员")
    NPC_DEPUTY = "npc_deputy", _("人大代表")
    CPPCC_MEMBER = "cppcc_member", _("政协委员")
    VOLUNTEER = "volunteer", _("居民志愿者")
    RETIRED_PARTY_MEMBER = "retired_party_member", _("离退休党员")


class Skill(models.TextChoices):
    MEDICAL = "medical", _("医护")
    DRIVING = "driving", _("驾驶")
    DIALECT = "dialect", _("方言")
    IT = "it", _("信息技术")
    PSYCHOLOGY = "psychology", _("心理疏导")
    LOGISTICS = "logistics", _("后勤保障")


class Fitness(models.TextChoices):
    FIT = "fit", _("身体健康")
    LIMITED = "limited", _("不宜长时间户外")
    UNFIT = "unfit", _("暂不适合一线")


class Availability(models.TextChoices):
    FULL_TIME = "full_time", _("全天")
    WEEKDAYS = "weekdays", _("工作日")
    EVENINGS = "evenings", _("晚间")
    WEEKENDS = "weekends", _("周末")


class Member(Identity):
    """A party member, cadre, civil servant, deputy or volunteer who can be called up.

    Their identity is kept as the registry's people keep theirs (`core.models.Identity`:
    the ID number and phone encrypted, hashed, masked and by their last four; the birth
    date by its year, the date encrypted); `person` links the member to the registry
    where the same document is registered. `user` is their own account.
    """

    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("身份"), max_length=24, choices=MemberKind.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    residence = models.ForeignKey(
        Area,
        verbose_name=_("居住社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    residence_path = models.CharField(max_length=255, blank=True, db_index=True)
    person = models.ForeignKey(
        "residents.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    # Codes of `Skill`, comma-separated with commas at both ends (",medical,driving,"),
    # so that "has skill X" is one portable `contains` filter.
    skills = models.CharField(_("技能"), max_length=200, blank=True)
    fitness = models.CharField(
        _("身体状况"), max_length=12, choices=Fitness.choices, default=Fitness.FIT
    )
    availability = models.CharField(
        _("可服务时间"),
        max_length=12,
        choices=Availability.choices,
        default=Availability.FULL_TIME,
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        constraints = [
            models.UniqueConstraint(
                fields=["document_hash"],
                condition=Q(document_hash__isnull=False),
                name="member_document_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def skill_list(self) -> list[str]:
        return [code for code in self.skills.split(",") if code]

    def skill_labels(self) -> list[str]:
        labels = dict(Skill.choices)
        return [str(labels.get(code, code)) for code in self.skill_list]


def skills_text(codes: list[str]) -> str:
    """The stored form of a set of skills (",driving,medical,"; "" for none)."""
    chosen = sorted({c for c in codes if c in Skill.values})
    return f",{','.join(chosen)}," if chosen else ""


class CallUpStatus(models.TextChoices):
    OPEN = "open", _("报名中")
    CLOSED = "closed", _("已截止")


class CallUp(models.Model):
    """A call-up (集结号): a working committee calls its members to a response's
    communities, with a quota, a deadline and conditions. `token` addresses the
    shareable sign-up page."""

    response = models.ForeignKey(
        "responses.Response",
        verbose_name=_("应急响应"),
        on_delete=models.PROTECT,
        related_name="call_ups",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("发起组织"), on_delete=models.PROTECT, related_name="call_ups"
    )
    title = models.CharField(_("标题"), max_length=100)
    conditions = models.TextField(_("报名条件"), blank=True)
    quota = models.PositiveIntegerField(_("下沉名额"))
    deadline = models.DateTimeField(_("报名截止"))
    status = models.CharField(
        _("状态"), max_length=8, choices=CallUpStatus.choices, default=CallUpStatus.OPEN
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("集结号")
        verbose_name_plural = _("集结号")
        constraints = [
            models.CheckConstraint(condition=Q(quota__gte=1), name="call_up_quota_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class CallUpTarget(models.Model):
    """A community a call-up sends members to, and how many it needs."""

    call_up = models.ForeignKey(CallUp, on_delete=models.CASCADE, related_name="targets")
    community = models.ForeignKey(
        Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    quota = models.PositiveIntegerField(_("名额"))

    class Meta:
        verbose_name = _("下沉社区")
        verbose_name_plural = _("下沉社区")
        constraints = [
            models.UniqueConstraint(fields=["call_up", "community"], name="call_up_target_once"),
        ]

    def __str__(self) -> str:
        return f"{self.community.name} × {self.quota}"


class SignUpStatus(models.TextChoices):
    REQUESTED = "requested", _("已报名")
    APPROVED = "approved", _("已通过")
    DECLINED = "declined", _("未通过")
    DEPLOYED = "deployed", _("已下沉")
    WITHDRAWN = "withdrawn", _("已退出")
    ENDED = "ended", _("已结束")


class SignUp(models.Model):
    """A member's answer to a call-up, and where screening and deployment took it.

    `unit` is the member's unit (the organisation right under the calling committee) at
    the time, so the funnel counts by unit without walking the tree.
    """

    call_up = models.ForeignKey(CallUp, on_delete=models.PROTECT, related_name="sign_ups")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="sign_ups")
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=SignUpStatus.choices, default=SignUpStatus.REQUESTED
    )
    # The member's own declaration for this call-up (no fever, no contact, fit to serve):
    # it belongs to the response and goes with it.
    health_declared = models.BooleanField(_("健康申报"), default=False)
    availability = models.CharField(
        _("可服务时间"),
        max_length=12,
        choices=Availability.choices,
        default=Availability.FULL_TIME,
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # Why screening decided as it did, per person ("年龄 63 岁,超过 60 岁").
    reason = models.CharField(_("筛选说明"), max_length=200, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [
            # Signing up twice is refused by the database, whatever races the service.
            models.UniqueConstraint(fields=["call_up", "member"], name="sign_up_once"),
        ]
        indexes = [models.Index(fields=["call_up", "status"], name="sign_up_funnel")]

    def __str__(self) -> str:
        return f"{self.member} · {self.call_up}"


class DeploymentStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    ENDED = "ended", _("已结束")
    WITHDRAWN = "withdrawn", _("已撤回")


class Deployment(models.Model):
    """A member sunk to a community for a period (下沉). `residence` is the community the
    member lives in, where they also report (双报到)."""

    sign_up = models.ForeignKey(SignUp, on_delete=models.PROTECT, related_name="deployments")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="deployments")
    community = models.ForeignKey(
        Area, verbose_name=_("下沉社区"), on_delete=models.PROTECT, related_name="+"
    )
    community_path = models.CharField(max_length=255, db_index=True)
    residence = models.ForeignKey(
        Area,
        verbose_name=_("居住社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    residence_path = models.CharField(max_length=255, blank=True, db_index=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=DeploymentStatus.choices,
        default=DeploymentStatus.ACTIVE,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("下沉")
        verbose_name_plural = _("下沉")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="deployment_period_ordered"
            ),
            models.UniqueConstraint(
                fields=["sign_up"],
                condition=Q(status="active"),
                name="deployment_active_once_per_sign_up",
            ),
        ]
        indexes = [models.Index(fields=["member", "status"], name="deployment_member")]

    def __str__(self) -> str:
        return f"{self.member} → {self.community.name}"


class AreaLocation(models.Model):
    """Where a community is (its office), for "nearest" in the proposal. Areas without
    one are compared through the tree only (same community, same street, elsewhere)."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="location")
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)

    class Meta:
        verbose_name = _("位置")
        verbose_name_plural = _("位置")

    def __str__(self) -> str:
        return f"{self.area.name} ({self.latitude}, {self.longitude})"


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    ACCEPTED = "accepted", _("已采纳")
    DISCARDED = "discarded", _("已作废")


class Proposal(models.Model):
    """A proposed deployment of a call-up's approved members, for the committee to edit
    and accept. Lines are only a plan; accepting one deploys its member."""

    call_up = models.ForeignKey(CallUp, on_delete=models.CASCADE, related_name="proposals")
    status = models.CharField(
        _("状态"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("下沉方案")
        verbose_name_plural = _("下沉方案")

    def __str__(self) -> str:
        return f"{self.call_up} · {self.created_at:%Y-%m-%d %H:%M}"


class Nearness(models.IntegerChoices):
    RESIDENCE = 0, _("居住社区")
    STREET = 1, _("同一街道")
    DISTRICT = 2, _("同一区县")
    ELSEWHERE = 3, _("其他")


class ProposalLine(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="lines")
    sign_up = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    nearness = models.PositiveSmallIntegerField(_("距离"), choices=Nearness.choices)
    distance_m = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "sign_up"], name="proposal_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sign_up_id} → {self.community_id}"


class TeamKind(models.TextChoices):
    ASSAULT = "assault", _("突击队")
    VANGUARD = "vanguard", _("先锋队")
    SQUAD = "squad", _("小分队")


class Team(models.Model):
    """A team (突击队, 先锋队, 小分队) with a leader, inside a community or an
    organisation (exactly one of the two)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=TeamKind.choices)
    leader = models.ForeignKey(
        Member, verbose_name=_("队长"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        Area,
        verbose_name=_("社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
    )
    members = models.ManyToManyField(Member, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("队伍")
        verbose_name_plural = _("队伍")
        constraints = [
            models.CheckConstraint(
                condition=Q(community__isnull=False, organisation__isnull=True)
                | Q(community__isnull=True, organisation__isnull=False),
                name="team_in_community_or_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意")
    DECLINED = "declined", _("已拒绝")


class MemberClaim(models.Model):
    """A sign-up that says it is an already registered member and cannot prove it
    itself: an account that is not the member's own asks for their record, or someone
    gives the member's ID number with another phone than the registered one. Knowing
    someone's ID number and phone is no proof, so the member's unit (whoever may edit the
    member) reviews it; until it is approved nothing of the member's changes and the
    account sees nothing of them. Approving links the account (if any) to the member,
    makes the phone given theirs, and signs the member up for the call-up with the
    declaration given here.

    The phone is the one given with the claim, stored like the member's."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="claims")
    call_up = models.ForeignKey(CallUp, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请账号"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("填写的姓名"), max_length=50)
    phone_cipher = models.BinaryField(null=True, editable=False)
    phone_hash = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001
    phone_masked = models.CharField(_("填写的电话"), max_length=20, blank=True)
    phone_tail = models.CharField(max_length=4, blank=True)
    health_declared = models.BooleanField(_("健康申报"), default=False)
    availability = models.CharField(
        _("可服务时间"),
        max_length=12,
        choices=Availability.choices,
        default=Availability.FULL_TIME,
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    reason = models.CharField(_("审核说明"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("认领申请")
        verbose_name_plural = _("认领申请")
        indexes = [models.Index(fields=["status", "created_at"], name="member_claim_pending")]

    def __str__(self) -> str:
        return f"{self.name} → {self.member}"


class MemberNotice(models.Model):
    """A message to a member about their record, shown on their own page (as duty's
    notices are on their shifts page): someone asked for their record, the unit
    decided."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("队员通知")
        verbose_name_plural = _("队员通知")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text


class SignUpAttempt(models.Model):
    """An attempt on a public sign-up link, kept while the throttle's window lasts
    (`services.throttle`): one row for the client's address and one for the link, each
    under a keyed hash, so that no address is stored."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "at"], name="sign_up_attempt_key"),
            models.Index(fields=["at"], name="sign_up_attempt_at"),
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]} · {self.at:%Y-%m-%d %H:%M:%S}"
