"""Where a problem goes and how long a level has: the rules of the clock, with "now"
always a parameter.

- A problem goes first to the office that can solve it: what the community itself can
  do (residents' needs, other) to the community; what needs goods, hands or equipment
  from outside (supplies, staff, facilities) to the street. A problem raised about an
  area at or above that level goes to the level above the area: the community asking
  for its own masks asks its street.
- A level has the hours its urgency gives (settings `PROBLEM_HOURS_*`) from the moment
  the problem reaches it, or less when the raiser needs it sooner.
- Unanswered by its deadline, a problem moves one level up with as many hours again
  from the deadline it missed: a deadline missed while nobody ran the escalation is
  still one level per deadline, each step kept, never a level skipped. The city is the
  top; there a problem stays, overdue.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from jijie.areas.models import KIND_DEPTH, Area, AreaKind
from jijie.problems.models import ProblemKind, Urgency

STEP = Area.steplen
# The depth of the first level a kind of problem goes to.
FIRST_LEVEL = {
    ProblemKind.SUPPLIES: KIND_DEPTH[AreaKind.STREET],
    ProblemKind.STAFF: KIND_DEPTH[AreaKind.STREET],
    ProblemKind.FACILITIES: KIND_DEPTH[AreaKind.STREET],
    ProblemKind.RESIDENTS: KIND_DEPTH[AreaKind.COMMUNITY],
    ProblemKind.OTHER: KIND_DEPTH[AreaKind.COMMUNITY],
}


def hours(urgency: str) -> timedelta:
    setting = {
        Urgency.URGENT: "PROBLEM_HOURS_URGENT",
        Urgency.NORMAL: "PROBLEM_HOURS_NORMAL",
        Urgency.LOW: "PROBLEM_HOURS_LOW",
    }[Urgency(urgency)]
    return timedelta(hours=int(getattr(settings, setting)))


def depth(path: str) -> int:
    return len(path) // STEP


def first_level_path(area_path: str, kind: str) -> str:
    """The path of the area whose office answers a problem of `kind` about `area_path`
    first: the area's ancestor at the kind's level, or its parent when the area is at
    or above that level (the city answers its own)."""
    level = min(FIRST_LEVEL[ProblemKind(kind)], depth(area_path) - 1)
    return area_path[: max(level, 1) * STEP]


def next_level_path(level_path: str) -> str | None:
    """The level above `level_path`, or None at the top."""
    if depth(level_path) <= 1:
        return None
    return level_path[:-STEP]


def first_deadline(raised_at: datetime, urgency: str, needed_by: datetime | None) -> datetime:
    """The first level's deadline: the urgency's hours, or sooner when needed sooner."""
    deadline = raised_at + hours(urgency)
    return min(deadline, needed_by) if needed_by is not None else deadline


def escalation_steps(
    level_path: str, deadline_at: datetime, urgency: str, now: datetime
) -> list[tuple[datetime, str, datetime]]:
    """The steps a problem still unanswered at `now` takes: for each deadline missed, in
    order, (that deadline, the level it moves to, the new deadline). Empty when the
    deadline has not passed or the level is the top."""
    steps = []
    step = hours(urgency)
    while deadline_at < now:
        above = next_level_path(level_path)
        if above is None:
            break
        steps.append((deadline_at, above, deadline_at + step))
        level_path, deadline_at = above, deadline_at + step
    return steps


def places_above(area_path: str, level_path: str) -> list[str]:
    """The paths from the level answering a problem down to the problem's place."""
    return [area_path[:end] for end in range(len(level_path), len(area_path) + 1, STEP)]


def on_branch(area_path: str, level_path: str, path: str) -> bool:
    """Whether a store at `path` serves a problem's place: at it or below it, or above
    it up to the level answering it."""
    return path.startswith(area_path) or path in places_above(area_path, level_path)
