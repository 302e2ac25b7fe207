"""Writes of mobilization: organisations, members, call-ups, sign-ups and their
screening, deployments and teams. Each checks first, then writes in one transaction with
its audit row. Plain ID numbers and phones pass through here only (as in the registry).

A sign-up moves through these states; every other move is refused with a message that
names the state it is in:

    requested → approved | declined | withdrawn
    approved  → deployed | declined | withdrawn
    declined  → approved            (a committee may reconsider)
    deployed  → withdrawn | ended
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from jijie.accounts.audit import audit_record
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area, AreaKind, Compound
from jijie.core.identity import check_document, check_phone
from jijie.mobilization.models import (
    Availability,
    CallUp,
    CallUpStatus,
    CallUpTarget,
    Deployment,
    DeploymentStatus,
    Fitness,
    Member,
    MemberKind,
    Organisation,
    OrganisationAssignment,
    OrganisationKind,
    OrganisationRole,
    Pairing,
    SignUp,
    SignUpStatus,
    Team,
    TeamKind,
    skills_text,
)
from jijie.residents.models import Person, stored
from jijie.responses.models import Response

if TYPE_CHECKING:
    from jijie.accounts.models import User

COMMUNITY_KINDS = (AreaKind.COMMUNITY, AreaKind.VILLAGE)
# Ids per `pk IN (...)` of a bulk update: under SQLite's oldest limit on parameters.
UPDATE_CHUNK = 900

TRANSITIONS: dict[str, frozenset[str]] = {
    SignUpStatus.REQUESTED: frozenset(
        {SignUpStatus.APPROVED, SignUpStatus.DECLINED, SignUpStatus.WITHDRAWN}
    ),
    SignUpStatus.APPROVED: frozenset(
        {SignUpStatus.DEPLOYED, SignUpStatus.DECLINED, SignUpStatus.WITHDRAWN}
    ),
    SignUpStatus.DECLINED: frozenset({SignUpStatus.APPROVED}),
    SignUpStatus.DEPLOYED: frozenset({SignUpStatus.WITHDRAWN, SignUpStatus.ENDED}),
    SignUpStatus.WITHDRAWN: frozenset(),
    SignUpStatus.ENDED: frozenset(),
}


def _area_of(organisation: Organisation) -> Area:
    return Area(path=organisation.area_path)


def require_manage(actor: User | None, organisation: Organisation) -> None:
    """The actor may call up, screen and deploy for `organisation` (None is the system)."""
    if actor is not None:
        access.require_organisation(
            actor,
            Action.MOBILIZATION_MANAGE,
            path=organisation.path,
            area_path=organisation.area_path,
        )


def _check_community(area: Area, field_name: str) -> None:
    if area.kind not in COMMUNITY_KINDS:
        raise ValidationError({field_name: _("“%(name)s”不是社区或村。") % {"name": area.name}})


# Organisations ---------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    area: Area,
    parent: Organisation | None = None,
    compound: Compound | None = None,
    project: str = "",
) -> Organisation:
    """Add an organisation under `parent` (a root is a working committee)."""
    if actor is not None:
        if parent is not None:
            require_manage(actor, parent)
        else:
            access.require(actor, Action.MOBILIZATION_MANAGE, area)
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("名称不能为空。")
    if kind not in OrganisationKind.values:
        errors["kind"] = _("“%(value)s”不是可选的值。") % {"value": kind}
    if (compound is not None or project.strip()) and kind != OrganisationKind.TEMPORARY_BRANCH:
        errors["kind"] = _("只有临时党支部设在小区或项目上。")
    if kind == OrganisationKind.TEMPORARY_BRANCH and compound is None and not project.strip():
        errors["project"] = _("临时党支部要写明所在的小区或项目。")
    if parent is None and kind != OrganisationKind.WORKING_COMMITTEE:
        errors["kind"] = _("最上级组织应为机关工委。")
    if errors:
        raise ValidationError(errors)
    fields = {
        "name": name,
        "kind": kind,
        "area": area,
        "area_path": area.path,
        "compound": compound,
        "project": project.strip(),
    }
    organisation = (
        Organisation.objects.add_root(create_kwargs=fields)
        if parent is None
        else Organisation.objects.add_child(parent, create_kwargs=fields)
    )
    audit_record(
        actor=actor, action="organisation.create", target=organisation, area=_area_of(organisation)
    )
    return organisation


@transaction.atomic
def organisation_admin_grant(
    *, actor: User | None, user: User, organisation: Organisation
) -> OrganisationAssignment:
    """Make `user` the admin of a unit (sees and keeps that unit's members only)."""
    require_manage(actor, organisation)
    assignment, _created = OrganisationAssignment.objects.get_or_create(
        user=user, organisation=organisation, role=OrganisationRole.ADMIN
    )
    access.forget(user)
    audit_record(
        actor=actor,
        action="organisation.admin_grant",
        target=assignment,
        area=_area_of(organisation),
        data={"user": user.pk},
    )
    return assignment


@transaction.atomic
def pairing_create(
    *,
    actor: User | None,
    organisation: Organisation,
    community: Area,
    starts_on: date,
    ends_on: date | None = None,
) -> Pairing:
    """A unit covers a community for a period (包保)."""
    require_manage(actor, organisation)
    _check_community(community, "community")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    pairing = Pairing.objects.create(
        organisation=organisation,
        community=community,
        community_path=community.path,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    audit_record(actor=actor, action="pairing.create", target=pairing, area=community)
    return pairing


# Members ---------------------------------------------------------------------------


@dataclass
class MemberData:
    name: str
    kind: str = MemberKind.PARTY_MEMBER
    # None keeps what is stored (an edit never shows the full values); "" clears.
    document_number: str | None = ""
    phone: str | None = ""
    organisation: Organisation | None = None
    residence: Area | None = None
    skills: list[str] = field(default_factory=list)
    fitness: str = Fitness.FIT
    availability: str = Availability.FULL_TIME


@sensitive_variables("data", "document", "phone")
def _apply(member: Member, data: MemberData) -> list[str]:
    """Validate `data` onto `member`, raising one ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    name = data.name.strip()
    if not name:
        errors["name"] = [_("姓名不能为空。")]
    elif len(name) > 50:
        errors["name"] = [_("姓名不能超过 50 个字。")]
    for choice, values, field_name in [
        (data.kind, MemberKind.values, "kind"),
        (data.fitness, Fitness.values, "fitness"),
        (data.availability, Availability.values, "availability"),
    ]:
        if choice not in values:
            errors[field_name] = [_("“%(value)s”不是可选的值。") % {"value": choice}]
    if data.residence is not None and data.residence.kind not in COMMUNITY_KINDS:
        errors["residence"] = [_("居住社区应为社区或村。")]
    document = None
    if data.document_number is not None and data.document_number.strip():
        try:
            document = check_document("resident_id", data.document_number)
        except ValidationError as error:
            errors["document_number"] = error.messages
    elif data.document_number == "" and member.pk is None:
        errors["document_number"] = [_("请填写身份证号,用于核对身份和防止重复报名。")]
    phone = None
    if data.phone is not None and data.phone.strip():
        try:
            phone = check_phone(data.phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    elif data.phone == "" and member.pk is None:
        errors["phone"] = [_("请填写联系电话。")]
    if errors:
        raise ValidationError(errors)

    member.name = name
    member.kind = data.kind
    member.organisation = data.organisation
    member.residence = data.residence
    member.residence_path = data.residence.path if data.residence is not None else ""
    member.skills = skills_text(data.skills)
    member.fitness = data.fitness
    member.availability = data.availability
    if document is not None:
        warnings += document.warnings
        (
            member.document_cipher,
            member.document_hash,
            member.document_masked,
            member.document_tail,
        ) = stored("id", document.value)
        member.birth_date = document.birth_date
        member.sex = document.sex or ""
    if phone is not None:
        member.phone_cipher, member.phone_hash, member.phone_masked, member.phone_tail = stored(
            "phone", phone
        )
    return warnings


def _check_unique_document(member: Member) -> None:
    if member.document_hash is None:
        return
    if Member.objects.filter(document_hash=member.document_hash).exclude(pk=member.pk).exists():
        raise ValidationError(
            {"document_number": _("此身份证号已登记为队员,请勿重复登记;如需修改请联系所在单位。")}
        )


def _link_person(member: Member) -> None:
    """Link the member to the registry's person with the same document, if any."""
    if member.document_hash is not None:
        member.person = Person.objects.filter(document_hash=member.document_hash).first()


def _require_member_edit(actor: User | None, member: Member) -> None:
    if actor is None or access.is_self(actor, member.user_id):
        return
    organisation = member.organisation
    if organisation is None:
        if not access.may(actor, Action.MEMBER_EDIT, Area(path=member.residence_path or "-")):
            raise PermissionDenied(_("您的角色不能修改该队员的信息。"))
        return
    access.require_organisation(
        actor, Action.MEMBER_EDIT, path=organisation.path, area_path=organisation.area_path
    )


@dataclass
class SavedMember:
    member: Member
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def member_register(
    *, actor: User | None, data: MemberData, user: User | None = None
) -> SavedMember:
    """Register a member (by their unit's admin, the committee, or themselves on a
    sign-up page, where `actor` is None)."""
    member = Member(user=user)
    if actor is not None and data.organisation is not None:
        access.require_organisation(
            actor,
            Action.MEMBER_EDIT,
            path=data.organisation.path,
            area_path=data.organisation.area_path,
        )
    warnings = _apply(member, data)
    _check_unique_document(member)
    _link_person(member)
    member.save()
    audit_record(
        actor=actor,
        action="member.register",
        target=member,
        area=Area(path=member.residence_path),
    )
    return SavedMember(member, warnings)


@transaction.atomic
def member_update(*, actor: User, member: Member, version: int, data: MemberData) -> SavedMember:
    """Replace a member's details (their unit's admin, or the member on their own page).
    `version` is the one the editor read; a save in between refuses this one."""
    _require_member_edit(actor, member)
    current = Member.objects.select_for_update().get(pk=member.pk)
    if current.version != version:
        raise ValidationError(_("此队员信息已被他人修改,请刷新后再改。"), code="conflict")
    before = {
        f: getattr(current, f)
        for f in ("name", "kind", "organisation_id", "residence_id", "phone_hash", "skills")
    }
    warnings = _apply(current, data)
    _check_unique_document(current)
    _link_person(current)
    current.version += 1
    current.save()
    changed = sorted(f for f, v in before.items() if getattr(current, f) != v)
    audit_record(
        actor=actor,
        action="member.update",
        target=current,
        area=Area(path=current.residence_path),
        data={"changed": changed},
    )
    return SavedMember(current, warnings)


# Call-ups --------------------------------------------------------------------------


@dataclass
class Target:
    community: Area
    quota: int


@transaction.atomic
def call_up_issue(
    *,
    actor: User | None,
    response: Response,
    organisation: Organisation,
    title: str,
    quota: int,
    deadline: datetime,
    targets: list[Target],
    conditions: str = "",
) -> CallUp:
    """A committee sounds a call-up for a response: how many it needs, where, by when."""
    require_manage(actor, organisation)
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = _("标题不能为空。")
    if not response.is_active:
        errors["response"] = _("该应急响应已经结束,不能再发集结号。")
    if quota < 1:
        errors["quota"] = _("下沉名额至少为 1。")
    if deadline <= timezone.now():
        errors["deadline"] = _("报名截止时间应在现在之后。")
    seen: set[int] = set()
    for target in targets:
        if target.community.kind not in COMMUNITY_KINDS:
            errors["targets"] = _("“%(name)s”不是社区或村。") % {"name": target.community.name}
        elif not target.community.path.startswith(response.area_path):
            errors["targets"] = _("“%(name)s”不在“%(response)s”的范围内。") % {
                "name": target.community.name,
                "response": response.name,
            }
        elif target.community.pk in seen:
            errors["targets"] = _("“%(name)s”重复了。") % {"name": target.community.name}
        elif target.quota < 1:
            errors["targets"] = _("“%(name)s”的名额至少为 1。") % {"name": target.community.name}
        seen.add(target.community.pk)
    if targets and sum(t.quota for t in targets) > quota:
        errors["targets"] = _("各社区名额之和(%(sum)s)超过了下沉名额(%(quota)s)。") % {
            "sum": sum(t.quota for t in targets),
            "quota": quota,
        }
    if errors:
        raise ValidationError(errors)
    call_up = CallUp.objects.create(
        response=response,
        organisation=organisation,
        title=title,
        conditions=conditions.strip(),
        quota=quota,
        deadline=deadline,
        token=secrets.token_urlsafe(12),
        created_by=actor,
    )
    CallUpTarget.objects.bulk_create(
        CallUpTarget(call_up=call_up, community=t.community, quota=t.quota) for t in targets
    )
    audit_record(
        actor=actor,
        action="call_up.issue",
        target=call_up,
        area=_area_of(organisation),
        data={"quota": quota, "targets": len(targets)},
    )
    return call_up


@transaction.atomic
def call_up_close(*, actor: User | None, call_up: CallUp) -> CallUp:
    """Stop taking sign-ups (screening and deployment go on)."""
    require_manage(actor, call_up.organisation)
    current = CallUp.objects.select_for_update().get(pk=call_up.pk)
    if current.status == CallUpStatus.CLOSED:
        raise ValidationError(_("该集结号已经截止报名。"))
    current.status = CallUpStatus.CLOSED
    current.save(update_fields=["status"])
    audit_record(
        actor=actor, action="call_up.close", target=current, area=_area_of(current.organisation)
    )
    return current


def _unit_of(call_up: CallUp, organisation: Organisation | None) -> Organisation | None:
    """The member's unit: their organisation's ancestor right under the calling
    committee (or the organisation itself if it is the committee or outside it)."""
    if organisation is None:
        return None
    root = call_up.organisation
    depth = root.depth + 1
    if organisation.path.startswith(root.path) and organisation.depth > depth:
        return Organisation.objects.get(path=organisation.path[: depth * Organisation.steplen])
    return organisation


def sign_up_open(call_up: CallUp) -> str | None:
    """Why the call-up takes no sign-ups now, or None when it does."""
    if call_up.status != CallUpStatus.OPEN:
        return _("该集结号已经截止报名。")
    if call_up.deadline <= timezone.now():
        return _("报名时间已过(截止于 %(deadline)s)。") % {
            "deadline": timezone.localtime(call_up.deadline).strftime("%Y-%m-%d %H:%M")
        }
    if not call_up.response.is_active:
        return _("该应急响应已经结束。")
    return None


@dataclass
class SignUpData:
    """What a member gives on the sign-up page: who they are (matched to an existing
    member by ID number), and their declaration for this call-up."""

    member: MemberData
    health_declared: bool = False
    availability: str = Availability.FULL_TIME
    note: str = ""


@sensitive_variables("data")
@transaction.atomic
def sign_up_submit(*, call_up: CallUp, data: SignUpData, user: User | None = None) -> SignUp:
    """A member signs up for a call-up. Whoever has the call-up's link may sign up; a
    person already registered as a member (same ID number) signs up as that member and
    their record is not changed by the form. Signing up twice is refused."""
    refusal = sign_up_open(call_up)
    if refusal:
        raise ValidationError(refusal, code="closed")
    if data.availability not in Availability.values:
        raise ValidationError(
            {"availability": _("“%(value)s”不是可选的值。") % {"value": data.availability}}
        )
    own = Member.objects.filter(user=user).first() if user is not None else None
    probe = Member()
    if own is None:
        _apply(probe, data.member)
        existing = Member.objects.filter(document_hash=probe.document_hash).first()
    else:
        existing = own
    if existing is not None and own is None and existing.phone_hash != probe.phone_hash:
        # Someone who knows a member's ID number cannot sign them up from another phone.
        raise ValidationError(
            {
                "phone": _(
                    "该身份证号已登记为队员,但手机号与登记的不一致。请填写登记的手机号,或联系所在单位修改。"
                )
            }
        )
    if existing is not None:
        member = existing
        if member.user_id is None and user is not None:
            member.user = user
            member.save(update_fields=["user"])
    else:
        probe.user = user
        _link_person(probe)
        probe.save()
        member = probe
        audit_record(
            actor=None,
            action="member.register",
            target=member,
            area=Area(path=member.residence_path),
        )
    duplicate = _("您已报名本次集结号,无需重复报名。可在“我的集结”查看报名状态。")
    if SignUp.objects.filter(call_up=call_up, member=member).exists():
        raise ValidationError(duplicate, code="duplicate")
    try:
        with transaction.atomic():
            sign_up = SignUp.objects.create(
                call_up=call_up,
                member=member,
                unit=_unit_of(call_up, member.organisation),
                health_declared=data.health_declared,
                availability=data.availability,
                note=data.note.strip()[:200],
            )
    except IntegrityError:  # a second submission that raced the first
        raise ValidationError(duplicate, code="duplicate") from None
    audit_record(
        actor=user,
        action="sign_up.submit",
        target=sign_up,
        area=_area_of(call_up.organisation),
        data={"call_up": call_up.pk},
    )
    return sign_up


# Screening -------------------------------------------------------------------------


@dataclass
class ScreeningRules:
    """Conditions applied in bulk to the call-up's requested sign-ups."""

    min_age: int | None = 18
    max_age: int | None = 60
    require_health_declaration: bool = True
    kinds: list[str] = field(default_factory=list)  # empty: every kind
    exclude_unfit: bool = True


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def screening_reasons(
    rules: ScreeningRules,
    today: date,
    *,
    birth_date: date | None,
    kind: str,
    fitness: str,
    health_declared: bool,
) -> list[str]:
    """Why a sign-up fails the rules (empty when it passes)."""
    reasons: list[str] = []
    if birth_date is not None:
        age = _age(birth_date, today)
        if rules.min_age is not None and age < rules.min_age:
            reasons.append(
                _("年龄 %(age)s 岁,低于 %(min)s 岁") % {"age": age, "min": rules.min_age}
            )
        if rules.max_age is not None and age > rules.max_age:
            reasons.append(
                _("年龄 %(age)s 岁,超过 %(max)s 岁") % {"age": age, "max": rules.max_age}
            )
    elif rules.min_age is not None or rules.max_age is not None:
        reasons.append(_("缺少出生日期,无法核对年龄"))
    if rules.require_health_declaration and not health_declared:
        reasons.append(_("未作健康申报"))
    if rules.kinds and kind not in rules.kinds:
        reasons.append(_("身份“%(kind)s”不在本次招募范围") % {"kind": MemberKind(kind).label})
    if rules.exclude_unfit and fitness == Fitness.UNFIT:
        reasons.append(_("身体状况暂不适合一线"))
    return reasons


@dataclass
class Screened:
    approved: int
    declined: int


@transaction.atomic
def screening_apply(
    *, actor: User | None, call_up: CallUp, rules: ScreeningRules, today: date | None = None
) -> Screened:
    """Apply `rules` to every requested sign-up of the call-up: each is approved or
    declined, with the reason recorded on it. Sign-ups already decided are left alone."""
    require_manage(actor, call_up.organisation)
    if rules.min_age is not None and rules.max_age is not None and rules.min_age > rules.max_age:
        raise ValidationError({"max_age": _("年龄上限不能低于下限。")})
    if any(kind not in MemberKind.values for kind in rules.kinds):
        raise ValidationError({"kinds": _("身份中有不可选的值。")})
    today = today or timezone.localdate()
    now = timezone.now()
    # Only the columns the rules read: ten thousand sign-ups are read, not instantiated.
    pending = list(
        SignUp.objects.select_for_update(of=("self",))
        .filter(call_up=call_up, status=SignUpStatus.REQUESTED)
        .order_by("pk")
        .values_list(
            "pk", "health_declared", "member__birth_date", "member__kind", "member__fitness"
        )
    )
    # One UPDATE per outcome: everyone approved shares a reason, and the declined share a
    # few (the ages over the limit, no declaration...). A CASE per row for ten thousand
    # rows (bulk_update) takes seconds.
    outcomes: dict[tuple[str, str], list[int]] = {}
    for pk, health_declared, birth_date, kind, fitness in pending:
        reasons = screening_reasons(
            rules,
            today,
            birth_date=birth_date,
            kind=kind,
            fitness=fitness,
            health_declared=health_declared,
        )
        status: str = SignUpStatus.DECLINED if reasons else SignUpStatus.APPROVED
        reason = ("; ".join(reasons) if reasons else _("符合报名条件"))[:200]
        outcomes.setdefault((status, reason), []).append(pk)
    for (status, reason), pks in outcomes.items():
        for start in range(0, len(pks), UPDATE_CHUNK):
            SignUp.objects.filter(pk__in=pks[start : start + UPDATE_CHUNK]).update(
                status=status, reason=reason, screened_by=actor, screened_at=now, updated_at=now
            )
    approved = sum(
        len(pks) for (status, _r), pks in outcomes.items() if status == SignUpStatus.APPROVED
    )
    result = Screened(approved=approved, declined=len(pending) - approved)
    audit_record(
        actor=actor,
        action="call_up.screen",
        target=call_up,
        area=_area_of(call_up.organisation),
        data={
            "approved": result.approved,
            "declined": result.declined,
            "rules": {
                "min_age": rules.min_age,
                "max_age": rules.max_age,
                "require_health_declaration": rules.require_health_declaration,
                "kinds": rules.kinds,
                "exclude_unfit": rules.exclude_unfit,
            },
        },
    )
    return result


def _refuse_move(sign_up: SignUp, to: str) -> ValidationError:
    label = dict(SignUpStatus.choices)
    return ValidationError(
        _("%(name)s 的报名目前是“%(state)s”,不能改为“%(target)s”。")
        % {
            "name": sign_up.member.name,
            "state": label[sign_up.status],
            "target": label[to],
        },
        code="transition",
    )


def _locked_sign_up(sign_up: SignUp) -> SignUp:
    return (
        SignUp.objects.select_for_update(of=("self",))
        .select_related("member", "call_up__organisation")
        .get(pk=sign_up.pk)
    )


def _move(actor: User | None, sign_up: SignUp, to: str, reason: str) -> SignUp:
    current = _locked_sign_up(sign_up)
    if to not in TRANSITIONS[current.status]:
        raise _refuse_move(current, to)
    origin = current.status
    current.status = to
    if to in (SignUpStatus.APPROVED, SignUpStatus.DECLINED):
        current.reason = reason.strip()[:200]
        current.screened_by = actor
        current.screened_at = timezone.now()
    current.save()
    audit_record(
        actor=actor,
        action=f"sign_up.{to}",
        target=current,
        area=_area_of(current.call_up.organisation),
        reason=reason.strip(),
        data={"from": origin},
    )
    return current


@transaction.atomic
def sign_up_approve(*, actor: User | None, sign_up: SignUp, reason: str = "") -> SignUp:
    require_manage(actor, sign_up.call_up.organisation)
    return _move(actor, sign_up, SignUpStatus.APPROVED, reason or _("人工审核通过"))


@transaction.atomic
def sign_up_decline(*, actor: User | None, sign_up: SignUp, reason: str) -> SignUp:
    require_manage(actor, sign_up.call_up.organisation)
    if not reason.strip():
        raise ValidationError({"reason": _("请写明不通过的原因,报名人可以看到。")})
    return _move(actor, sign_up, SignUpStatus.DECLINED, reason)


@transaction.atomic
def sign_up_withdraw(*, actor: User, sign_up: SignUp, reason: str = "") -> SignUp:
    """The member (on their own page) or the committee takes a sign-up back; a member
    deployed under it is recalled the same day."""
    if not access.is_self(actor, sign_up.member.user_id):
        require_manage(actor, sign_up.call_up.organisation)
    current = _move(actor, sign_up, SignUpStatus.WITHDRAWN, reason)
    _finish_deployments(current, DeploymentStatus.WITHDRAWN, timezone.localdate())
    return current


def _finish_deployments(sign_up: SignUp, status: str, on: date) -> None:
    for deployment in Deployment.objects.select_for_update().filter(
        sign_up=sign_up, status=DeploymentStatus.ACTIVE
    ):
        deployment.status = status
        deployment.ends_on = max(min(deployment.ends_on, on), deployment.starts_on)
        deployment.save(update_fields=["status", "ends_on"])


# Deployment ------------------------------------------------------------------------


def quota_left(call_up: CallUp) -> tuple[int, dict[int, int]]:
    """(places left in the whole call-up, {community id: places left}) counting active
    deployments. Call it with the call-up row locked."""
    active = Deployment.objects.filter(sign_up__call_up=call_up, status=DeploymentStatus.ACTIVE)
    by_community = dict(
        active.values("community_id").annotate(n=Count("pk")).values_list("community_id", "n")
    )
    targets = {t.community_id: t.quota for t in call_up.targets.all()}
    left = {pk: quota - by_community.get(pk, 0) for pk, quota in targets.items()}
    return call_up.quota - sum(by_community.values()), left


def overlap_of(member: Member, starts_on: date, ends_on: date) -> Deployment | None:
    """The member's active deployment that overlaps the period, if any."""
    return (
        Deployment.objects.filter(
            member=member,
            status=DeploymentStatus.ACTIVE,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        )
        .select_related("community")
        .first()
    )


def overlap_error(member: Member, other: Deployment) -> ValidationError:
    return ValidationError(
        _(
            "%(name)s 已在 %(start)s 至 %(end)s 下沉到“%(community)s”,时间重叠:一个人不能同时在两处。"
        )
        % {
            "name": member.name,
            "start": other.starts_on.isoformat(),
            "end": other.ends_on.isoformat(),
            "community": other.community.name,
        },
        code="overlap",
    )


def check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})


