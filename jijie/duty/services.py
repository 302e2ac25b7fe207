"""Writes of duty: post types, demands and their shifts, claims (报到), direct
assignments, confirming, declining and cancelling, attendance. Each checks first, then
writes in one transaction; assignments and cancellations write an audit row.

A place in a shift is taken with the shift's row locked and its holders counted, so two
members claiming the last place at once cannot both have it."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.duty import rules
from jijie.duty.models import (
    HOLDING,
    Demand,
    DutyRules,
    Notice,
    Participation,
    ParticipationSource,
    ParticipationStatus,
    PostType,
    Shift,
)
from jijie.duty.selectors import (
    candidate_of,
    late_after,
    post_of,
    refusal_for,
    replacement_list,
)
from jijie.mobilization.models import Deployment, DeploymentStatus, Member
from jijie.mobilization.selectors import member_of
from jijie.responses.models import Response

if TYPE_CHECKING:
    from jijie.accounts.models import User


def require_manage(actor: User, area: Area) -> None:
    """The actor may post demands and assign in `area`."""
    access.require(actor, Action.DUTY_MANAGE, area)


def require_manage_path(actor: User, path: str) -> None:
    access.require_path(actor, Action.DUTY_MANAGE, path)


@dataclass(frozen=True)
class Schedule:
    starts_on: date
    days: int
    first_shift_at: time
    shifts_per_day: int
    shift_hours: int
    min_per_shift: int
    max_per_shift: int


def check_schedule(schedule: Schedule) -> None:
    errors: dict[str, str] = {}
    if not 1 <= schedule.days <= 90:
        errors["days"] = _("天数须在 1 至 90 之间。")
    if schedule.shifts_per_day < 1 or not 1 <= schedule.shift_hours <= 24:
        errors["shift_hours"] = _("每班时长须在 1 至 24 小时之间。")
    elif schedule.shifts_per_day * schedule.shift_hours > 24:
        errors["shifts_per_day"] = _("每天班次乘以每班小时不能超过 24 小时。")
    if schedule.max_per_shift < 1 or schedule.max_per_shift < schedule.min_per_shift:
        errors["max_per_shift"] = _("每班最多人数须不少于 1 且不少于最少人数。")
    if errors:
        raise ValidationError(errors)


def shift_times(schedule: Schedule) -> list[tuple[datetime, datetime]]:
    """The start and end of every shift, aware in the local time zone."""
    tz = timezone.get_current_timezone()
    length = timedelta(hours=schedule.shift_hours)
    result = []
    for day in range(schedule.days):
        first = datetime.combine(schedule.starts_on + timedelta(days=day), schedule.first_shift_at)
        for n in range(schedule.shifts_per_day):
            starts_at = timezone.make_aware(first, tz) + n * length
            result.append((starts_at, starts_at + length))
    return result


def demand_create(
    *, actor: User, community: Area, post_type: PostType, place: str, schedule: Schedule
) -> Demand:
    """`do_demand_create` by someone who may manage duty in `community`."""
    require_manage(actor, community)
    return do_demand_create(
        actor=actor, community=community, post_type=post_type, place=place, schedule=schedule
    )


@transaction.atomic
def do_demand_create(
    *, actor: Actor, community: Area, post_type: PostType, place: str, schedule: Schedule
) -> Demand:
    """A community asks for people at a place for a schedule (吹哨); its shifts are
    generated at once."""
    if community.kind not in COMMUNITY_KINDS:
        raise ValidationError(
            {"community": _("“%(name)s”不是社区或村。") % {"name": community.name}}
        )
    check_schedule(schedule)
    demand = Demand.objects.create(
        community=community,
        community_path=community.path,
        post_type=post_type,
        place=place,
        starts_on=schedule.starts_on,
        days=schedule.days,
        first_shift_at=schedule.first_shift_at,
        shifts_per_day=schedule.shifts_per_day,
        shift_hours=schedule.shift_hours,
        min_per_shift=schedule.min_per_shift,
        max_per_shift=schedule.max_per_shift,
        created_by=account_of(actor),
    )
    Shift.objects.bulk_create(
        Shift(
            demand=demand,
            community_path=community.path,
            starts_at=starts_at,
            ends_at=ends_at,
            min_people=schedule.min_per_shift,
            max_people=schedule.max_per_shift,
            check_in_token=secrets.token_urlsafe(16),
        )
        for starts_at, ends_at in shift_times(schedule)
    )
    audit_record(
        actor=actor,
        action="duty.demand_create",
        target=demand,
        area=community,
        data={"post_type": post_type.code, "shifts": schedule.days * schedule.shifts_per_day},
    )
    return demand


# Rules ------------------------------------------------------------------------------


def duty_rules_set(
    *,
    actor: User,
    response: Response,
    hours_in_a_row: int,
    rest_hours: int,
    week_rest_hours: int,
    week_hours: int,
) -> DutyRules:
    """`do_duty_rules_set` by the command over the response's area."""
    access.require(actor, Action.RESPONSE_MANAGE, response.area)
    return do_duty_rules_set(
        actor=actor,
        response=response,
        hours_in_a_row=hours_in_a_row,
        rest_hours=rest_hours,
        week_rest_hours=week_rest_hours,
        week_hours=week_hours,
    )


