"""Demo step: three open cases in 新港路社区's first grid, supervised by its grid
worker (one with a fever this morning, one twice a day, one extended and not yet
followed up today), and errands for them: one waiting, one run by the demo member, one
confirmed. Two hardship households of the grid get a care plan: one visited last week
(next visit due), one never visited (overdue), and a third is flagged with no plan yet.
The escalation runs once at the end, so the board has its alerts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from jijie.accounts.models import User
from jijie.areas.models import Area
from jijie.care import services
from jijie.care.models import IsolationCase
from jijie.care.services import CaseData, ErrandData, FollowUpData
from jijie.core.demo import DemoContext
from jijie.mobilization.models import Member
from jijie.residents.models import Household
from jijie.residents.services import household_flags_set
from jijie.responses.demo import NAME as RESPONSE_NAME
from jijie.responses.models import Response

ORDER = 90
GRID = "441602004001-01"  # 新港路社区第01网格


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


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
        .order_by("area_path", "door_number")[:20]
        if h.people.all()
    ][:3]
    if len(homes) < 3:
        ctx.out("  not enough households: skipped")
        return
    now = timezone.now()
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    first, second, third = homes

    fever = services.case_open(
        actor=secretary,
        response=response,
        household=first,
        person=first.people.all()[0],
        data=CaseData(
            kind="isolation",
            reason="自中高风险地区返回",
            starts_on=today - timedelta(days=3),
            days=14,
            seal_number="XG-0101",
        ),
        supervisor_user=worker,
    )
    twice = services.case_open(
        actor=secretary,
        response=response,
        household=second,
        person=None,
        data=CaseData(
            kind="observation",
            reason="密切接触者的同住家属",
            starts_on=yesterday,
            days=7,
            checks_per_day=2,
        ),
        supervisor_user=worker,
    )
    extended = services.case_open(
        actor=secretary,
        response=response,
        household=third,
        person=third.people.all()[0],
        data=CaseData(
            kind="observation", reason="入境人员", starts_on=today - timedelta(days=12), days=14
        ),
        supervisor_user=worker,
    )
    services.case_extend(actor=secretary, case=extended, days=3, reason="复检结果未出")

    def follow(case: IsolationCase, at: datetime, celsius: str, symptoms: str = "") -> None:
        if at <= now:
            services.follow_up_record(
                actor=worker,
                case=case,
                data=FollowUpData(contact="visit", temperature=celsius, symptoms=symptoms),
                at=at,
            )

    follow(fever, _at(yesterday, 9, 10), "36.6")
    follow(fever, _at(today, 8, 40), "37.8", "咽痛")
    follow(twice, _at(yesterday, 15, 30), "36.4")
    follow(twice, _at(today, 8, 5), "36.5")
    follow(extended, _at(yesterday, 9, 20), "36.7")

    runner = Member.objects.filter(user__username="member_demo").first()
    waiting = services.errand_create(
        actor=worker,
        household=first,
        data=ErrandData(
            kind="groceries",
            needed="青菜两斤、鸡蛋一盒、大米五斤",
            due_by=now + timedelta(hours=3),
            money_advanced="46.50",
        ),
    )
    medicine = services.errand_create(
        actor=worker,
        household=second,
        data=ErrandData(
            kind="medicine", needed="降压药(硝苯地平)一盒", due_by=now + timedelta(hours=5)
        ),
    )
    parcel = services.errand_create(
        actor=worker,
        household=third,
        data=ErrandData(
            kind="parcel", needed="菜鸟驿站取快递一件", due_by=now + timedelta(hours=8)
        ),
    )
    done = 0
    if runner is not None and runner.user is not None:
        services.errand_claim(actor=runner.user, errand=medicine)
        services.errand_claim(actor=runner.user, errand=parcel)
        services.errand_done(
            actor=runner.user, errand=parcel, proof_note="已放在门口,电话告知", minutes=30
        )
        services.errand_confirm(actor=worker, errand=parcel)
        done = 1
    plans = _hardship(secretary, worker, grid, exclude=[h.pk for h in homes])
    result = services.escalate()
    ctx.out(
        f"  3 cases, 3 errands ({waiting.get_state_display()}, {done} confirmed), "
        f"{plans} hardship plans, {result.missed} missed follow-ups alerted"
    )


def _hardship(secretary: User, worker: User, grid: Area, *, exclude: list[int]) -> int:
    homes = list(
        Household.objects.filter(area_path__startswith=grid.path)
        .exclude(pk__in=exclude)
        .order_by("area_path", "door_number")[:3]
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
    today = timezone.localdate()
    visited = services.care_plan_create(
        actor=secretary,
        household=Household.objects.get(pk=homes[0].pk),
        needs="独居老人,腿脚不便,子女在外地",
        measures="每周上门一次,代买药品和生活用品",
        responsible=worker,
        starts_on=today - timedelta(days=20),
    )
    services.care_visit_record(
        actor=worker,
        plan=visited,
        help_given="送米一袋、油一桶,代缴水电费",
        value="135.00",
        visited_on=today - timedelta(days=6),
    )
    services.care_plan_create(
        actor=secretary,
        household=Household.objects.get(pk=homes[1].pk),
        needs="低保户,家中有重病人员",
        measures="每两周走访,协助申请临时救助",
        visit_every_days=14,
        responsible=worker,
        starts_on=today - timedelta(days=3),
    )
    return 2
