"""Demo step: duty in 新港路社区. Two demands from tomorrow (东门卡口, two 12-hour
shifts a day for 7 days, 2–3 people; 政策宣传, one 8-hour shift a day), the first day's
checkpoint shifts assigned to members living in the community, the rest open for
claims; the demo member (`member_demo`) lives there and can claim on their phone."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoContext
from jijie.duty import catalogue, services
from jijie.duty.models import Demand, PostType
from jijie.mobilization.models import Member

ORDER = 65
COMMUNITY_CODE = "441602004001"  # 新港路社区


def populate(ctx: DemoContext) -> None:
    catalogue.install()
    community = Area.objects.filter(code=COMMUNITY_CODE).first()
    if community is None or Demand.objects.filter(community=community).exists():
        return
    starts_on = ctx.day(1)  # tomorrow
    checkpoint = services.do_demand_create(
        actor=SYSTEM,
        community=community,
        post_type=PostType.objects.get(code="checkpoint"),
        place="东门卡口",
        schedule=services.Schedule(starts_on, 7, time(8), 2, 12, 2, 3),
    )
    services.do_demand_create(
        actor=SYSTEM,
        community=community,
        post_type=PostType.objects.get(code="publicity"),
        place="社区广场",
        schedule=services.Schedule(starts_on, 7, time(9), 1, 8, 1, 2),
    )
    residents = list(
        Member.objects.filter(residence_path__startswith=community.path)
        .exclude(user__username="member_demo")
        .order_by("pk")[:12]
    )
    assigned = 0
    for shift in checkpoint.shifts.order_by("starts_at")[:2]:
        for member in residents:
            if shift.participations.count() >= shift.min_people:
                break
            try:
                services.do_shift_assign(actor=SYSTEM, shift=shift, member=member)
                assigned += 1
            except ValidationError:
                continue
    ctx.out(f"duty: 2 demands in 新港路社区 from {starts_on}, {assigned} places assigned")
