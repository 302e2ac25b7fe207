"""bench/problems.py — the problem board (问题台账) and the three rates (响应率、解决率、
满意率) of the district command over a year of problems at seed scale on PostgreSQL.

The data: the seed district's tree (6 streets, 36 communities, their grids and buildings),
one response over the district, an office account for the city, the district, each
street and each community (the district's is the command measured, a street's the
street office). 100,000 problems raised over the 365 days before a fixed present (two
waves, by day and hour), about a building (45 %), a grid (30 %), a community (22 %) or
a street (3 %), of every kind and urgency, each sent to the level
`rules.first_level_path` names with its urgency's hours. Their fates are told step by
step as the services tell them (claimed, escalated by the clock one level per deadline
missed, answered, confirmed with a rating or reopened) and cut at the present: most
answered in time at their first level, about one in ten answered only after moving up
one or more levels, a few percent never answered (sitting at the top, overdue: more of
them among the recent weeks), the last hours' still open; about 85 % of the answered
confirmed, rated 4 or 5 mostly (less so when late). Every problem has its history
(raised, claimed, escalated, answered, resolved, reopened events). Loaded with COPY,
then VACUUM ANALYZE.

Measured at the fixed present (`time_machine`, not ticking), each next to its floors in
the same run: the board's first page, tab 未办结 (`?tab=open`) and tab 全部
(`?tab=all`), and the rates page for the district over the year
(`?area=&start=&end=`), through Django's test client signed in as the district command.
A rendered page's floor is the hand-written data plus the same template rendered
(bench/results/README.md, "What a floor is"; bench/areas.py): the data floor's SQL
through a raw cursor (the board: the user's roles, the count, the first 50 rows with the
area's code and name and the level's name in the page's order; the rates: the user's
roles, the area by its code, one grouped statement of the period's problems by street
with the streets' names, codes and kinds), its rows made by hand into the context the
view gives the template (a Page over the rows told the count, the view's tabs, the
kinds; the product's `Rates` for each street's counts and their totals), and the same
template rendered with `render_to_string` for a RequestFactory request carrying the same
signed-in user and session, so that the page shell and its context processors (the
menu) run as in the page. The floor's page is checked to be the product's very HTML, CSRF tokens aside; the
pages' figures are checked equal to the data floors' (the count, the 50 rows in order as
shown, every street's counts and rates and the totals). The data floor alone, rendering
nothing, and the product's data steps alone (the selector and the paginator, no
request, no render) are measured too, to tell the queries' cost from the render's and
the request's. Goal: each page ≤ 200 ms at p95 and ≤ 2× its floor at p95. Each page's
queries, its floor's and its data floor's are then run again under EXPLAIN ANALYZE, to
say where the time goes.

    python -m bench.problems [--reload]   # not part of the test suite
    BENCH_PROBLEMS_COUNT=10000 python -m bench.problems --reload   # a quick try
"""

from __future__ import annotations

import html
import math
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import import_module
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import machine, measure, ratio, setup_django, write

os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jijie_bench_problems"
)
PROBLEMS = int(os.environ.get("BENCH_PROBLEMS_COUNT", "100000"))
DAYS = 365
# The present of the data: the end of the loaded year. Fixed, so that a database loaded
# once is measured the same way any day; the pages read it from `timezone.now()`.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RUNS = 50
WARMUP = 5
GOAL_MS = 200
GOAL_RATIO = 2.0
ROWS = 50  # the board's page (views.PER_PAGE)
RESPONSE = "全区疫情防控(问题基准)"
USER_PREFIX = "bench_problems_"
UNANSWERED = ("open", "handling")

# Where a problem is: the kind of area, and its share.
PLACES = (("building", 0.45), ("grid", 0.30), ("community", 0.22), ("street", 0.03))
KINDS = (("supplies", 0.35), ("staff", 0.20), ("facilities", 0.15), ("residents", 0.22),
         ("other", 0.08))  # fmt: skip
URGENCIES = (("urgent", 0.2), ("normal", 0.6), ("low", 0.2))
# (title, need) by kind.
TITLES = {
    "supplies": (("没有口罩", "医用外科口罩 500 只"), ("消毒液用完了", "84消毒液 20 升"),
                 ("没有耳温枪", "耳温枪 3 个,卡口测温用"), ("防护服不够", "防护服 50 套"),
                 ("帐篷不够", "值守帐篷 2 顶"), ("缺少测温枪电池", "5 号电池 40 节")),
    "staff": (("人手不足", "卡口夜班每晚需要 2 人"), ("核酸采样点缺志愿者", "每天 6 人"),
              ("扫楼人手不够", "下沉党员 10 人,三天"), ("隔离点缺值守人员", "夜班 2 人")),
    "facilities": (("卡口缺少照明", "应急灯 2 盏"), ("卡口帐篷漏雨", "防雨帐篷 1 顶"),
                   ("隔离点热水器坏了", "请安排维修"), ("广播喇叭坏了", "喇叭 1 个"),
                   ("值守点缺少取暖器", "取暖器 2 台")),
    "residents": (("独居老人需要代购药品", "每周代购一次"), ("隔离户需要送菜", "每天一次"),
                  ("孕妇需要产检", "协调车辆和医院"), ("快递进不了小区", "设置临时取件点"),
                  ("居民咨询出行政策", "请告知最新规定")),
    "other": (("小区出入口需要公示牌", "公示牌 1 块"), ("宣传海报需要更新", "新版海报 30 张"),
              ("垃圾清运不及时", "每天清运两次")),
}  # fmt: skip
ANSWERS = (
    "已协调街道物资库调拨,今天送到。",
    "已安排下沉党员支援,明天起到岗。",
    "已联系维修人员,当天修好。",
    "已安排社区工作者上门处理。",
    "已向区指挥部报告,按规定办理。",
    "已答复居民,并在小区公告栏张贴说明。",
)
COMMENTS = ("已解决,谢谢", "很及时", "问题已经解决", "")
REOPEN_REASONS = ("送来的数量不够", "还没有修好", "居民仍有意见")
RATINGS_IN_TIME = ((5, 0.58), (4, 0.28), (3, 0.08), (2, 0.04), (1, 0.02))
RATINGS_LATE = ((5, 0.30), (4, 0.30), (3, 0.20), (2, 0.12), (1, 0.08))
PROBLEM_COLUMNS = (
    "id", "response_id", "area_id", "area_path", "level_id", "level_path", "kind", "urgency",
    "title", "need", "state", "raised_at", "raised_by_id", "deadline_at", "first_deadline_at",
    "escalations", "claimed_by_id", "claimed_at", "responded_at", "is_responded_in_time",
    "answer", "answered_at", "answered_by_id", "rating", "resolved_at", "reopenings",
)  # fmt: skip
EVENT_COLUMNS = ("problem_id", "kind", "at", "actor_id", "level_id", "note", "deadline_at")


