"""Demo step: the problems of the response (seed 003: "我们社区没有耳温枪,你们能帮忙协调
一下么?" and the street office "马上联系指挥部…及时协调解决"; "我们没有口罩" "我们人手不足",
"类似的问题层出不穷").

- 新港路社区's grid worker raised "没有耳温枪" yesterday morning; the street office took
  it, approved the community's request for three and sent them from its own store; the
  community signed for them and the grid worker confirmed it solved, 5 of 5.
- Open on the boards now: the community's "人手不足" at the street; a gate's leaking
  tent raised by its guard three hours ago, urgent and unanswered, escalated to the
  district by the clock; an errand the community answered, waiting for the worker's
  word. (Counted back from the demo's present, so whatever the hour it is loaded.)
- Over the last two weeks, every community of the district raised a few more, answered
  in time or late, rated or not, so that the three rates have something to say.
"""

from __future__ import annotations

from datetime import timedelta

from jijie.accounts.models import User
from jijie.areas.models import Area, AreaKind
from jijie.audit.actors import SYSTEM, Actor
from jijie.core.demo import DemoContext
from jijie.problems import services
from jijie.problems.models import Problem
from jijie.supplies import services as supplies
from jijie.supplies.models import RequestState, Store, SupplyRequest

ORDER = 97
COMMUNITY = "新港路社区"
DAYS = 14
HOUR = timedelta(hours=1)
# A community's other problems of the fortnight: (kind, title, need).
COMMON = (
    ("supplies", "没有口罩", "医用外科口罩 500 只"),
    ("staff", "人手不足", "卡口夜班每晚需要 2 人"),
    ("facilities", "卡口缺少照明", "应急灯 2 盏"),
    ("residents", "独居老人需要代购药品", "每周代购一次"),
    ("supplies", "消毒液用完了", "84消毒液 20 升"),
    ("other", "小区出入口需要公示牌", "公示牌 1 块"),
)


def populate(ctx: DemoContext) -> None:
    community = Area.objects.filter(name=COMMUNITY, kind=AreaKind.COMMUNITY).first()
    if community is None:
        ctx.out("  no community: skipped")
        return
    if Problem.objects.exists():
        ctx.out("  problems already there")
        return
    users = {u.username: u for u in User.objects.filter(username__in=_NAMES)}
    grid = Area.objects.filter(path__startswith=community.path, kind=AreaKind.GRID).order_by("path")
    first_grid = grid.first() or community
    _thermometers(ctx, community, first_grid, users)
    _today(ctx, community, first_grid, users)
    _fortnight(ctx, community)
    services.escalate(now=ctx.now)
    ctx.out(f"  {Problem.objects.count()} problems")


_NAMES = ("grid_xingang01", "street_yuanxi", "secretary_xingang", "guard_xingang", "worker_xingang")


def _who(users: dict[str, User], name: str) -> Actor:
    return users.get(name) or SYSTEM


def _thermometers(ctx: DemoContext, community: Area, grid: Area, users: dict[str, User]) -> None:
    raiser, street = _who(users, "grid_xingang01"), _who(users, "street_yuanxi")
    problem = services.do_problem_raise(
        actor=raiser, area=grid, now=ctx.at(-1, 8, 10),
        data=services.ProblemData(kind="supplies", urgency="urgent", title="没有耳温枪",
                                  need="耳温枪 3 个,卡口测温用"),
    )  # fmt: skip
    services.do_problem_claim(actor=street, problem=problem, now=ctx.at(-1, 8, 40))
    request = SupplyRequest.objects.filter(
        store__area=community, state=RequestState.SUBMITTED
    ).first()
    street_store = Store.objects.filter(area__path=community.path[: -Area.steplen]).first()
    answer = services.Answer(text="已联系区指挥部,从街道物资库调拨耳温枪 3 个,今天上午送到。")
    if request is not None and street_store is not None:
        supplies.do_request_decide(
            actor=street, request=request, approved={}, note="同意,街道库调拨",
            now=ctx.at(-1, 9, 0),
        )  # fmt: skip
        transfer = supplies.do_request_fulfil(
            actor=street, request=request, source=street_store, now=ctx.at(-1, 9, 20)
        )
        supplies.do_transfer_receive(
            actor=_who(users, "secretary_xingang"), transfer=transfer, now=ctx.at(-1, 10, 30)
        )
        answer.supply_request, answer.transfer = request, transfer
    services.do_problem_answer(actor=street, problem=problem, answer=answer,
                               now=ctx.at(-1, 9, 30))  # fmt: skip
    services.do_problem_confirm(actor=raiser, problem=problem, rating=5,
                                comment="已收到,谢谢街道", now=ctx.at(-1, 11, 0))  # fmt: skip


