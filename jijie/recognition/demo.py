"""Demo step: last week's service and its recognition (seed 001: front-line work "作为干部
使用、评先评优、年度考核的重要参考", "在一线发现、考验入党积极分子").

- Last week at 新港路社区's 东门: two six-hour shifts a day (8:00–20:00), the members deployed
  there assigned in turn, checked in and out by the community (through duty's own
  attendance), so that their records have verified hours.
- Each unit with members among them approved last week's records; the first unit's
  member with the most hours has a certificate of service.
- A member who is not yet a party member, proposed as a party-activist candidate by
  their unit, with the reason.

Every deployed member's record (3,321 at seed scale) is there to read on their unit's
page, from the shifts and errands the demo holds."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.core.exceptions import ValidationError

from jijie.accounts.models import User
from jijie.areas.models import Area, AreaKind
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoContext
from jijie.duty import services as duty
from jijie.duty.models import Demand, PostType
from jijie.mobilization.models import DeploymentStatus, Member
from jijie.recognition import records, services
from jijie.recognition.models import Approval

ORDER = 99
COMMUNITY = "新港路社区"
PLACE = "东门卡口(上周)"
PER_SHIFT = 2


def populate(ctx: DemoContext) -> None:
    community = Area.objects.filter(name=COMMUNITY, kind=AreaKind.COMMUNITY).first()
    secretary = User.objects.filter(username="secretary_xingang").first()
    post = PostType.objects.filter(code="checkpoint").first()
    if community is None or secretary is None or post is None:
        ctx.out("  no community, secretary or post type: skipped")
        return
    if Demand.objects.filter(community=community, place=PLACE).exists():
        ctx.out("  recognition already there")
        return
    start, end = ctx.day(-7), ctx.day(-1)
    members = list(
        Member.objects.filter(
            deployments__community_path=community.path,
            deployments__status=DeploymentStatus.ACTIVE,
            deployments__starts_on__lte=start,
        )
        .distinct()
        .order_by("pk")[:12]
    )
    if not members:
        ctx.out("  nobody deployed there since last week: skipped")
        return
    demand = duty.do_demand_create(
        actor=SYSTEM, community=community, post_type=post, place=PLACE,
        schedule=duty.Schedule(starts_on=start, days=7, first_shift_at=time(8),
                               shifts_per_day=2, shift_hours=6, min_per_shift=PER_SHIFT,
                               max_per_shift=PER_SHIFT + 1),
    )  # fmt: skip
    rng = ctx.rng_for("recognition")
    turn = 0
    served = 0
    for shift in demand.shifts.order_by("starts_at"):
        placed = 0
        for _attempt in range(len(members)):
            someone = members[turn % len(members)]
            turn += 1
            try:
                taken = duty.do_shift_assign(
                    actor=SYSTEM, shift=shift, member=someone, now=ctx.at(-8, 9)
                )
            except ValidationError:
                continue  # resting, or the shift overlaps one of theirs
            arrived = shift.starts_at + timedelta(minutes=rng.randint(-20, 10))
            left = shift.ends_at - timedelta(minutes=rng.randint(0, 30))
            duty.check_in(actor=secretary, participation=taken, now=arrived)
            duty.check_out(actor=secretary, participation=taken, now=left)
            served += 1
            placed += 1
            if placed == PER_SHIFT:
                break
    units = {m.organisation for m in members if m.organisation is not None}
    for unit in sorted(units, key=lambda u: u.path):
        if not Approval.objects.filter(organisation=unit, starts_on=start, ends_on=end).exists():
            services.do_approve(actor=SYSTEM, organisation=unit, start=start, end=end, now=ctx.now)
    first = Approval.objects.filter(starts_on=start, ends_on=end).order_by("pk").first()
    if first is not None:
        best = max(first.records.all(), key=lambda r: r.minutes, default=None)
        if best is not None and best.minutes:
            services.do_certificate_issue(actor=SYSTEM, record=best, now=ctx.now)
    _candidate(ctx, members, start, end)
    ctx.out(f"  {served} shifts served last week, {len(units)} units approved")


def _candidate(ctx: DemoContext, members: list[Member], start: date, end: date) -> None:
    not_yet = [
        m
        for m in members
        if m.organisation is not None
        and m.kind not in ("party_member", "probationary", "retired_party_member")
    ]
    if not not_yet:
        return
    found = records.records([m.pk for m in not_yet], start, end)
    best = max(not_yet, key=lambda m: found[m.pk].minutes)
    services.do_nominate(
        actor=SYSTEM, member=best, now=ctx.now,
        reason="东门卡口连续值守,夜班主动顶岗,群众反映好,建议列为入党积极分子人选。",
    )  # fmt: skip