@transaction.atomic
def do_duty_rules_set(
    *,
    actor: Actor,
    response: Response,
    hours_in_a_row: int,
    rest_hours: int,
    week_rest_hours: int,
    week_hours: int,
) -> DutyRules:
    """The command over a response sets its rest rules (claims, assignments and
    proposals under it follow them from then on); audited."""
    if not 1 <= hours_in_a_row <= 24:
        raise ValidationError({"hours_in_a_row": _("连续值守上限须在 1 至 24 小时之间。")})
    if not 0 <= rest_hours <= 48:
        raise ValidationError({"rest_hours": _("两班之间最少休息须在 0 至 48 小时之间。")})
    if not 1 <= week_rest_hours <= 72:
        raise ValidationError({"week_rest_hours": _("每 7 天连续休息须在 1 至 72 小时之间。")})
    if not 1 <= week_hours <= 168:
        raise ValidationError({"week_hours": _("每 7 天值守上限须在 1 至 168 小时之间。")})
    found, _created = DutyRules.objects.update_or_create(
        response=response,
        defaults={
            "hours_in_a_row": hours_in_a_row,
            "rest_hours": rest_hours,
            "week_rest_hours": week_rest_hours,
            "week_hours": week_hours,
            "updated_by": actor,
        },
    )
    audit_record(
        actor=actor,
        action="duty.rules",
        target=found,
        area=response.area,
        data={
            "hours_in_a_row": hours_in_a_row,
            "rest_hours": rest_hours,
            "week_rest_hours": week_rest_hours,
            "week_hours": week_hours,
        },
    )
    return found


def _take_place(
    *,
    actor: Actor,
    shift: Shift,
    member: Member,
    source: str,
    status: str,
    now: datetime | None = None,
) -> Participation:
    locked = Shift.objects.select_for_update().select_related("demand__post_type").get(pk=shift.pk)
    # The member's row too: two claims of one member for overlapping shifts at once
    # must not both pass the overlap rule.
    member = Member.objects.select_for_update().get(pk=member.pk)
    reason = refusal_for(member, locked, now=now)
    if reason is not None:
        raise ValidationError(reason, code="refused")
    held = Participation.objects.filter(shift=locked, status__in=HOLDING).count()
    if held >= locked.max_people:
        raise ValidationError(
            _("该班次已满(最多 %(max)s 人)。") % {"max": locked.max_people}, code="full"
        )
    candidate = candidate_of(member)
    index = rules.deployment_for(candidate, post_of(locked))
    deployment = None
    if index is not None:
        path, starts_on, ends_on = candidate.deployments[index]
        deployment = Deployment.objects.filter(
            member=member,
            status=DeploymentStatus.ACTIVE,
            community_path=path,
            starts_on=starts_on,
            ends_on=ends_on,
        ).first()
    return Participation.objects.create(
        shift=locked,
        member=member,
        deployment=deployment,
        status=status,
        source=source,
        starts_at=locked.starts_at,
        ends_at=locked.ends_at,
        created_by=account_of(actor),
    )


@transaction.atomic
def shift_claim(*, actor: User, shift: Shift) -> Participation:
    """The signed-in member claims a place in a shift (报到); it waits for the community
    to confirm it. Refused by every rule of `rules` and when the shift is full."""
    member = member_of(actor)
    if member is None:
        raise PermissionDenied(_("只有登记在册的队员可以报到。"))
    participation = _take_place(
        actor=actor,
        shift=shift,
        member=member,
        source=ParticipationSource.CLAIMED,
        status=ParticipationStatus.REQUESTED,
    )
    audit_record(
        actor=actor,
        action="duty.claim",
        target=participation,
        area=Area(path=shift.community_path),
        data={"shift": shift.pk},
    )
    return participation


def shift_assign(
    *, actor: User, shift: Shift, member: Member, source: str = ParticipationSource.ASSIGNED
) -> Participation:
    """`do_shift_assign` by someone who may manage duty where the shift is."""
    require_manage_path(actor, shift.community_path)
    return do_shift_assign(actor=actor, shift=shift, member=member, source=source)