def _pick(rng: random.Random, shares: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([s[0] for s in shares], [s[1] for s in shares])[0]


@dataclass
class Story:
    """One problem's steps, in order: (at, kind, level path, actor id, note, missed
    deadline)."""

    steps: list[tuple[datetime, str, str, int | None, str, datetime | None]] = field(
        default_factory=list
    )

    def add(
        self,
        at: datetime,
        kind: str,
        level: str,
        actor: int | None,
        note: str = "",
        missed: datetime | None = None,
    ) -> None:
        self.steps.append((at, kind, level, actor, note, missed))


def _stuck_share(age_days: float) -> float:
    """The share of problems nobody ever answers: a steady few, and more among the
    recent weeks (still in someone's in-tray)."""
    return 0.02 + 0.06 * math.exp(-age_days / 30)


def _story(
    rng: random.Random,
    *,
    raised: datetime,
    urgency: str,
    levels: list[str],
    raiser: int | None,
    offices: dict[str, int],
) -> Story:
    """What happens to one problem, told forward from its raising as if nothing stopped
    it; `_replay` cuts it at the present. `levels` are its first level and those above,
    to the city."""
    from jijie.problems import rules

    step = rules.hours(urgency)
    top = len(levels) - 1

    def deadline(level: int) -> datetime:
        return raised + step * (level + 1)

    def start(level: int) -> datetime:
        return raised if level == 0 else deadline(level - 1)

    story = Story()
    story.add(raised, "raised", levels[0], raiser)
    draw = rng.random()
    stuck = _stuck_share((NOW - raised).total_seconds() / 86400)
    if draw < stuck:
        # Never answered: claimed now and then, moved up at every deadline to the top.
        for level in range(top + 1):
            if rng.random() < 0.3:
                at = start(level) + (deadline(level) - start(level)) * rng.uniform(0.05, 0.8)
                story.add(at, "claimed", levels[level], offices[levels[level]])
            if level < top:
                story.add(
                    deadline(level), "escalated", levels[level + 1], None, "", deadline(level)
                )
        return story
    if draw < stuck + 0.085:
        answered_level = min(_pick(rng, ((1, 0.70), (2, 0.25), (3, 0.05))), top)
        if rng.random() < 0.35:  # taken on in time, not answered in time
            at = raised + step * rng.uniform(0.05, 0.6)
            story.add(at, "claimed", levels[0], offices[levels[0]])
    else:
        answered_level = 0
    for level in range(answered_level):
        story.add(deadline(level), "escalated", levels[level + 1], None, "", deadline(level))
    level = levels[answered_level]
    begin, span = start(answered_level), deadline(answered_level) - start(answered_level)
    answered = begin + span * rng.betavariate(1.5, 3.0)
    if rng.random() < 0.6:
        claimed = begin + (answered - begin) * rng.uniform(0.05, 0.7)
        story.add(claimed, "claimed", level, offices[level])
    story.add(answered, "answered", level, offices[level], rng.choice(ANSWERS))
    if rng.random() < 0.15:
        return story  # never confirmed: answered, waiting for the raiser's word
    confirmed = answered + timedelta(hours=rng.uniform(0.5, 48))
    if rng.random() < 0.03:
        story.add(confirmed, "reopened", level, raiser, rng.choice(REOPEN_REASONS))
        answered = confirmed + step * rng.betavariate(1.5, 3.0)
        story.add(answered, "answered", level, offices[level], rng.choice(ANSWERS))
        confirmed = answered + timedelta(hours=rng.uniform(0.5, 24))
    story.add(confirmed, "resolved", level, raiser, rng.choice(COMMENTS))
    return story


@dataclass
class Row:
    """A problem's row as the services leave it after its steps."""

    level: str
    deadline_at: datetime
    first_deadline_at: datetime
    state: str = "open"
    escalations: int = 0
    claimed_by: int | None = None
    claimed_at: datetime | None = None
    responded_at: datetime | None = None
    is_responded_in_time: bool = False
    answer: str = ""
    answered_at: datetime | None = None
    answered_by: int | None = None
    rating: int | None = None
    resolved_at: datetime | None = None
    reopenings: int = 0


def _replay(rng: random.Random, story: Story, urgency: str) -> tuple[Row, list[tuple[Any, ...]]]:
    """The steps taken before the present, applied as the services apply them (claim,
    escalation, answer, confirmation, reopening): the row and its kept steps."""
    from jijie.problems import rules

    step = rules.hours(urgency)
    raised, _kind, first, *_rest = story.steps[0]
    row = Row(level=first, deadline_at=raised + step, first_deadline_at=raised + step)
    taken = []
    late = False
    for at, kind, level, actor, note, missed in story.steps:
        if at >= NOW:
            break
        taken.append((at, kind, level, actor, note, missed))
        if kind in ("claimed", "answered") and row.responded_at is None:
            row.responded_at, row.is_responded_in_time = at, at <= row.first_deadline_at
        if kind == "claimed":
            row.state, row.claimed_by, row.claimed_at = "handling", actor, at
        elif kind == "escalated":
            assert missed is not None
            row.level, row.deadline_at, row.escalations = level, missed + step, row.escalations + 1
            row.state, row.claimed_by, row.claimed_at = "open", None, None
            late = True
        elif kind == "answered":
            row.state, row.answer, row.answered_at, row.answered_by = "answered", note, at, actor
            row.claimed_by = row.claimed_by or actor
            row.claimed_at = row.claimed_at or at
        elif kind == "resolved":
            ratings = RATINGS_LATE if late or row.reopenings else RATINGS_IN_TIME
            row.state, row.rating, row.resolved_at = "resolved", _pick(rng, ratings), at
        elif kind == "reopened":
            row.state, row.claimed_by, row.claimed_at = "open", None, None
            row.deadline_at, row.reopenings = at + step, row.reopenings + 1
    if row.state in UNANSWERED:
        # The clock has already moved it as far as it goes by the present.
        assert not rules.escalation_steps(row.level, row.deadline_at, urgency, NOW), story
    return row, taken


def _per_day(rng: random.Random) -> list[int]:
    """How many problems each day of the year raises: a steady flow and two waves."""
    weights = [
        1 + 2.0 * math.exp(-(((day - 70) / 22) ** 2)) + 2.5 * math.exp(-(((day - 270) / 28) ** 2))
        for day in range(DAYS)
    ]
    counts = [int(PROBLEMS * w / sum(weights)) for w in weights]
    for day in rng.sample(range(DAYS), PROBLEMS - sum(counts)):
        counts[day] += 1
    return counts


def _setup(district: Any) -> dict[str, Any]:
    """The response over the district, and an office account for the city, the district,
    each street and each community, with the role that answers problems there."""
    from django.contrib.auth.hashers import make_password

    from jijie.accounts.models import RoleAssignment, User
    from jijie.areas.models import Area, AreaKind
    from jijie.areas.roles import Role
    from jijie.audit.actors import SYSTEM
    from jijie.responses.models import Response
    from jijie.responses.services import do_response_activate

    response = Response.objects.filter(area=district, name=RESPONSE).first()
    if response is None:
        response = do_response_activate(actor=SYSTEM, area=district, name=RESPONSE, level="2")
    Response.objects.filter(pk=response.pk).update(started_at=NOW - timedelta(days=DAYS + 1))
    roles: dict[str, str] = {
        AreaKind.CITY: Role.COMMAND,
        AreaKind.DISTRICT: Role.COMMAND,
        AreaKind.STREET: Role.STREET_OFFICE,
        AreaKind.TOWN: Role.STREET_OFFICE,
        AreaKind.COMMUNITY: Role.COMMUNITY_SECRETARY,
        AreaKind.VILLAGE: Role.COMMUNITY_SECRETARY,
    }
    city = Area.objects.get(path=district.path[: Area.steplen])
    areas = [city, *Area.objects.filter(path__startswith=district.path, depth__lte=4)]
    names = {f"{USER_PREFIX}{a.code}": a for a in areas}
    known = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    password = make_password(None)
    User.objects.bulk_create(
        User(username=name, full_name=f"{area.name}值班员", password=password)
        for name, area in names.items()
        if name not in known
    )
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=users[name], role=roles[a.kind], area=a) for name, a in names.items()],
        ignore_conflicts=True,
    )
    return {
        "response": response,
        "offices": {a.path: users[name].pk for name, a in names.items()},
        "command": users[f"{USER_PREFIX}{district.code}"],
    }


