"""Writes of inspections: teams and their checklists, plans drawn at random, the visit
recorded with its checklist, findings and rectification orders, the fix reported, and
the re-inspection that closes or escalates an order.

Each comes in two steps (docs/architecture.md): a checked entry takes a user and checks
access once; its `do_` write takes whoever acts and writes in one transaction with its
audit row. A write that depends on a row's state locks it first."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.core import text, uploads
from jijie.inspections import draws, targets
from jijie.inspections.models import (
    ChecklistItem,
    Finding,
    FindingKind,
    Order,
    OrderState,
    Photo,
    Plan,
    Recheck,
    Severity,
    TargetKind,
    Team,
    Visit,
)
from jijie.mobilization.models import Deployment, DeploymentStatus, Member
from jijie.responses.models import Response

if TYPE_CHECKING:
    from jijie.accounts.models import User

MAX_PLAN_DAYS = 31
MAX_PLAN_SIZE = 500
# How long an owner has to fix what was found, by its severity.
FIX_HOURS = {Severity.MINOR: 72, Severity.MAJOR: 24, Severity.CRITICAL: 4}
ANSWERS = ("pass", "fail", "na")


def _choice(value: str, values: list[str], field: str) -> None:
    if value not in values:
        raise ValidationError({field: _("“%(value)s”不是可选的值。") % {"value": value}})


def _photos(upload_list: list[uploads.Upload], field: str) -> list[uploads.Checked]:
    return [
        uploads.check(u, field=field, kinds=uploads.IMAGES, label=_("照片")) for u in upload_list
    ]


# Teams and checklists -------------------------------------------------------------------


def team_create(
    *,
    actor: User,
    response: Response,
    area: Area,
    name: str,
    members: list[User],
    covers: list[Area],
) -> Team:
    """`do_team_create` by someone who manages inspections over `area`, covering areas
    of their own."""
    access.require(actor, Action.INSPECTION_MANAGE, area)
    return do_team_create(
        actor=actor, response=response, area=area, name=name, members=members, covers=covers
    )


@transaction.atomic
def do_team_create(
    *,
    actor: Actor,
    response: Response,
    area: Area,
    name: str,
    members: list[User],
    covers: list[Area],
) -> Team:
    cleaned = text.bounded(name, field="name", label=_("名称"), limit=60, required=True)
    if not members:
        raise ValidationError({"members": _("督查组至少要有一名组员。")})
    if not covers:
        raise ValidationError({"covers": _("请选择督查范围。")})
    if any(not a.path.startswith(area.path) for a in covers):
        raise ValidationError({"covers": _("督查范围须在本单位的辖区内。")})
    if Team.objects.filter(response=response, name=cleaned).exists():
        raise ValidationError({"name": _("已有名为“%(name)s”的督查组。") % {"name": cleaned}})
    team = Team.objects.create(response=response, area=area, area_path=area.path, name=cleaned)
    team.members.set(members)
    team.covers.set(covers)
    audit_record(actor=actor, action="inspections.team_create", target=team, area=area)
    return team


def checklist_set(*, actor: User, response: Response, kind: str, lines: list[str]) -> None:
    """`do_checklist_set` by someone who manages inspections over the response's area."""
    access.require_path(actor, Action.INSPECTION_MANAGE, response.area_path)
    do_checklist_set(actor=actor, response=response, kind=kind, lines=lines)


@transaction.atomic
def do_checklist_set(*, actor: Actor, response: Response, kind: str, lines: list[str]) -> None:
    """The checklist of a target kind becomes `lines`, in order: a line kept keeps its
    row (and the answers given to it), a new one is added, one left out is retired."""
    _choice(kind, TargetKind.values, "kind")
    cleaned = []
    for number, line in enumerate(lines, start=1):
        said = text.bounded(line, field="lines", label=_("第 %(n)s 项") % {"n": number}, limit=200)
        if said and said not in cleaned:
            cleaned.append(said)
    if not cleaned:
        raise ValidationError({"lines": _("检查表至少要有一项。")})
    current = {i.text: i for i in ChecklistItem.objects.filter(response=response, kind=kind)}
    for position, line in enumerate(cleaned):
        item = current.pop(line, None)
        if item is None:
            ChecklistItem.objects.create(response=response, kind=kind, text=line, position=position)
        else:
            item.position, item.is_active = position, True
            item.save(update_fields=["position", "is_active"])
    ChecklistItem.objects.filter(pk__in=[i.pk for i in current.values()]).update(is_active=False)
    audit_record(
        actor=actor,
        action="inspections.checklist_set",
        target=response,
        data={"kind": kind, "lines": len(cleaned)},
    )


