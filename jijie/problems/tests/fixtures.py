"""Problems' test fixtures: the supplies' response over the district (problems belong
to the response in force), and a helper that raises one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM, Actor
from jijie.problems import services
from jijie.problems.models import Problem


def raise_problem(
    area: Area,
    *,
    actor: Actor = SYSTEM,
    kind: str = "supplies",
    urgency: str = "urgent",
    title: str = "没有耳温枪",
    now: datetime | None = None,
    **data: Any,
) -> Problem:
    return services.do_problem_raise(
        actor=actor,
        area=area,
        data=services.ProblemData(kind=kind, urgency=urgency, title=title, **data),
        now=now,
    )