def _load(rng: random.Random, district: Any, setup: dict[str, Any]) -> dict[str, Any]:
    """The year's problems day by day, each told to the present, copied in with their
    histories; then VACUUM ANALYZE."""
    from django.db import connection

    from jijie.areas.models import Area
    from jijie.problems import rules

    started = time.perf_counter()
    areas = list(
        Area.objects.filter(path__startswith=district.path).values_list("path", "id", "kind")
    )
    ids = {path: pk for path, pk, _kind in areas}
    ids.update(Area.objects.filter(depth=1).values_list("path", "id"))
    by_kind: dict[str, list[str]] = {}
    for path, _pk, kind in areas:
        level = {"town": "street", "village": "community"}.get(kind, kind)
        by_kind.setdefault(level, []).append(path)
    offices: dict[str, int] = setup["offices"]
    response_id = setup["response"].pk
    problems: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    first_day = NOW.date() - timedelta(days=DAYS - 1)  # the last day is the present's
    hours = list(range(7, 23))
    hour_weights = [1, 3, 4, 4, 3, 2, 3, 4, 4, 3, 2, 2, 2, 1, 1, 1]
    number = 0
    for day, count in enumerate(_per_day(rng)):
        on = first_day + timedelta(days=day)
        stamps = [
            datetime(on.year, on.month, on.day, tzinfo=NOW.tzinfo)
            + timedelta(hours=rng.choices(hours, hour_weights)[0], seconds=rng.randrange(3600))
            for _ in range(count)
        ]
        # the present's day so far: what would come later came earlier that morning
        stamps = sorted(
            at if at < NOW else NOW - timedelta(seconds=1 + rng.randrange(3 * 3600))
            for at in stamps
        )
        for raised in stamps:
            number += 1
            place = rng.choice(by_kind[_pick(rng, PLACES)])
            kind, urgency = _pick(rng, KINDS), _pick(rng, URGENCIES)
            title, need = rng.choice(TITLES[kind])
            first = rules.first_level_path(place, kind)
            levels = [first[:end] for end in range(len(first), 0, -rules.STEP)]
            # whoever works there raised it: its community's office, or its street's
            raiser = offices[place[: min(len(place), 16)]]
            story = _story(
                rng, raised=raised, urgency=urgency, levels=levels, raiser=raiser, offices=offices
            )
            row, taken = _replay(rng, story, urgency)
            problems.append((
                number, response_id, ids[place], place, ids[row.level], row.level, kind, urgency,
                title, need, row.state, raised, raiser, row.deadline_at, row.first_deadline_at,
                row.escalations, row.claimed_by, row.claimed_at, row.responded_at,
                row.is_responded_in_time, row.answer, row.answered_at, row.answered_by,
                row.rating, row.resolved_at, row.reopenings,
            ))  # fmt: skip
            events.extend(
                (number, kind, at, actor, ids[level], note, missed)
                for at, kind, level, actor, note, missed in taken
            )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY problems_problem ({', '.join(PROBLEM_COLUMNS)}) FROM STDIN"
        ) as copy:
            for problem in problems:
                copy.write_row(problem)
        with cursor.cursor.copy(
            f"COPY problems_problemevent ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
        ) as copy:
            for event in events:
                copy.write_row(event)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('problems_problem', 'id'),"
            " (SELECT MAX(id) FROM problems_problem))"
        )
        for table in ("problems_problem", "problems_problemevent", "areas_area"):
            # VACUUM as autovacuum would after such an insert: the visibility map is
            # set, and the run does not race it.
            cursor.execute(f"VACUUM ANALYZE {table}")
    kinds: dict[str, int] = {}
    for event in events:
        kinds[event[1]] = kinds.get(event[1], 0) + 1
    return {
        "problems": len(problems),
        "events": len(events),
        "events_by_kind": dict(sorted(kinds.items())),
        "loaded_s": round(time.perf_counter() - started, 1),
    }


# The floors -----------------------------------------------------------------------------
#
# Two for each page: the data floor, its content as bare SQL through a raw cursor (the
# user's roles and the page's rows, rendering nothing), and the page floor, the floor a
# rendered page is held to (bench/results/README.md, "What a floor is"): the same SQL,
# its rows turned by hand into the context the view gives its template, and that
# template rendered with `render_to_string` for a request signed in as the same user, so
# that the page shell and its context processors (the menu) run as in the page.