# Plans ---------------------------------------------------------------------------------


def require_team_office(actor: User, team: Team) -> None:
    """A team's plans are made by the office that set it up (403 for others who see it)."""
    if not access.may_path(actor, Action.INSPECTION_MANAGE, team.area_path):
        raise PermissionDenied(_("只有设立督查组的单位可以制定它的计划。"))


@dataclass
class PlanData:
    starts_on: date
    ends_on: date
    kinds: list[str]
    size: int
    seed: int | None = None  # None: a fresh one


def plan_create(*, actor: User, team: Team, data: PlanData, now: datetime | None = None) -> Plan:
    require_team_office(actor, team)
    return do_plan_create(actor=actor, team=team, data=data, now=now)


def _cycle(team: Team, starts_on: date) -> list[str]:
    """The keys the team's plans have drawn this cycle (the month of `starts_on`), in
    the order they were drawn."""
    first = starts_on.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    visits = Visit.objects.filter(
        plan__team=team, plan__starts_on__gte=first, plan__starts_on__lt=following
    ).order_by("plan_id", "position")
    return [f"{v.kind}:{v.ref}" for v in visits.only("kind", "ref")]


@transaction.atomic
def do_plan_create(
    *, actor: Actor, team: Team, data: PlanData, now: datetime | None = None
) -> Plan:
    """Draw `size` targets of `kinds` under the areas the team covers, spread over the
    cycle's earlier draws (`draws.draw`), each with a day in the plan's window. Locks the
    team, so that two plans made at once draw one after the other."""
    now = now or timezone.now()
    team = Team.objects.select_for_update().get(pk=team.pk)
    if not data.kinds:
        raise ValidationError({"kinds": _("请选择要抽查的对象类型。")})
    for kind in data.kinds:
        _choice(kind, TargetKind.values, "kinds")
    if data.ends_on < data.starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    if (data.ends_on - data.starts_on).days + 1 > MAX_PLAN_DAYS:
        raise ValidationError({"ends_on": _("一个计划最长 %(n)s 天。") % {"n": MAX_PLAN_DAYS}})
    if data.starts_on < timezone.localdate(now):
        raise ValidationError({"starts_on": _("开始日期已经过去。")})
    if not 1 <= data.size <= MAX_PLAN_SIZE:
        raise ValidationError({"size": _("抽查数量须在 1 到 %(n)s 之间。") % {"n": MAX_PLAN_SIZE}})
    paths = sorted(a.path for a in team.covers.all())
    found = targets.candidates(sorted(set(data.kinds)), paths, data.starts_on, data.ends_on)
    if not found:
        raise ValidationError({"kinds": _("督查范围内没有可抽查的对象。")})
    keys = [t.key for t in found]
    before = _cycle(team, data.starts_on)
    seed = data.seed if data.seed is not None else secrets.randbits(48)
    picked = draws.draw(keys, before, seed, data.size)
    by_key = {t.key: t for t in found}
    plan = Plan.objects.create(
        team=team,
        area_path=team.area_path,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        kinds=sorted(set(data.kinds)),
        size=len(picked),
        seed=seed,
        candidates=keys,
        drawn_before=before,
        created_by=account_of(actor),
        created_at=now,
    )
    days = draws.days(data.starts_on, data.ends_on, len(picked), seed)
    Visit.objects.bulk_create(
        Visit(
            plan=plan,
            position=n,
            kind=by_key[key].kind,
            ref=by_key[key].ref,
            label=by_key[key].label,
            area_path=by_key[key].area_path,
            community_path=by_key[key].community_path,
            day=day,
        )
        for n, (key, day) in enumerate(zip(picked, days, strict=True))
    )
    audit_record(
        actor=actor,
        action="inspections.plan_create",
        target=plan,
        area=Area(path=team.area_path),
        data={"size": len(picked), "seed": seed},
    )
    return plan