@transaction.atomic
def deployment_create(
    *,
    actor: User | None,
    sign_up: SignUp,
    community: Area,
    starts_on: date,
    ends_on: date,
) -> Deployment:
    """Sink an approved member to one of the call-up's communities for a period.

    Refused: a sign-up not approved, a community the call-up does not target, a full
    community or call-up, a period overlapping the member's other active deployment.
    The call-up row is locked for the quotas and the member row for the overlap, so
    two committees deploying at once cannot both take the last place or the same person.
    """
    require_manage(actor, sign_up.call_up.organisation)
    check_period(starts_on, ends_on)
    call_up = CallUp.objects.select_for_update().get(pk=sign_up.call_up_id)
    current = _locked_sign_up(sign_up)
    if current.status != SignUpStatus.APPROVED:
        raise _refuse_move(current, SignUpStatus.DEPLOYED)
    member = Member.objects.select_for_update().get(pk=current.member_id)
    total_left, left = quota_left(call_up)
    if community.pk not in left:
        raise ValidationError(
            {"community": _("“%(name)s”不是本次集结号的下沉社区。") % {"name": community.name}}
        )
    if left[community.pk] <= 0:
        raise ValidationError(
            {"community": _("“%(name)s”的名额已满。") % {"name": community.name}}, code="quota"
        )
    if total_left <= 0:
        raise ValidationError(
            _("本次集结号的 %(quota)s 个下沉名额已满。") % {"quota": call_up.quota}, code="quota"
        )
    other = overlap_of(member, starts_on, ends_on)
    if other is not None:
        raise overlap_error(member, other)
    deployment = Deployment.objects.create(
        sign_up=current,
        member=member,
        community=community,
        community_path=community.path,
        residence_id=member.residence_id,
        residence_path=member.residence_path,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    current.status = SignUpStatus.DEPLOYED
    current.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="deployment.create",
        target=deployment,
        area=community,
        data={"sign_up": current.pk},
    )
    return deployment