def _scope(cursor: Any, user_id: int) -> list[str]:
    """The paths under which the user may read problems: their roles' areas, for the
    roles that allow it, the nested ones dropped."""
    from jijie.areas.access import Action, minimal_paths, roles_with

    roles = roles_with(Action.PROBLEM_VIEW)
    cursor.execute(
        "SELECT a.path FROM accounts_roleassignment r JOIN areas_area a ON a.id = r.area_id"
        f" WHERE r.user_id = %s AND r.role IN ({', '.join(['%s'] * len(roles))})",
        [user_id, *roles],
    )
    return minimal_paths(path for (path,) in cursor.fetchall())


def _held(cursor: Any, user_id: int) -> list[tuple[str, str]]:
    """The page floors' roles: every role the user holds, with its area's path (the
    board needs three actions' scopes from them, not one)."""
    cursor.execute(
        "SELECT r.role, a.path FROM accounts_roleassignment r JOIN areas_area a ON a.id = r.area_id"
        " WHERE r.user_id = %s",
        [user_id],
    )
    return list(cursor.fetchall())


def _paths(held: list[tuple[str, str]], action: Any) -> list[str]:
    """The paths under which the roles held allow `action`, the nested ones dropped."""
    from jijie.areas.access import minimal_paths, roles_with

    roles = roles_with(action)
    return minimal_paths(path for role, path in held if role in roles)


def _under(paths: list[str], column: str) -> tuple[str, list[str]]:
    return "(" + " OR ".join([f"{column} LIKE %s"] * len(paths)) + ")", [f"{p}%" for p in paths]


BOARD_TABS = {
    "open": ("p.state IN ('open', 'handling')", "p.deadline_at, p.id"),
    "all": ("TRUE", "p.raised_at DESC, p.id DESC"),
}


def board_floor(user_id: int, tab: str) -> dict[str, Any]:
    """The board's first page by hand: the user's scope, the count, the 50 rows with
    what the page shows of them and of their area and level, in the page's order."""
    from django.db import connection

    with connection.cursor() as cursor:
        return _board_rows(cursor, _scope(cursor, user_id), tab)


def _board_rows(cursor: Any, paths: list[str], tab: str) -> dict[str, Any]:
    """The count and the first page's rows under `paths` (the rows picked first, then
    joined to their areas)."""
    condition, order = BOARD_TABS[tab]
    under, params = _under(paths, "p.area_path")
    where = f" FROM problems_problem p WHERE {under} AND {condition}"
    cursor.execute("SELECT COUNT(*)" + where, params)
    (count,) = cursor.fetchone()
    # the page's 50 first, then their areas and levels: 50 lookups, not one a row
    cursor.execute(
        "SELECT p.id, p.title, a.code, a.name, p.kind, p.urgency, l.name, p.state,"
        " p.deadline_at, p.escalations FROM ("
        " SELECT p.id, p.title, p.area_id, p.level_id, p.kind, p.urgency, p.state,"
        f" p.deadline_at, p.escalations, p.raised_at{where} ORDER BY {order} LIMIT %s) p"
        " JOIN areas_area a ON a.id = p.area_id JOIN areas_area l ON l.id = p.level_id"
        f" ORDER BY {order}",
        [*params, ROWS],
    )
    return {"count": count, "rows": cursor.fetchall()}


@dataclass(frozen=True, slots=True)
class Place:
    """An area as the page floors' templates read it."""

    name: str
    code: str = ""
    kind: str = ""


@dataclass(frozen=True, slots=True)
class BoardRow:
    """A board row as the template reads a problem: the same names, the displays
    looked up from the choices."""

    pk: int
    title: str
    area: Place
    get_kind_display: str
    get_urgency_display: str
    level: Place
    get_state_display: str
    is_open: bool
    deadline_at: datetime
    escalations: int


def board_context(held: list[tuple[str, str]], answer: dict[str, Any], tab: str) -> dict[str, Any]:
    """What the board view gives its template, made by hand from the floor's rows: the
    first page (Django's Page over the 50 rows, its paginator told the count), the tabs
    (the view's own list of labels, for whether the user handles problems), the kind
    filter's choices, and whether the user may raise a problem. The view's `roots` are
    left out: they are its 403 check, and the template does not show them."""
    from django.core.paginator import Page, Paginator
    from django.utils import timezone

    from jijie.areas.access import Action
    from jijie.problems.models import ProblemKind, ProblemState, Urgency
    from jijie.problems.views import _tabs

    kinds = {value: str(label) for value, label in ProblemKind.choices}
    urgencies = {value: str(label) for value, label in Urgency.choices}
    states = {value: str(label) for value, label in ProblemState.choices}
    rows = []
    for pk, title, code, area, kind, urgency, level, state, deadline, escalations in answer["rows"]:
        rows.append(
            BoardRow(
                pk=pk,
                title=title,
                area=Place(name=area, code=code),
                get_kind_display=kinds[kind],
                get_urgency_display=urgencies[urgency],
                level=Place(name=level),
                get_state_display=states[state],
                is_open=state in UNANSWERED,
                deadline_at=deadline,
                escalations=escalations,
            )
        )
    paginator = Paginator(rows, ROWS)
    paginator.__dict__["count"] = answer["count"]  # counted by the floor, not by len(rows)
    return {
        "page": Page(rows, 1, paginator),
        "tab": tab,
        "tabs": _tabs(bool(_paths(held, Action.PROBLEM_HANDLE))),
        "kind": "",
        "kinds": ProblemKind.choices,
        "area": None,
        "now": timezone.now(),
        "may_raise": bool(_paths(held, Action.PROBLEM_RAISE)),
    }


def board_page_floor(user_id: int, tab: str, request: Any) -> str:
    """The board page by hand: the user's roles, the count and the 50 rows (the data
    floor's statements), the context, the same template rendered for `request`."""
    from django.db import connection
    from django.template.loader import render_to_string

    from jijie.areas.access import Action

    with connection.cursor() as cursor:
        held = _held(cursor, user_id)
        answer = _board_rows(cursor, _paths(held, Action.PROBLEM_VIEW), tab)
    return render_to_string("problems/board.html", board_context(held, answer, tab), request)


def rates_floor(user_id: int, code: str, start: date, end: date) -> dict[str, Any]:
    """The rates page's figures by hand: the user's scope, the area asked for (in it),
    and one grouped statement of the problems raised in the period under it, by the
    area one level below, with those areas' names (codes and kinds, for the links)."""
    from django.db import connection

    with connection.cursor() as cursor:
        return _rates_rows(cursor, _scope(cursor, user_id), code, start, end)


