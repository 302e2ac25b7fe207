"""Demo step: the district's inspection (seed 001: "成立专门督查小组12个…以'四不两直'方式深入
小区一线…督导检查").

- Twelve teams of the district command, two inspectors each (the demo's `inspector`
  leads the first), the district's communities shared among them street by street.
- A checklist for each kind of target.
- Each team's plan for the coming week, drawn at random from what it covers.
- The first team's plan of the past days, where it covers 新港路社区: 东门 visited
  yesterday, the guard on duty found away from the gate (an order, open, for the
  community to fix), and a store's ledger found in order.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError

from jijie.accounts.models import User
from jijie.accounts.services import do_role_assign
from jijie.areas.models import Area, AreaKind
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoContext
from jijie.inspections import services
from jijie.inspections.models import ChecklistItem, TargetKind, Team
from jijie.responses.models import Response, ResponseStatus

ORDER = 98
TEAMS = 12
COMMUNITY = "新港路社区"
NUMERALS = "一二三四五六七八九十"
CHECKLISTS = {
    TargetKind.COMPOUND: [
        "出入口只保留一个",
        "公示栏信息及时更新",
        "垃圾日产日清",
        "楼道消杀有记录",
    ],
    TargetKind.GATE: [
        "值守人员在岗在位",
        "测温、查码、登记规范",
        "防护用品齐全",
        "外来人员车辆登记完整",
    ],
    TargetKind.POST: ["按时签到上岗", "佩戴标识、防护到位", "熟悉岗位职责"],
    TargetKind.ISOLATION: ["门磁或封条完好", "每日测温上报", "生活物资保障到位"],
    TargetKind.STORE: ["台账与实物相符", "过期物资已清理", "出入库手续齐全"],
}


def _numeral(n: int) -> str:
    tens, ones = divmod(n, 10)
    return (
        ("" if tens < 2 else NUMERALS[tens - 1])
        + ("十" if tens else "")
        + (NUMERALS[ones - 1] if ones else "")
    )


def populate(ctx: DemoContext) -> None:
    district = Area.objects.filter(kind=AreaKind.DISTRICT).order_by("path").first()
    response = Response.objects.filter(status=ResponseStatus.ACTIVE).order_by("started_at").first()
    if district is None or response is None:
        ctx.out("  no district or response: skipped")
        return
    if Team.objects.filter(response=response).exists():
        ctx.out("  inspections already there")
        return
    for kind, lines in CHECKLISTS.items():
        services.do_checklist_set(actor=SYSTEM, response=response, kind=kind, lines=lines)
    communities = list(
        Area.objects.filter(
            path__startswith=district.path, kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE]
        ).order_by("path")
    )
    shares: list[list[Area]] = [communities[n::TEAMS] for n in range(TEAMS)]
    lead = User.objects.filter(username="inspector").first()
    teams = []
    for n in range(1, TEAMS + 1):
        members = [_inspector(district, n, 1), _inspector(district, n, 2)]
        if n == 1 and lead is not None:
            members[0] = lead
        covers = shares[n - 1] or [district]
        if n == 1:
            xingang = next((c for c in communities if c.name == COMMUNITY), None)
            if xingang is not None and xingang not in covers:
                covers = [xingang, *covers]
        teams.append(
            services.do_team_create(
                actor=SYSTEM, response=response, area=district, name=f"第{_numeral(n)}督查组",
                members=members, covers=covers,
            )
        )  # fmt: skip
    _past_days(ctx, teams[0])
    week = services.PlanData(
        starts_on=ctx.day(1), ends_on=ctx.day(7), kinds=list(TargetKind.values), size=8
    )
    for team in teams:
        try:
            services.do_plan_create(actor=SYSTEM, team=team, data=week, now=ctx.now)
        except ValidationError as error:  # a share with nothing to draw yet
            ctx.out(f"  {team.name}: no plan ({error})")
    ctx.out(f"  {len(teams)} teams, {ChecklistItem.objects.count()} checklist lines")


def _inspector(district: Area, team: int, seat: int) -> User:
    username = f"inspector_{team:02d}_{seat}"
    user = User.objects.filter(username=username).first()
    if user is None:
        # Not a demo sign-in: a team's other inspectors, for the plans' sake.
        user = User.objects.create_user(
            username=username, full_name=f"第{_numeral(team)}组督查员{seat}"
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        do_role_assign(actor=SYSTEM, user=user, role=Role.INSPECTOR, area=district)
    return user


def _past_days(ctx: DemoContext, team: Team) -> None:
    """The first team's plan that began two days ago, over 新港路社区's gates and stores:
    东门 and the community's store visited yesterday."""
    xingang = Area.objects.filter(name=COMMUNITY, kind=AreaKind.COMMUNITY).first()
    if xingang is None:
        return
    plan = services.do_plan_create(
        actor=SYSTEM, team=team, now=ctx.at(-3, 17),
        data=services.PlanData(starts_on=ctx.day(-2), ends_on=ctx.day(4),
                               kinds=[TargetKind.GATE, TargetKind.STORE], size=30, seed=2020),
    )  # fmt: skip
    inspector = team.members.order_by("pk").first() or SYSTEM
    visited = ctx.at(-1, 9, 40)
    for visit in plan.visits.filter(community_path=xingang.path).order_by("position"):
        lines = list(
            ChecklistItem.objects.filter(
                response_id=team.response_id, kind=visit.kind, is_active=True
            )
        )
        if visit.kind == TargetKind.GATE and visit.label.endswith("东门"):
            answers = {str(i.pk): "pass" for i in lines}
            answers[str(lines[0].pk)] = "fail"
            findings = [
                services.FindingData(kind="problem", severity="major",
                                     text="东门卡口 9:40 无人值守,登记本放在门卫室"),
            ]  # fmt: skip
        elif visit.kind == TargetKind.STORE:
            answers = {str(i.pk): "pass" for i in lines}
            findings = [services.FindingData(kind="commendation", text="物资台账清楚,账实相符")]
        else:
            continue
        services.do_visit_record(
            actor=inspector, visit=visit, answers=answers, note="", findings=findings, now=visited
        )
        visited += timedelta(minutes=50)