@transaction.atomic
def deployment_end(*, actor: User | None, deployment: Deployment, on: date | None = None) -> SignUp:
    """End a member's deployment (the work is done); the sign-up ends with it."""
    sign_up = deployment.sign_up
    require_manage(actor, sign_up.call_up.organisation)
    current = _move(actor, sign_up, SignUpStatus.ENDED, "")
    _finish_deployments(current, DeploymentStatus.ENDED, on or timezone.localdate())
    return current


# Teams -----------------------------------------------------------------------------


@transaction.atomic
def team_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    leader: Member,
    members: list[Member],
    community: Area | None = None,
    organisation: Organisation | None = None,
) -> Team:
    """A team with a leader, inside a community (its secretary forms it from members
    deployed there or living there) or an organisation (the committee forms it)."""
    if (community is None) == (organisation is None):
        raise ValidationError(_("队伍要么属于一个社区,要么属于一个组织。"))
    if actor is not None:
        if community is not None:
            access.require(actor, Action.TEAM_MANAGE, community)
        elif organisation is not None:
            require_manage(actor, organisation)
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("名称不能为空。")
    if kind not in TeamKind.values:
        errors["kind"] = _("“%(value)s”不是可选的值。") % {"value": kind}
    everyone = {m.pk: m for m in [leader, *members]}
    if community is not None:
        _check_community(community, "community")
        today = timezone.localdate()
        here = set(
            Member.objects.filter(pk__in=everyone)
            .filter(
                Q(residence_path__startswith=community.path)
                | Q(
                    deployments__community=community,
                    deployments__status=DeploymentStatus.ACTIVE,
                    deployments__ends_on__gte=today,
                )
            )
            .values_list("pk", flat=True)
        )
    else:
        assert organisation is not None
        here = set(
            Member.objects.filter(
                pk__in=everyone, organisation__path__startswith=organisation.path
            ).values_list("pk", flat=True)
        )
    strangers = [m.name for pk, m in everyone.items() if pk not in here]
    if strangers:
        errors["members"] = _("这些人不在本社区(或本组织):%(names)s。") % {
            "names": "、".join(strangers)
        }
    if errors:
        raise ValidationError(errors)
    team = Team.objects.create(
        name=name, kind=kind, leader=leader, community=community, organisation=organisation
    )
    team.members.set(list(everyone.values()))
    place = community if community is not None else _area_of(organisation)  # type: ignore[arg-type]
    audit_record(
        actor=actor, action="team.create", target=team, area=place, data={"size": len(everyone)}
    )
    return team