def _rates_rows(cursor: Any, paths: list[str], code: str, start: date, end: date) -> dict[str, Any]:
    begins = datetime(start.year, start.month, start.day, tzinfo=NOW.tzinfo)
    ends = datetime(end.year, end.month, end.day, tzinfo=NOW.tzinfo) + timedelta(days=1)
    under, params = _under(paths, "path")
    cursor.execute(
        f"SELECT path, name FROM areas_area WHERE code = %s AND {under}", [code, *params]
    )
    path, name = cursor.fetchone()
    cursor.execute(
        "SELECT g.child, a.name, a.code, a.kind, g.raised, g.due, g.in_time, g.resolved,"
        " g.rated, g.satisfied, g.unanswered, g.overdue, g.escalated FROM ("
        " SELECT substr(area_path, 1, %s) AS child, COUNT(*) AS raised,"
        " COUNT(*) FILTER (WHERE responded_at IS NOT NULL OR first_deadline_at < %s) AS due,"
        " COUNT(*) FILTER (WHERE is_responded_in_time) AS in_time,"
        " COUNT(*) FILTER (WHERE state = 'resolved') AS resolved,"
        " COUNT(rating) AS rated, COUNT(*) FILTER (WHERE rating >= 4) AS satisfied,"
        " COUNT(*) FILTER (WHERE state IN ('open', 'handling')) AS unanswered,"
        " COUNT(*) FILTER (WHERE state IN ('open', 'handling') AND deadline_at < %s)"
        " AS overdue,"
        " COUNT(*) FILTER (WHERE escalations > 0) AS escalated"
        " FROM problems_problem WHERE area_path LIKE %s AND raised_at >= %s"
        " AND raised_at < %s GROUP BY 1) g"
        " LEFT JOIN areas_area a ON a.path = g.child ORDER BY g.child",
        [len(path) + 4, NOW, NOW, f"{path}%", begins, ends],
    )
    return {"path": path, "name": name, "code": code, "rows": cursor.fetchall()}


@dataclass(frozen=True, slots=True)
class RatesRow:
    area: Place | None  # None: the area itself (本级)
    rates: Any  # selectors.Rates


def rates_context(
    answer: dict[str, Any], parent: Place | None, start: date, end: date
) -> dict[str, Any]:
    """What the rates view gives its template, made by hand from the floor's rows: the
    area, the period, each row's counts in the product's `Rates` (a plain dataclass: the
    counts, and the three rates as properties) and their totals, the way back up."""
    from jijie.problems.selectors import Rates

    per_area, sums = [], [0] * 9
    for child, name, code, kind, *counts in answer["rows"]:
        sums = [a + b for a, b in zip(sums, counts, strict=True)]
        area = None if child == answer["path"] else Place(name=name, code=code, kind=kind)
        per_area.append(RatesRow(area=area, rates=Rates(*counts)))
    return {
        "area": Place(name=answer["name"], code=answer["code"]),
        "start": start,
        "end": end,
        "total": Rates(*sums),
        "per_area": per_area,
        "parent": parent,
    }


def rates_page_floor(user_id: int, code: str, start: date, end: date, request: Any) -> str:
    """The rates page by hand: the user's roles, the area, the grouped statement (the
    data floor's), the area above unless the area is one of the user's own, the
    context, the same template rendered for `request`."""
    from django.db import connection
    from django.template.loader import render_to_string

    from jijie.areas.access import Action

    with connection.cursor() as cursor:
        paths = _paths(_held(cursor, user_id), Action.PROBLEM_VIEW)
        answer = _rates_rows(cursor, paths, code, start, end)
        parent = None
        if answer["path"] not in paths:
            cursor.execute(
                "SELECT name, code, kind FROM areas_area WHERE path = %s", [answer["path"][:-4]]
            )
            found = cursor.fetchone()
            parent = Place(*found) if found else None
    context = rates_context(answer, parent, start, end)
    return render_to_string("problems/rates.html", context, request)


# What the pages show, and what the floors say they should -------------------------------

BOARD_ROW = re.compile(
    r'<tr data-testid="problem-(\d+)">\s*<td class="title">\s*<a [^>]*>([^<]*)</a>\s*</td>\s*'
    r"<td>\s*<a [^>]*>([^<]*)</a>\s*</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*"
    r'<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td\s*(class="overdue")?\s*>\s*(.*?)\s*</td>\s*'
    r'<td class="num">(\d+)</td>',
    re.S,
)
RATES_ROW = re.compile(
    r"<tr>\s*<td>\s*(?:<a [^>]*>)?([^<]*?)(?:</a>)?\s*</td>\s*"
    + r'<td class="num">([^<]*)</td>\s*' * 7
)


def read_board(page: str) -> tuple[int, list[tuple[Any, ...]]]:
    count = re.search(r"共 (\d+) 条", page)
    assert count is not None
    rows = [
        (
            int(r[0]),
            *(html.unescape(x) for x in r[1:7]),
            bool(r[7]),
            " ".join(r[8].split()),
            int(r[9]),
        )
        for r in BOARD_ROW.findall(page)
    ]
    return int(count[1]), rows


def expected_board(answer: dict[str, Any]) -> tuple[int, list[tuple[Any, ...]]]:
    from django.utils import timezone

    from jijie.problems.models import ProblemKind, ProblemState, Urgency

    kinds, urgencies = dict(ProblemKind.choices), dict(Urgency.choices)
    states = dict(ProblemState.choices)
    rows = []
    for pk, title, _code, area, kind, urgency, level, state, deadline, escalations in answer[
        "rows"
    ]:
        overdue = state in UNANSWERED and deadline < NOW
        shown = timezone.localtime(deadline).strftime("%m-%d %H:%M")
        rows.append((
            pk, title, area, str(kinds[kind]), str(urgencies[urgency]), level, str(states[state]),
            overdue, f"{shown} 已超期" if overdue else shown, escalations,
        ))  # fmt: skip
    return answer["count"], rows


def _percent(part: int, whole: int) -> str:
    return "—" if not whole else f"{part / whole * 100:.1f}%"


