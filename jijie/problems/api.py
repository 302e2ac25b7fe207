"""`/api/problems/...`: the problems in sight and the three rates, as other systems read
them (the command's dashboard, a city's hotline platform). Read only: problems are
raised and handled on the pages, where the photo and the history are seen."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from jijie.areas import access
from jijie.areas.access import Action
from jijie.core import periods
from jijie.core.pagination import paginated
from jijie.problems import selectors
from jijie.problems.models import Problem
from jijie.problems.selectors import Tab

router = Router(tags=["problems"])


def _viewing(request: HttpRequest) -> None:
    if not access.scope_paths(request.user, Action.PROBLEM_VIEW):
        raise PermissionDenied(_("您的角色不能查看问题台账。"))


class ProblemOut(Schema):
    id: int
    title: str
    need: str
    kind: str
    urgency: str
    state: str
    area_code: str
    area: str
    level_code: str
    level: str
    raised_at: datetime
    deadline_at: datetime
    escalations: int
    is_responded_in_time: bool
    answer: str
    answered_at: datetime | None
    rating: int | None

    @staticmethod
    def resolve_area_code(problem: Problem) -> str:
        return problem.area.code

    @staticmethod
    def resolve_area(problem: Problem) -> str:
        return problem.area.name

    @staticmethod
    def resolve_level_code(problem: Problem) -> str:
        return problem.level.code

    @staticmethod
    def resolve_level(problem: Problem) -> str:
        return problem.level.name


class RatesOut(Schema):
    area_code: str | None  # None: problems raised about the area itself
    area: str | None
    raised: int
    responded_due: int
    responded_in_time: int
    resolved: int
    rated: int
    satisfied: int
    unanswered: int
    overdue: int
    escalated: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


@router.get("/problems", response=list[ProblemOut], summary="Problems in scope")
@paginated
def problem_list(request: HttpRequest, tab: str = Tab.ALL) -> QuerySet[Problem]:
    """`tab`: todo (waiting at the caller's level), open, overdue, escalated, answered,
    resolved or all."""
    _viewing(request)
    if tab not in Tab.ALL_TABS:
        raise BadRequest(_("没有这个分类。"))
    return selectors.board(request.user, tab=tab, now=timezone.now())


@router.get("/problems/{pk}", response=ProblemOut, summary="A problem")
def problem_detail(request: HttpRequest, pk: int) -> Problem:
    _viewing(request)
    found = selectors.in_sight(request.user).select_related("area", "level").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@router.get("/rates", response=list[RatesOut], summary="The three rates per area below one")
def rates(request: HttpRequest, area: str, start: date, end: date) -> list[RatesOut]:
    """The problems raised from `start` to `end` (days, both included) under the area
    with code `area`, for each area one level below it."""
    _viewing(request)
    found = access.area_for(request.user, area, Action.PROBLEM_VIEW)
    if start > end:
        raise BadRequest(_("开始日期不能晚于结束日期。"))
    begin, finish = periods.bounds(start, end)
    _total, rows = selectors.rates_by_area(found, start=begin, end=finish, now=timezone.now())
    return [
        RatesOut(
            area_code=row.area.code if row.area else None,
            area=row.area.name if row.area else None,
            **vars(row.rates),
            response_rate=row.rates.response,
            resolution_rate=row.rates.resolution,
            satisfaction_rate=row.rates.satisfaction,
        )
        for row in rows
    ]