@transaction.atomic
def do_shift_assign(
    *,
    actor: Actor,
    shift: Shift,
    member: Member,
    source: str = ParticipationSource.ASSIGNED,
    now: datetime | None = None,
) -> Participation:
    """The community puts a member on a shift directly (confirmed at once), under the
    same rules as a claim, as at `now` (before the shift begins)."""
    participation = _take_place(
        actor=actor, shift=shift, member=member, source=source,
        status=ParticipationStatus.CONFIRMED, now=now,
    )  # fmt: skip
    audit_record(
        actor=actor,
        action="duty.assign",
        target=participation,
        area=Area(path=shift.community_path),
        data={"shift": shift.pk, "member": member.pk, "source": source},
    )
    return participation


def _locked(participation: Participation) -> Participation:
    return (
        Participation.objects.select_for_update(of=("self",))
        .select_related("shift__demand__post_type", "shift__leader", "member")
        .get(pk=participation.pk)
    )


def _refuse_move(current: Participation, to: str) -> ValidationError:
    return ValidationError(
        _("该报到当前为“%(state)s”,不能改为“%(target)s”。")
        % {
            "state": current.get_status_display(),
            "target": ParticipationStatus(to).label,
        },
        code="state",
    )


def participation_confirm(*, actor: User, participation: Participation) -> Participation:
    """`do_participation_confirm` by someone who may manage duty where the shift is."""
    require_manage_path(actor, participation.shift.community_path)
    return do_participation_confirm(actor=actor, participation=participation)


@transaction.atomic
def do_participation_confirm(*, actor: Actor, participation: Participation) -> Participation:
    """The community confirms a claimed place."""
    current = _locked(participation)
    if current.status != ParticipationStatus.REQUESTED:
        raise _refuse_move(current, ParticipationStatus.CONFIRMED)
    current.status = ParticipationStatus.CONFIRMED
    current.save(update_fields=["status", "updated_at"])
    Notice.objects.create(
        member=current.member, shift=current.shift, text=str(_("您的报到已确认。"))[:200]
    )
    return current


def participation_decline(
    *, actor: User, participation: Participation, reason: str
) -> Participation:
    """`do_participation_decline` by someone who may manage duty where the shift is."""
    require_manage_path(actor, participation.shift.community_path)
    return do_participation_decline(actor=actor, participation=participation, reason=reason)


@transaction.atomic
def do_participation_decline(
    *, actor: Actor, participation: Participation, reason: str
) -> Participation:
    """The community declines a claim, with a reason the member reads; the place frees."""
    if not reason.strip():
        raise ValidationError({"reason": _("请说明未确认的原因。")})
    current = _locked(participation)
    if current.status != ParticipationStatus.REQUESTED:
        raise _refuse_move(current, ParticipationStatus.DECLINED)
    current.status = ParticipationStatus.DECLINED
    current.reason = reason.strip()[:200]
    current.save(update_fields=["status", "reason", "updated_at"])
    Notice.objects.create(
        member=current.member,
        shift=current.shift,
        text=(_("您的报到未确认:%(reason)s") % {"reason": current.reason})[:200],
    )
    return current


@transaction.atomic
def participation_cancel(
    *, actor: User, participation: Participation, reason: str
) -> Participation:
    """The member cancels their place, or the community cancels it. The members who
    could replace them are told the place is open (the replacement list)."""
    current = _locked(participation)
    if not access.is_self(actor, current.member.user_id):
        require_manage_path(actor, current.shift.community_path)
    if current.status not in HOLDING:
        raise _refuse_move(current, ParticipationStatus.CANCELLED)
    if current.checked_in_at is not None:
        raise ValidationError(_("已签到的班次不能取消。"), code="state")
    current.status = ParticipationStatus.CANCELLED
    current.reason = reason.strip()[:200]
    current.save(update_fields=["status", "reason", "updated_at"])
    shift = current.shift
    text = _("%(post)s(%(place)s)%(start)s 的班次空出一个位置,可报到补位。") % {
        "post": shift.demand.post_type.name,
        "place": shift.demand.place,
        "start": f"{timezone.localtime(shift.starts_at):%m-%d %H:%M}",
    }
    replacements = [m for m in replacement_list(shift) if m.pk != current.member_id]
    Notice.objects.bulk_create(
        Notice(member=member, shift=shift, text=text[:200]) for member in replacements
    )
    audit_record(
        actor=actor,
        action="duty.cancel",
        target=current,
        area=Area(path=shift.community_path),
        reason=current.reason,
        data={"shift": shift.pk, "notified": len(replacements)},
    )
    return current


# Attendance -------------------------------------------------------------------------

