"""Demo step: 新港路社区's first round of mass testing (seed 004: members sent to 核酸检测点位
to keep order, register people and collect samples).

- A round over the community from yesterday to today, ten people a tube; today the
  buildings still to come are called to each site in windows (分楼栋预约).
- Two sites: the primary school's playground (grid 01, four lanes, 07:00–19:00) and the
  gate of 3栋 (grid 02, two lanes, 08:00–12:00), each staffed from a duty post of its
  own (核酸检测点秩序) and served by the community's post for carrying the samples
  (样本转运), members who serve the community (deployed to it or living in it) on
  their shifts both days.
- Yesterday a little over half the community was sampled, each site filling its tubes
  ten at a time (its last tube closed early); an infant, someone away and a bedridden
  person are exempt.
- Each site's tubes went to the lab in the evening (the second site's last two still on
  their way).
- The lab's results for the first half of the tubes came back in the evening: all
  negative but one full tube, whose ten people went into home isolation at once.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.core.exceptions import ValidationError

from jijie.accounts.models import User
from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoContext
from jijie.duty import selectors as duty_selectors
from jijie.duty import services as duty
from jijie.duty.models import Demand, PostType
from jijie.residents.models import Person
from jijie.responses.demo import NAME as RESPONSE_NAME
from jijie.responses.models import Response
from jijie.testing import selectors, services
from jijie.testing.models import Round, Tube, TubeResult

ORDER = 99
COMMUNITY = "441602004001"  # 新港路社区
SITES = (
    ("441602004001-01", "新港路小学采样点", "新港路小学操场", 4, time(7), time(19)),
    ("441602004001-02", "3栋门口采样点", "3栋单元门口", 2, time(8), time(12)),
)
NAME = "新港路社区第一轮全员核酸"
POSITIVE_TUBE = 2  # the third tube of the first site


def _post(
    ctx: DemoContext,
    community: Area,
    kind: str,
    place: str,
    starts: time,
    hours: int,
    fewest: int,
    most: int,
) -> Demand:
    """A duty post of the community for the round's two days (seed 004: members sent to
    keep a site's order and register people, or to carry the samples), each shift given
    the fewest people it needs from the members who serve there (deployed to it or living
    in it), assigned the day before."""
    post_type = PostType.objects.get(code=kind)
    demand = duty.do_demand_create(
        actor=SYSTEM,
        community=community,
        post_type=post_type,
        place=place,
        schedule=duty.Schedule(ctx.day(-1), 2, starts, 1, hours, fewest, most),
    )
    able = duty_selectors.serving_pool([community.path]).exclude(user__username="member_demo")
    for skill in post_type.skill_list:  # a carrier drives
        able = able.filter(skills__contains=f",{skill},")
    members = list(able.order_by("-pk")[:60])
    for shift in demand.shifts.order_by("starts_at"):
        placed = 0
        for member in members:
            if placed >= fewest:
                break
            try:
                duty.do_shift_assign(actor=SYSTEM, shift=shift, member=member, now=ctx.at(-2, 12))
            except ValidationError:
                continue  # busy then, or without the post's skill
            placed += 1
    return demand


def populate(ctx: DemoContext) -> None:
    community = Area.objects.filter(code=COMMUNITY).first()
    response = Response.objects.filter(name=RESPONSE_NAME).first()
    secretary = User.objects.filter(username="secretary_xingang").first()
    worker = User.objects.filter(username="worker_xingang").first()
    if community is None or response is None or secretary is None or worker is None:
        ctx.out("  no 新港路 community, accounts or response: skipped")
        return
    if Round.objects.filter(name=NAME).exists():
        ctx.out("  round already there")
        return
    yesterday = ctx.day(-1)
    round_ = services.do_round_open(
        actor=secretary,
        response=response,
        area=community,
        data=services.RoundData(NAME, yesterday, ctx.today),
    )
    sampled = 0
    first_tubes: list[Tube] = []
    transport = _post(ctx, community, "transport", "新港路社区至区疾控中心", time(9), 12, 1, 2)
    for index, (code, name, place, lanes, opens, closes) in enumerate(SITES):
        grid = Area.objects.get(code=code)
        staff = _post(ctx, community, "test_site", place, opens, closes.hour - opens.hour, 2, 4)
        site = services.do_site_add(
            actor=secretary,
            round=round_,
            area=grid,
            data=services.SiteData(name, place, lanes, opens, closes, staff, transport),
        )
        people = list(Person.objects.filter(area_path__startswith=grid.path).order_by("pk"))
        come = people[: len(people) * 11 // 20]
        start = ctx.at(-1, opens.hour, 5)
        # spread over the site's hours (its lanes work at once), never faster than 10 s
        open_seconds = (closes.hour - opens.hour) * 3600 - 600
        step = max(10, min(40, open_seconds // max(1, len(come))))
        tube = None
        for n, person in enumerate(come):
            registered = services.do_sample_register(
                actor=worker,
                site=site,
                barcode=f"XG{index + 1}-{n // 10 + 1:05}",
                person=person,
                taken_at=start + timedelta(seconds=step * n),
                now=start + timedelta(seconds=step * n + 5),
            )
            tube = registered.tube
        if tube is not None and not tube.is_sealed:
            services.do_tube_seal(actor=worker, tube=tube, now=ctx.at(-1, closes.hour))
        sampled += len(come)
        exempt = ("infant", "away", "bedridden")
        for person, reason in zip(people[len(come) :][:3], exempt, strict=False):
            services.do_exemption_set(
                actor=secretary, round=round_, person=person, reason=reason,
                note="" if reason != "away" else "在外地务工",
            )  # fmt: skip
        if index == 0:
            first_tubes = list(Tube.objects.filter(site=site).order_by("barcode"))
    tubes = list(Tube.objects.filter(round=round_).order_by("barcode"))
    # Every site's sealed tubes went to the lab in one batch at 20:00 (received at
    # 20:40), but for the second site's last ones, on their way at 20:50; each handed to
    # the member then on shift at the carrying post.
    batches = 0
    for site in round_.sites.order_by("pk"):
        sealed = [t.barcode for t in tubes if t.site_id == site.pk]
        later = sealed[-2:] if site.name == SITES[1][1] else []
        for codes, at, received in (
            ([c for c in sealed if c not in later], ctx.at(-1, 20), ctx.at(-1, 20, 40)),
            (later, ctx.at(-1, 20, 50), None),
        ):
            if not codes:
                continue
            on_shift = selectors.carriers_on_shift(site, at)
            batch = services.do_batch_send(
                actor=worker, site=site, barcodes=codes, carrier="周师傅",
                member=on_shift[0].member if on_shift else None, now=at,
            )  # fmt: skip
            if received is not None:
                services.do_batch_receive(
                    actor=secretary, batch=batch, received_at=received, now=received
                )
            batches += 1
    back = ctx.at(-1, 22)
    positive = first_tubes[POSITIVE_TUBE] if len(first_tubes) > POSITIVE_TUBE else None
    for tube in tubes[: len(tubes) // 2]:
        result = TubeResult.POSITIVE if tube == positive else TubeResult.NEGATIVE
        services.do_result_record(
            actor=secretary, round=round_, barcode=tube.barcode, result=result, now=back
        )
    if positive is not None:
        positive.refresh_from_db()
    isolated = 0
    if positive is not None and positive.result == TubeResult.POSITIVE:
        done = services.do_tube_isolate(
            actor=secretary,
            tube=positive,
            people=[s.person for s in positive.samples.select_related("person__household")],
            days=14,
            supervisor_user=worker,
            now=back + timedelta(minutes=30),
        )
        isolated = len(done.opened)
    # Today the rest are called building by building to each site.
    windows = sum(
        len(services.do_appointments_plan(actor=secretary, site=site, day=ctx.today).appointments)
        for site in round_.sites.order_by("pk")
    )
    ctx.out(
        f"  {NAME}: {sampled} sampled in {len(tubes)} tubes, {batches} batches to the lab, "
        f"{len(tubes) // 2} results back, {isolated} isolated from one positive tube, "
        f"{windows} buildings called today"
    )