# Visits --------------------------------------------------------------------------------


def require_inspector(actor: User, visit: Visit) -> None:
    """Only the plan's team records its visits."""
    if not visit.plan.team.members.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("只有本督查组的组员可以记录检查。"))


@dataclass
class FindingData:
    kind: str
    text: str
    severity: str = ""
    item_id: int | None = None
    member: Member | None = None
    photos: list[uploads.Upload] = field(default_factory=list)


def visit_record(
    *,
    actor: User,
    visit: Visit,
    answers: dict[str, str],
    note: str,
    findings: list[FindingData],
    now: datetime | None = None,
) -> Visit:
    require_inspector(actor, visit)
    return do_visit_record(
        actor=actor, visit=visit, answers=answers, note=note, findings=findings, now=now
    )


@transaction.atomic
def do_visit_record(
    *,
    actor: Actor,
    visit: Visit,
    answers: dict[str, str],
    note: str,
    findings: list[FindingData],
    now: datetime | None = None,
) -> Visit:
    """Record a visit once: every active line of the kind's checklist answered (pass,
    fail or not applicable), the score the share passed of those that apply, the
    findings with their photos, and an order for each problem found, owned by the
    target's community and due by its severity's hours."""
    now = now or timezone.now()
    current = Visit.objects.select_for_update().select_related("plan__team").get(pk=visit.pk)
    if current.recorded_at is not None:
        raise ValidationError(_("这个点位已经检查过了。"), code="state")
    today = timezone.localdate(now)
    if today < current.plan.starts_on:
        raise ValidationError(_("计划还没有开始。"), code="state")
    items = list(
        ChecklistItem.objects.filter(
            response_id=current.plan.team.response_id, kind=current.kind, is_active=True
        )
    )
    given = {}
    for item in items:
        answer = answers.get(str(item.pk), "")
        if answer not in ANSWERS:
            raise ValidationError(
                {"answers": _("请逐项填写检查结果:“%(item)s”。") % {"item": item.text}}
            )
        given[str(item.pk)] = answer
    applies = [a for a in given.values() if a != "na"]
    current.answers = given
    current.score = round(100 * applies.count("pass") / len(applies)) if applies else None
    current.note = text.bounded(note, field="note", label=_("情况说明"), limit=500)
    current.recorded_at = now
    current.inspector = account_of(actor)
    failed = {str(i.pk) for i in items if given.get(str(i.pk)) == "fail"}
    checked = [_finding(f, items, current) for f in findings]
    if failed and not any(f.kind == FindingKind.PROBLEM for f, _p in checked):
        raise ValidationError({"findings": _("有不合格项,请写明发现的问题。")})
    current.save()
    owner = Area.objects.get(path=current.community_path)
    for data, photos in checked:
        finding = Finding.objects.create(
            visit=current,
            kind=data.kind,
            severity=data.severity,
            text=data.text,
            item_id=data.item_id,
            member=data.member,
            created_at=now,
        )
        for photo in photos:
            Photo.objects.create(
                finding=finding,
                name=photo.name,
                content_type=photo.content_type,
                content=photo.content,
                size=len(photo.content),
            )
        if data.kind == FindingKind.PROBLEM:
            Order.objects.create(
                finding=finding,
                owner=owner,
                owner_path=owner.path,
                area_path=current.area_path,
                due_at=now + timedelta(hours=FIX_HOURS[Severity(data.severity)]),
            )
    audit_record(
        actor=actor,
        action="inspections.visit_record",
        target=current,
        area=Area(path=current.area_path),
        data={"score": current.score, "findings": len(checked)},
    )
    return current


def _finding(
    data: FindingData, items: list[ChecklistItem], visit: Visit
) -> tuple[FindingData, list[uploads.Checked]]:
    _choice(data.kind, FindingKind.values, "findings")
    said = text.bounded(data.text, field="findings", label=_("发现情况"), limit=300, required=True)
    if data.kind == FindingKind.PROBLEM:
        _choice(data.severity, Severity.values, "findings")
    elif data.severity:
        raise ValidationError({"findings": _("表扬不分严重程度。")})
    if data.item_id is not None and data.item_id not in {i.pk for i in items}:
        raise ValidationError({"findings": _("这一项不在本类对象的检查表中。")})
    if (
        data.member is not None
        and not data.member.residence_path.startswith(visit.community_path)
        and not _deployed_there(data.member, visit)
    ):
        raise ValidationError({"findings": _("这名人员不在该社区值守。")})
    data.text = said
    return data, _photos(data.photos, "findings")


