"""Helpers of care's tests: the day they run on (10 March 2026, Asia/Shanghai), an
isolation case's data and its opening, and members living in 新港路社区."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from conftest import Actors, Tree, make_user
from jijie.care import services
from jijie.care.models import IsolationCase
from jijie.mobilization.models import Member
from jijie.mobilization.tests.fixtures import member

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 10)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def case_data(**kwargs: Any) -> services.CaseData:
    values: dict[str, Any] = {
        "kind": "isolation",
        "reason": "自武汉返回",
        "starts_on": TODAY - timedelta(days=2),
        "days": 14,
    }
    values.update(kwargs)
    return services.CaseData(**values)


def open_case(actors: Actors, response, household, person=None, **kwargs) -> IsolationCase:
    return services.case_open(
        actor=actors.manager,
        response=response,
        household=household,
        person=person,
        data=case_data(**kwargs),
        supervisor_user=actors.grid_worker,
    )


def resident_member(n: int, tree: Tree, *, username: str | None = None) -> Member:
    """A member living in 新港路社区, with an account when `username` is given."""
    someone = member(n, residence=tree.community)
    if username:
        someone.user = make_user(username)
        someone.save(update_fields=["user"])
    return someone