def read_rates(page: str) -> tuple[list[str], list[tuple[str, ...]]]:
    totals = re.search(
        r'data-testid="totals">\s*<div>\s*<b>(\d+)</b>.*?data-testid="response-rate">([^<]*)<.*?'
        r'data-testid="resolution-rate">([^<]*)<.*?data-testid="satisfaction-rate">([^<]*)<'
        r".*?<b>(\d+)</b>",
        page,
        re.S,
    )
    assert totals is not None
    table = page[page.index('data-testid="rates"') :]
    rows = [tuple(html.unescape(cell) for cell in row) for row in RATES_ROW.findall(table)]
    return list(totals.groups()), rows


def expected_rates(answer: dict[str, Any]) -> tuple[list[str], list[tuple[str, ...]]]:
    rows: list[tuple[str, ...]] = []
    sums = [0] * 9
    for child, name, _code, _kind, *counts in answer["rows"]:
        raised, due, in_time, resolved, rated, satisfied, unanswered, overdue, escalated = counts
        sums = [a + b for a, b in zip(sums, counts, strict=True)]
        rows.append((
            "本级" if child == answer["path"] else name, str(raised), _percent(in_time, due),
            _percent(resolved, raised), _percent(satisfied, rated), str(unanswered), str(overdue),
            str(escalated),
        ))  # fmt: skip
    raised, due, in_time, resolved, rated, satisfied, _unanswered, overdue, _escalated = sums
    totals = [
        str(raised),
        _percent(in_time, due),
        _percent(resolved, raised),
        _percent(satisfied, rated),
        str(overdue),
    ]
    return totals, rows


# Where the time goes --------------------------------------------------------------------


def explain(run: Any) -> dict[str, Any]:
    """One request of a page (or one run of its floor) with its queries captured, then
    each query run again under EXPLAIN ANALYZE: what each costs in the database, and the
    plans of the dearest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        run()
    request_ms = (time.perf_counter() - started) * 1000
    queries = []
    for query in captured.captured_queries:
        sql = query["sql"]
        entry: dict[str, Any] = {"sql": sql, "client_ms": round(float(query["time"]) * 1000, 2)}
        if sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0][0]
                entry["execution_ms"] = round(plan["Execution Time"], 2)
                entry["planning_ms"] = round(plan["Planning Time"], 2)
                if "JIT" in plan:
                    entry["jit_ms"] = round(plan["JIT"]["Timing"]["Total"], 2)
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                entry["plan"] = "\n".join(row[0] for row in cursor.fetchall())
        queries.append(entry)
    dearest = sorted(queries, key=lambda q: -q.get("execution_ms", 0))
    for query in dearest[3:]:
        query.pop("plan", None)
    return {
        "request_ms": round(request_ms, 1),
        "queries": len(queries),
        "database_ms": round(sum(q["client_ms"] for q in queries), 1),
        "each": queries,
    }


def _what(sql: str) -> str:
    """A query named by what it reads, for the table."""
    head = " ".join(sql.upper().replace('"', "").split())
    if "FROM PROBLEMS_PROBLEM" in head:
        if "GROUP BY" in head:
            return "rates by area"
        if "COUNT(*)" in head:
            return "count"
        return "page rows"
    if "ORGANISATIONASSIGNMENT" in head:
        return "organisation roles"
    if "ROLEASSIGNMENT" in head:
        return "roles"
    if "FROM AREAS_AREA" in head:
        return "areas"
    if "SESSION" in head:
        return "session"
    if "FROM ACCOUNTS_USER" in head:
        return "user"
    return "other"


# The run --------------------------------------------------------------------------------


def main() -> None:
    setup_django()
    import time_machine
    from django.conf import settings
    from django.contrib.messages.storage import default_storage
    from django.db import connection
    from django.db.models import Count
    from django.http import HttpRequest
    from django.test import Client, RequestFactory
    from django.urls import reverse
    from django.utils import translation

    from jijie.accounts.models import User
    from jijie.areas import access
    from jijie.areas.demo import CITY, DISTRICT, build
    from jijie.areas.models import Area
    from jijie.core.paging import Pages
    from jijie.problems import selectors
    from jijie.problems.models import Problem, ProblemEvent

    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    rng = random.Random(2020)
    built_s = None
    if Area.objects.filter(code=CITY[0]).first() is None:
        began = time.perf_counter()
        build("seed", 2020)  # the seed district: 36 communities, their grids and buildings
        built_s = round(time.perf_counter() - began, 1)
    district = Area.objects.get(code=DISTRICT[0])
    setup = _setup(district)
    if "--reload" in sys.argv:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE problems_problemevent, problems_photo, problems_problem RESTART IDENTITY"
            )
    loaded: dict[str, Any] | None = None
    if not Problem.objects.exists():
        loaded = _load(rng, district, setup)
        print(loaded)
    command = setup["command"]
    counts = {
        "problems": Problem.objects.count(),
        "events": ProblemEvent.objects.count(),
        "by_state": dict(Problem.objects.values_list("state").annotate(n=Count("pk")).order_by()),
        "escalated": Problem.objects.filter(escalations__gt=0).count(),
        "overdue": Problem.objects.filter(state__in=UNANSWERED, deadline_at__lt=NOW).count(),
        "rated": Problem.objects.filter(rating__isnull=False).count(),
        "satisfied": Problem.objects.filter(rating__gte=4).count(),
        "areas": Area.objects.filter(path__startswith=district.path).count(),
    }
    end = NOW.date()
    start = end - timedelta(days=DAYS - 1)
    board_url, rates_url = reverse("problems:board"), reverse("problems:rates")
    rates_params = {"area": district.code, "start": start.isoformat(), "end": end.isoformat()}
    results: dict[str, Any] = {}
    with time_machine.travel(NOW, tick=False):
        client = Client()
        client.force_login(command)
        # The page floors' user: the command, its roles read once and kept, as the floors'
        # own roles statement stands for that read (bench/areas.py does the same).
        floor_user = User.objects.get(pk=command.pk)
        access.assignments(floor_user)
        session_key = client.session.session_key
        factory = RequestFactory()

        def signed_in(url: str, params: dict[str, str]) -> HttpRequest:
            """A request as the page's middleware hands it to the view: the signed-in
            user and their session, the messages' storage, the language chosen."""
            request = factory.get(url, params)
            # The menu's organisation roles are read for every page: so for its floor.
            vars(floor_user).pop("_jijie_organisation_roles", None)
            request.user = floor_user
            request.session = session_store(session_key)
            request._messages = default_storage(request)  # type: ignore[attr-defined]
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
            return request

        for tab in BOARD_TABS:

            def page(tab: str = tab) -> str:
                answer = client.get(board_url, {"tab": tab})
                assert answer.status_code == 200, answer.status_code
                return answer.content.decode()

            def data_step(tab: str = tab) -> list[Problem]:
                access.forget(command)
                rows = selectors.board(command, tab=tab, now=NOW)
                return list(Pages(rows, ROWS, by_key=True).get_page(None))

            def by_hand(tab: str = tab) -> dict[str, Any]:
                return board_floor(command.pk, tab)

            def page_by_hand(tab: str = tab) -> str:
                return board_page_floor(floor_user.pk, tab, signed_in(board_url, {"tab": tab}))

            product = page()
            shown, wanted = read_board(product), expected_board(by_hand())
            assert shown == wanted, (tab, shown[0], wanted[0], shown[1][:3], wanted[1][:3])
            assert len(shown[1]) == ROWS, (tab, len(shown[1]))
            assert [p.pk for p in data_step()] == [r[0] for r in wanted[1]], tab
            rendered = page_by_hand()
            assert read_board(rendered) == shown, (tab, read_board(rendered)[1][:3])
            same = _same_html(product, rendered)
            assert same is True, (tab, same)
            results[f"board_{tab}"] = _figures(
                page, page_by_hand, by_hand, data_step, {"tab": tab}, count=shown[0]
            )
            print(f"board {tab}", results[f"board_{tab}"])

        def rates_page() -> str:
            answer = client.get(rates_url, rates_params)
            assert answer.status_code == 200, answer.status_code
            return answer.content.decode()

        def rates_step() -> Any:
            access.forget(command)
            area = access.area_for(command, district.code, access.Action.PROBLEM_VIEW)
            return selectors.rates_by_area(
                area,
                start=datetime(start.year, start.month, start.day, tzinfo=NOW.tzinfo),
                end=datetime(end.year, end.month, end.day, tzinfo=NOW.tzinfo) + timedelta(days=1),
                now=NOW,
            )

        def rates_by_hand() -> dict[str, Any]:
            return rates_floor(command.pk, district.code, start, end)

        def rates_page_by_hand() -> str:
            request = signed_in(rates_url, rates_params)
            return rates_page_floor(floor_user.pk, district.code, start, end, request)

        product = rates_page()
        shown_rates, wanted_rates = read_rates(product), expected_rates(rates_by_hand())
        assert shown_rates == wanted_rates, (shown_rates, wanted_rates)
        assert len(shown_rates[1]) >= 6, shown_rates
        total, _per_area = rates_step()
        assert str(total.raised) == wanted_rates[0][0]
        rendered = rates_page_by_hand()
        assert read_rates(rendered) == shown_rates, read_rates(rendered)
        same = _same_html(product, rendered)
        assert same is True, same
        results["rates"] = _figures(
            rates_page,
            rates_page_by_hand,
            rates_by_hand,
            rates_step,
            rates_params,
            count=total.raised,
        )
        results["rates"]["per_area"] = [list(r) for r in shown_rates[1]]
        results["rates"]["totals"] = shown_rates[0]
        print("rates", {k: v for k, v in results["rates"].items() if k != "per_area"})
        runs: dict[str, tuple[Any, Any, Any]] = {
            "board_open": (
                lambda: client.get(board_url, {"tab": "open"}),
                lambda: page_by_hand("open"),
                lambda: board_floor(command.pk, "open"),
            ),
            "board_all": (
                lambda: client.get(board_url, {"tab": "all"}),
                lambda: page_by_hand("all"),
                lambda: board_floor(command.pk, "all"),
            ),
            "rates": (rates_page, rates_page_by_hand, rates_by_hand),
        }
        for key, (request_page, floor, data_floor) in runs.items():
            results[key]["explained"] = explain(request_page)
            results[key]["floor_explained"] = explain(floor)
            results[key]["data_floor_explained"] = explain(data_floor)
    figures = {
        "machine": {**machine(), "load_average": [round(x, 2) for x in os.getloadavg()]},
        "built_s": built_s,
        "loaded": loaded,
        "now": NOW.isoformat(),
        "period": [start.isoformat(), end.isoformat()],
        "data": counts,
        "goal_p95_ms": GOAL_MS,
        "goal_ratio": GOAL_RATIO,
        **results,
    }
    write("problems", figures, _markdown(figures))
    print(_readme_rows(figures))