def _today(ctx: DemoContext, community: Area, grid: Area, users: dict[str, User]) -> None:
    services.do_problem_raise(
        actor=_who(users, "secretary_xingang"), area=community, now=ctx.now - 2 * HOUR,
        data=services.ProblemData(kind="staff", urgency="normal", title="人手不足",
                                  need="东门卡口夜班缺 2 人,请协调下沉党员"),
    )  # fmt: skip
    services.do_problem_raise(
        actor=_who(users, "guard_xingang"), area=community, now=ctx.now - 3 * HOUR,
        data=services.ProblemData(kind="facilities", urgency="urgent", title="卡口帐篷漏雨",
                                  need="防雨帐篷 1 顶"),
    )  # fmt: skip
    errand = services.do_problem_raise(
        actor=_who(users, "worker_xingang"), area=grid, now=ctx.now - 2.5 * HOUR,
        data=services.ProblemData(kind="residents", urgency="normal", title="独居老人需要代购药品",
                                  need="降压药,每周一次"),
    )  # fmt: skip
    services.do_problem_answer(
        actor=_who(users, "secretary_xingang"), problem=errand, now=ctx.now - HOUR,
        answer=services.Answer(text="已安排下沉党员每周一上午代购,首次今天送达。"),
    )  # fmt: skip


def _fortnight(ctx: DemoContext, skip: Area) -> None:
    """A few problems a community over the last fortnight, handled as offices do: most
    in time and rated well, some late, a few never confirmed."""
    rng = ctx.rng_for("problems")
    communities = Area.objects.filter(kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE]).exclude(
        pk=skip.pk
    )
    for community in communities.order_by("path"):
        for _ in range(rng.randint(0, 3)):
            kind, title, need = rng.choice(COMMON)
            raised = ctx.at(-rng.randint(1, DAYS), rng.randint(7, 20), rng.randint(0, 59))
            urgency = rng.choice(["urgent", "normal", "normal", "low"])
            problem = services.do_problem_raise(
                actor=SYSTEM, area=community, now=raised,
                data=services.ProblemData(kind=kind, urgency=urgency, title=title, need=need),
            )  # fmt: skip
            fate = rng.random()
            if fate < 0.1:
                continue  # nobody answered: the clock moves it up
            late = fate > 0.8
            after = problem.deadline_at - raised
            took = after * (1.5 if late else rng.uniform(0.1, 0.9))
            answered_at = raised + took
            if answered_at >= ctx.now:
                continue
            services.escalate_problem(problem, now=answered_at)
            problem.refresh_from_db()
            services.do_problem_answer(
                actor=SYSTEM, problem=problem, now=answered_at,
                answer=services.Answer(text="已协调解决"),
            )  # fmt: skip
            confirm_at = answered_at + timedelta(hours=rng.randint(1, 12))
            if rng.random() < 0.85 and confirm_at < ctx.now:
                rating = rng.choices([5, 4, 3, 2, 1], weights=[50, 30, 10, 6, 4])[0]
                services.do_problem_confirm(
                    actor=SYSTEM, problem=problem, rating=rating, now=confirm_at
                )