# Check-in opens this long before the shift starts.
CHECK_IN_OPENS = timedelta(minutes=30)


def shift_leader_set(*, actor: User, shift: Shift, member_id: int) -> Shift:
    """`do_shift_leader_set` by someone who may manage duty where the shift is."""
    require_manage_path(actor, shift.community_path)
    return do_shift_leader_set(actor=actor, shift=shift, member_id=member_id)


@transaction.atomic
def do_shift_leader_set(*, actor: Actor, shift: Shift, member_id: int) -> Shift:
    """The community names the shift's leader (班长), one of its confirmed members, by
    the member's id; any other id, of someone elsewhere or of nobody, is refused alike.
    The leader checks the others in and out."""
    held = (
        Participation.objects.filter(
            shift=shift, member_id=member_id, status=ParticipationStatus.CONFIRMED
        )
        .select_related("member")
        .first()
    )
    if held is None:
        raise ValidationError({"member": _("班长须是该班次已确认的队员。")}, code="leader")
    shift.leader = held.member
    shift.save(update_fields=["leader"])
    audit_record(
        actor=actor,
        action="duty.leader",
        target=shift,
        area=Area(path=shift.community_path),
        data={"member": member_id},
    )
    return shift


def _require_attendance(actor: User, participation: Participation, token: str | None) -> None:
    """Attendance is taken by the member themselves only at the post, with its QR code
    (`token`), or by the shift's leader or the community."""
    if access.is_self(actor, participation.member.user_id):
        if token is None:
            raise ValidationError(_("请扫描岗位上的二维码签到签退。"), code="token")
        if not secrets.compare_digest(token, participation.shift.check_in_token):
            raise ValidationError(_("二维码与该班次不符。"), code="token")
        return
    leader = participation.shift.leader
    if leader is not None and access.is_self(actor, leader.user_id):
        return
    require_manage_path(actor, participation.shift.community_path)


def _attending(actor: User, participation: Participation, token: str | None) -> Participation:
    """The participation locked and re-read (the leader may have changed), once the
    actor may take its attendance."""
    current = _locked(participation)
    _require_attendance(actor, current, token)
    if current.status != ParticipationStatus.CONFIRMED:
        raise ValidationError(
            _("只有已确认的报到可以签到签退(当前:%(state)s)。")
            % {"state": current.get_status_display()},
            code="state",
        )
    return current


@transaction.atomic
def check_in(
    *,
    actor: User,
    participation: Participation,
    token: str | None = None,
    now: datetime | None = None,
) -> Participation:
    """Check a member in: by themselves with the QR code at the post (`token`), or by
    the shift leader or the community. Later than `late_after()` is flagged late."""
    current = _attending(actor, participation, token)
    now = now or timezone.now()
    if current.checked_in_at is not None:
        raise ValidationError(_("已签到。"), code="state")
    if now < current.starts_at - CHECK_IN_OPENS or now >= current.ends_at:
        raise ValidationError(_("签到时间为班次开始前 30 分钟至班次结束。"), code="window")
    current.checked_in_at = now
    current.is_late = now > current.starts_at + late_after()
    current.save(update_fields=["checked_in_at", "is_late", "updated_at"])
    return current


def served_minutes(participation: Participation) -> int:
    """Minutes on duty counted for the record: inside the shift, check-in to check-out."""
    if participation.checked_in_at is None or participation.checked_out_at is None:
        return 0
    start = max(participation.checked_in_at, participation.starts_at)
    end = min(participation.checked_out_at, participation.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


@transaction.atomic
def check_out(
    *,
    actor: User,
    participation: Participation,
    token: str | None = None,
    now: datetime | None = None,
) -> Participation:
    """Check a member out (same ways as `check_in`); the minutes served go on their
    service record."""
    current = _attending(actor, participation, token)
    if current.checked_in_at is None:
        raise ValidationError(_("尚未签到,不能签退。"), code="state")
    if current.checked_out_at is not None:
        raise ValidationError(_("已签退。"), code="state")
    current.checked_out_at = now or timezone.now()
    current.minutes = served_minutes(current)
    current.save(update_fields=["checked_out_at", "minutes", "updated_at"])
    audit_record(
        actor=actor,
        action="duty.attend",
        target=current,
        area=Area(path=current.shift.community_path),
        data={"minutes": current.minutes, "late": current.is_late},
    )
    return current


def notices_read(*, member: Member, ids: Collection[int]) -> int:
    """Mark the notices `ids` of `member`, the ones their page showed, as read; a notice
    that came after the page was drawn stays unread. Others' notices are not touched.
    How many were marked."""
    return Notice.objects.filter(member=member, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