def _figures(
    page: Any,
    floor: Any,
    data_floor: Any,
    data_step: Any,
    params: dict[str, Any],
    *,
    count: int,
) -> dict[str, Any]:
    """The page, its floor (the data by hand and the same template rendered), the data
    floor alone and the product's data step, measured one after the other. The ratios
    and the goal are the page's against its floor; the data step's against the data
    floor."""
    page_figures = measure(page, runs=RUNS, warmup=WARMUP)
    floor_figures = measure(floor, runs=RUNS, warmup=WARMUP)
    data_floor_figures = measure(data_floor, runs=RUNS, warmup=WARMUP)
    step_figures = measure(data_step, runs=RUNS, warmup=WARMUP)
    ratio_p95 = ratio(page_figures, floor_figures, "p95_ms")
    return {
        "params": params,
        "count": count,
        "page": page_figures,
        "floor": floor_figures,
        "data_floor": data_floor_figures,
        "data_step": step_figures,
        "ratio": ratio(page_figures, floor_figures),
        "ratio_p95": ratio_p95,
        "ratio_to_data_floor": ratio(page_figures, data_floor_figures),
        "ratio_to_data_floor_p95": ratio(page_figures, data_floor_figures, "p95_ms"),
        "data_step_ratio": ratio(step_figures, data_floor_figures),
        "meets_goal": page_figures["p95_ms"] <= GOAL_MS and ratio_p95 <= GOAL_RATIO,
        "meets_time_goal": page_figures["p95_ms"] <= GOAL_MS,
        "meets_ratio_goal": ratio_p95 <= GOAL_RATIO,
    }


CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


def _same_html(page: str, floor: str) -> bool | str:
    """Whether the floor rendered the page's very HTML (its CSRF tokens aside, which
    differ at every request); else the first place where they part."""
    page, floor = CSRF_TOKEN.sub("…", page), CSRF_TOKEN.sub("…", floor)
    if page == floor:
        return True
    at = next(
        (i for i, (a, b) in enumerate(zip(page, floor, strict=False)) if a != b),
        min(len(page), len(floor)),
    )
    return f"page {page[at - 60 : at + 60]!r} / floor {floor[at - 60 : at + 60]!r}"


LABELS = {
    "board_open": "board, tab 未办结 (?tab=open), first page",
    "board_all": "board, tab 全部 (?tab=all), first page",
    "rates": "rates of the district's streets over the year (?area=&start=&end=)",
}