def _deployed_there(member: Member, visit: Visit) -> bool:
    return Deployment.objects.filter(
        member=member, status=DeploymentStatus.ACTIVE, community_path=visit.community_path
    ).exists()


# Orders --------------------------------------------------------------------------------


def require_owner(actor: User, order: Order) -> None:
    if order.owner_path not in access.scope_paths(actor, Action.INSPECTION_RECTIFY):
        raise PermissionDenied(_("只有责任单位可以报告整改情况。"))


def order_fix(
    *,
    actor: User,
    order: Order,
    fix: str,
    photos: list[uploads.Upload],
    now: datetime | None = None,
) -> Order:
    require_owner(actor, order)
    return do_order_fix(actor=actor, order=order, fix=fix, photos=photos, now=now)


@transaction.atomic
def do_order_fix(
    *,
    actor: Actor,
    order: Order,
    fix: str,
    photos: list[uploads.Upload],
    now: datetime | None = None,
) -> Order:
    """The owner reports what was done, with photos; the order waits for its recheck."""
    now = now or timezone.now()
    said = text.bounded(fix, field="fix", label=_("整改情况"), limit=500, required=True)
    checked = _photos(photos, "photos")
    current = Order.objects.select_for_update().get(pk=order.pk)
    if current.state != OrderState.OPEN:
        raise ValidationError(_("这份整改通知不在待整改状态。"), code="state")
    current.state, current.fix, current.fixed_at = OrderState.REPORTED, said, now
    current.fixed_by = account_of(actor)
    current.save(update_fields=["state", "fix", "fixed_at", "fixed_by"])
    for photo in checked:
        Photo.objects.create(
            order=current,
            name=photo.name,
            content_type=photo.content_type,
            content=photo.content,
            size=len(photo.content),
        )
    audit_record(
        actor=actor,
        action="inspections.order_fix",
        target=current,
        area=Area(path=current.area_path),
    )
    return current


def require_rechecker(actor: User, order: Order) -> None:
    """The team that found it, or an office that manages inspections over the target,
    rechecks it."""
    team = order.finding.visit.plan.team
    if team.members.filter(pk=actor.pk).exists():
        return
    if not access.may_path(actor, Action.INSPECTION_MANAGE, order.area_path):
        raise PermissionDenied(_("只有督查组或督查单位可以复查。"))


def order_recheck(
    *, actor: User, order: Order, is_fixed: bool, note: str, now: datetime | None = None
) -> Order:
    require_rechecker(actor, order)
    return do_order_recheck(actor=actor, order=order, is_fixed=is_fixed, note=note, now=now)


@transaction.atomic
def do_order_recheck(
    *, actor: Actor, order: Order, is_fixed: bool, note: str, now: datetime | None = None
) -> Order:
    """Recheck a reported fix: fixed closes the order; not fixed sends it to the office
    one level above the owner, open again, with its severity's hours from now."""
    now = now or timezone.now()
    said = text.bounded(note, field="note", label=_("复查意见"), limit=300, required=not is_fixed)
    current = Order.objects.select_for_update().select_related("finding").get(pk=order.pk)
    if current.state != OrderState.REPORTED:
        raise ValidationError(_("责任单位还没有报告整改情况,不能复查。"), code="state")
    Recheck.objects.create(
        order=current, at=now, inspector=account_of(actor), is_fixed=is_fixed, note=said
    )
    if is_fixed:
        current.state, current.closed_at = OrderState.CLOSED, now
    else:
        above = current.owner_path[: -Area.steplen] or current.owner_path
        current.owner = Area.objects.get(path=above)
        current.owner_path = above
        current.state = OrderState.OPEN
        current.escalations += 1
        current.due_at = now + timedelta(hours=FIX_HOURS[Severity(current.finding.severity)])
    current.save()
    audit_record(
        actor=actor,
        action="inspections.order_recheck",
        target=current,
        area=Area(path=current.area_path),
        data={"is_fixed": is_fixed},
    )
    return current
