"""Demo step: three open cases in 新港路社区's first grid, supervised by its grid
worker, each registered on its start day and followed up at every due slot since (one
with a fever this morning, one twice a day, one extended and not yet followed up
today), and errands for them: one waiting, one run by the demo member, one confirmed.
Two hardship households of the grid get a care plan: one visited last week (next visit
due), one never visited (overdue), and a third is flagged with no plan yet. The
escalation runs once at the end, at the demo's `now`, so the board has its alerts.
Days count from the demo's today (`ctx.today`).

The loader writes through the `do_*` writes, which check no access; each record keeps
the author the story gives it (the secretary, the grid worker, the demo member)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from jijie.accounts.models import User
from jijie.areas.models import Area
from jijie.care import rules, services
from jijie.care.models import CarePlan, CareVisit, IsolationCase
from jijie.care.services import CaseData, ErrandData, FollowUpData
from jijie.core.demo import DemoContext
from jijie.mobilization.models import Member
from jijie.residents.models import Household
from jijie.residents.services import household_flags_set
from jijie.responses.demo import NAME as RESPONSE_NAME
from jijie.responses.models import Response

ORDER = 90
GRID = "441602004001-01"  # 新港路社区第01网格
REGISTERED_AT = 8  # a case is registered at 08:00 on its start day


def populate(ctx: DemoContext) -> None:
    grid = Area.objects.filter(code=GRID).first()
    secretary = User.objects.filter(username="secretary_xingang").first()
    worker = User.objects.filter(username="grid_xingang01").first()
    response = Response.objects.filter(name=RESPONSE_NAME).first()
    if grid is None or secretary is None or worker is None or response is None:
        ctx.out("  no 新港路 grid, accounts or response: skipped")
        return
    if IsolationCase.objects.filter(area_path__startswith=grid.path).exists():
        ctx.out("  cases already there")
        return
    homes = [
        h
        for h in Household.objects.filter(area_path__startswith=grid.path)
        .prefetch_related("people")
        .order_by("area_path", "door_sort")[:20]
        if h.people.all()
    ][:3]
    if len(homes) < 3:
        ctx.out("  not enough households: skipped")
        return
    now = ctx.now
    first, second, third = homes

    fever = services.do_case_open(
        actor=secretary,
        response=response,
        household=first,
        person=first.people.all()[0],
        data=CaseData(
            kind="isolation",
            reason="自中高风险地区返回",
            starts_on=ctx.day(-3),
            days=14,
            seal_number="XG-0101",
        ),
        supervisor_user=worker,
    )
    twice = services.do_case_open(
        actor=secretary,
        response=response,
        household=second,
        person=None,
        data=CaseData(
            kind="observation",
            reason="密切接触者的同住家属",
            starts_on=ctx.day(-1),
            days=7,
            checks_per_day=2,
        ),
        supervisor_user=worker,
    )
    extended = services.do_case_open(
        actor=secretary,
        response=response,
        household=third,
        person=third.people.all()[0],
        data=CaseData(kind="observation", reason="入境人员", starts_on=ctx.day(-12), days=14),
        supervisor_user=worker,
    )
    rng = ctx.rng_for("care")
    for case in (fever, twice, extended):
        _history(ctx, worker, case, rng)
    services.do_case_extend(actor=secretary, case=extended, days=3, reason="复检结果未出")

    def follow(case: IsolationCase, at: datetime, celsius: str, symptoms: str = "") -> None:
        if at <= now:
            services.do_follow_up_record(
                actor=worker,
                case=case,
                data=FollowUpData(contact="visit", temperature=celsius, symptoms=symptoms),
                at=at,
            )

    # this morning (once the demo's now has reached it)
    follow(fever, ctx.at(0, 8, 40), "37.8", "咽痛")
    follow(twice, ctx.at(0, 8, 5), "36.5")

    runner = Member.objects.filter(user__username="member_demo").first()
    waiting = services.do_errand_create(
        actor=worker,
        household=first,
        data=ErrandData(
            kind="groceries",
            needed="青菜两斤、鸡蛋一盒、大米五斤",
            due_by=now + timedelta(hours=3),
            money_advanced="46.50",
        ),
    )
    medicine = services.do_errand_create(
        actor=worker,
        household=second,
        data=ErrandData(
            kind="medicine", needed="降压药(硝苯地平)一盒", due_by=now + timedelta(hours=5)
        ),
    )
    parcel = services.do_errand_create(
        actor=worker,
        household=third,
        data=ErrandData(
            kind="parcel", needed="菜鸟驿站取快递一件", due_by=now + timedelta(hours=8)
        ),
    )
    done = 0
    if runner is not None and runner.user is not None:
        services.do_errand_claim(actor=runner.user, errand=medicine, member=runner)
        services.do_errand_claim(actor=runner.user, errand=parcel, member=runner)
        services.do_errand_done(
            actor=runner.user,
            errand=parcel,
            member=runner,
            proof_note="已放在门口,电话告知",
            minutes=30,
        )
        services.do_errand_confirm(actor=worker, errand=parcel)
        done = 1
    plans = _hardship(ctx, secretary, worker, grid, exclude=[h.pk for h in homes])
    result = services.escalate(now=now)
    ctx.out(
        f"  3 cases, 3 errands ({waiting.get_state_display()}, {done} confirmed), "
        f"{plans} hardship plans, {result.missed} missed follow-ups alerted"
    )


def _history(ctx: DemoContext, worker: User, case: IsolationCase, rng: random.Random) -> None:
    """The case registered on its start day, and followed up at each due slot of each
    day from then until yesterday, ten minutes after it is due."""
    registered = ctx.at((case.starts_on - ctx.today).days, REGISTERED_AT)
    IsolationCase.objects.filter(pk=case.pk).update(created_at=registered)
    case.created_at = registered
    day = case.starts_on
    while day < ctx.today:
        for slot in rules.slots_of(day, case.checks_per_day, opened_at=registered):
            services.do_follow_up_record(
                actor=worker,
                case=case,
                data=FollowUpData(
                    contact="visit", temperature=rng.choice(["36.3", "36.5", "36.6", "36.8"])
                ),
                at=max(slot.due_at, registered) + timedelta(minutes=10),
            )
        day += timedelta(days=1)


def _hardship(
    ctx: DemoContext, secretary: User, worker: User, grid: Area, *, exclude: list[int]
) -> int:
    homes = list(
        Household.objects.filter(area_path__startswith=grid.path)
        .exclude(pk__in=exclude)
        .order_by("area_path", "door_sort")[:3]
    )
    if len(homes) < 3:
        return 0
    for home in homes:
        household_flags_set(
            actor=secretary,
            household=home,
            version=home.version,
            kind=home.kind,
            is_party_centre=home.is_party_centre,
            is_home_isolation=home.is_home_isolation,
            is_hardship=True,
        )
    visited = services.do_care_plan_create(
        actor=secretary,
        household=Household.objects.get(pk=homes[0].pk),
        needs="独居老人,腿脚不便,子女在外地",
        measures="每周上门一次,代买药品和生活用品",
        responsible=worker,
        starts_on=ctx.day(-20),
    )
    visit = services.do_care_visit_record(
        actor=worker,
        plan=visited,
        help_given="送米一袋、油一桶,代缴水电费",
        value="135.00",
        visited_on=ctx.day(-6),
    )
    never = services.do_care_plan_create(
        actor=secretary,
        household=Household.objects.get(pk=homes[1].pk),
        needs="低保户,家中有重病人员",
        measures="每两周走访,协助申请临时救助",
        visit_every_days=14,
        responsible=worker,
        starts_on=ctx.day(-3),
    )
    # Written down on the day, as the plans and the visit were.
    CarePlan.objects.filter(pk=visited.pk).update(created_at=ctx.at(-20, 10))
    CarePlan.objects.filter(pk=never.pk).update(created_at=ctx.at(-3, 10))
    CareVisit.objects.filter(pk=visit.pk).update(created_at=ctx.at(-6, 16))
    return 2