def _markdown(figures: dict[str, Any]) -> str:
    m, d = figures["machine"], figures["data"]
    lines, steps, where = [], [], []
    for key, label in LABELS.items():
        r = figures[key]
        label = f"{label}, {r['count']:,} problems"
        page, floor, data = r["page"], r["floor"], r["data_floor"]
        lines.append(
            f"| {label} | {page['median_ms']} | {page['p95_ms']} | {data['median_ms']} "
            f"| {data['p95_ms']} | {floor['median_ms']} | {floor['p95_ms']} | {r['ratio']} "
            f"| {r['ratio_p95']} | {'yes' if r['meets_time_goal'] else 'NO'} "
            f"| {'yes' if r['meets_ratio_goal'] else 'NO'} |"
        )
        steps.append(
            f"| {label} | {r['data_step']['median_ms']} | {r['data_step']['p95_ms']} "
            f"| {r['data_step_ratio']} |"
        )
        explained = (
            (label, r["explained"]),
            ("its floor", r["floor_explained"]),
            ("its data floor", r["data_floor_explained"]),
        )
        for what, e in explained:
            dearest = sorted(e["each"], key=lambda q: -q.get("execution_ms", 0))[:4]
            parts = ", ".join(
                f"{_what(q['sql'])} {q['execution_ms']} ms" for q in dearest if "execution_ms" in q
            )
            where.append(
                f"| {what} | {e['request_ms']} | {e['queries']} | {e['database_ms']} | {parts} |"
            )
    table, step_table, where_table = "\n".join(lines), "\n".join(steps), "\n".join(where)
    states = ", ".join(f"{n:,} {s}" for s, n in sorted(d["by_state"].items()))
    loaded = figures["loaded"]
    load_line = (
        f" Loaded in {loaded['loaded_s']} s ({loaded['events']:,} history rows)."
        if loaded
        else " (Loaded by an earlier run.)"
    )
    return f"""# bench/problems.py

{m["when"]}, {m["cpus"]} CPUs (load average {", ".join(map(str, m["load_average"]))} at the end), Python {m["python"]}, {m["database"]}.
{d["problems"]:,} problems raised over the {DAYS} days to {figures["now"]} (the present the pages are read at) under the seed district ({d["areas"]:,} areas), {d["events"]:,} history rows: {states}; {d["escalated"]:,} escalated one level or more, {d["overdue"]:,} unanswered past their deadline, {d["rated"]:,} rated ({d["satisfied"]:,} with 4 or 5).{load_line}

The district command's pages through Django's test client (signed in), {RUNS} requests of
each after {WARMUP} of warm-up, against their floors, measured one after the other in
the same run. A page's **floor** is its content by hand and the same template rendered
(bench/results/README.md, "What a floor is"): the hand-written SQL below, its rows made
by hand into the context the view gives the template (the board: Django's Page over the
{ROWS} rows with the count, the tabs, the kind filter, whether the user may raise; the
rates: each street's counts and their totals, the period, the area), then
`render_to_string` of the same template for a RequestFactory request signed in as the
same user with the same session, so that the page shell and its context processors (the
menu, and its read of the user's organisation roles) run as in the page. It renders the
page's very HTML: the floor's page is checked equal to the product's, its CSRF tokens
aside. The **data floor** is that SQL alone through a raw cursor, rendering nothing:
for the board, the user's roles, the count, the first {ROWS} rows with the area's code
and name and the level's name, in the page's order (by deadline for the open tab, newest
first for all); for the rates over {figures["period"][0]} to {figures["period"][1]}, the
user's roles, the area by its code, one grouped statement by street with the streets'
names, codes and kinds. The pages' count, rows in order, per-street figures and totals
are checked equal to the data floors'. What the page does beyond its floor is the
request: the middleware, the session and the user read from it, the ORM, the model
instances. Goal: p95 ≤ {GOAL_MS} ms and ≤ {GOAL_RATIO:g}× the floor at p95. The runs are
medians and p95s of one run on a 2-core machine shared with other work: compare figures
of the same run, not across runs.

| page | median ms | p95 ms | data floor median ms | data floor p95 ms | floor median ms | floor p95 ms | × floor (median) | × floor (p95) | p95 ≤ {GOAL_MS} ms | ≤ {GOAL_RATIO:g}× floor (p95) |
|---|---|---|---|---|---|---|---|---|---|---|
{table}

The product's data step alone (the selector and the paginator's first page, or the
rates' selector, with the user's roles read again; no request, no render), against the
data floor:

| page | median ms | p95 ms | × data floor (median) |
|---|---|---|---|
{step_table}

Where one request's time goes, one run of its floor's and one of its data floor's (their
queries captured, then each run again under EXPLAIN ANALYZE; the plans of the dearest
three are in problems.json):

| page | request ms | queries | their time ms | dearest, execution ms |
|---|---|---|---|---|
{where_table}
"""


def _readme_rows(figures: dict[str, Any]) -> str:
    """The rows for bench/results/README.md's table, for whoever updates it."""
    day = figures["machine"]["when"][:10]

    def said(r: dict[str, Any]) -> str:
        return (
            f"{r['page']['p95_ms']} ms against a {r['floor']['p95_ms']} ms floor "
            f"({r['ratio']}× at the median, {r['ratio_p95']}× at p95; the data floor alone "
            f"{r['data_floor']['p95_ms']} ms)"
        )

    board = ", ".join(f"tab {key[6:]} {said(figures[key])}" for key in ("board_open", "board_all"))
    rates = figures["rates"]
    return (
        "Rows for bench/results/README.md:\n\n"
        f"| problem board (`problems`), district command, {figures['data']['problems']:,} "
        "problems over a year, p95 | the user's roles, the count and the first 50 rows with "
        "the area's and the level's names in the page's order as bare SQL, checked equal, "
        "made by hand into the view's context and the same template rendered "
        "(render_to_string, signed in, the same context processors): the page's HTML, "
        f"checked equal | — | {day}: {board}; goal ≤ {GOAL_MS} ms and ≤ {GOAL_RATIO:g}× |\n"
        f"| problem rates (`problems`), district by street over a year, p95 | the user's "
        "roles, the area, one grouped statement by street with the names as bare SQL, "
        "checked equal, and the same template rendered the same way: the page's HTML, "
        f"checked equal | — | {day}: {said(rates)}; goal ≤ {GOAL_MS} ms and ≤ {GOAL_RATIO:g}× |\n"
    )


if __name__ == "__main__":
    main()
