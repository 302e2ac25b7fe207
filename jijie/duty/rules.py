"""The rules that refuse a member for a shift, on plain values, so that a claim, a
direct assignment and the roster optimiser judge a member by the same code.

Each `*_refusal` answers None when the rule lets the member through, else the sentence
the member or the community reads.

The rules of time (`Limits`, per response, defaults from the settings):

- no two shifts overlap;
- a run of duty lasts at most `hours_in_a_row` hours: shifts with less than the minimum
  rest (`rest_hours`) between them belong to one run, counted from its first start to
  its last end, short breaks included. So a break shorter than the minimum rest is
  allowed only inside a run short enough (two 4-hour shifts 2 hours apart), and
  between two runs there are at least `rest_hours` hours;
- a rest of `week_rest_hours` hours in any 7 days: a stretch of duty (shifts with less
  than that between them) lasts at most 7 days minus that rest (144 hours), from its
  first start to its last end, so the 7 days from any start of a stretch hold the rest;
- at most `week_hours` hours of duty in any 168 hours (a rolling window, shifts counted
  for the part inside it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.mobilization.models import Fitness

Interval = tuple[datetime, datetime]

WEEK = timedelta(days=7)
DEFAULT_MAX_HOURS_IN_A_ROW = 12
DEFAULT_MIN_REST_HOURS = 11
DEFAULT_WEEK_REST_HOURS = 24
DEFAULT_WEEK_MAX_HOURS = 60


def max_hours_in_a_row() -> int:
    """The longest a run of duty may last (hours)."""
    return int(getattr(settings, "DUTY_MAX_HOURS_IN_A_ROW", DEFAULT_MAX_HOURS_IN_A_ROW))


def min_rest_hours() -> int:
    """The minimum rest between two runs of duty; a shorter break does not end a run
    (hours)."""
    return int(getattr(settings, "DUTY_MIN_REST_HOURS", DEFAULT_MIN_REST_HOURS))


def week_rest_hours() -> int:
    """The rest every 7 days must hold (hours)."""
    return int(getattr(settings, "DUTY_WEEK_REST_HOURS", DEFAULT_WEEK_REST_HOURS))


def week_max_hours() -> int:
    """The most hours of duty in any 7 days."""
    return int(getattr(settings, "DUTY_WEEK_MAX_HOURS", DEFAULT_WEEK_MAX_HOURS))


@dataclass(frozen=True)
class Limits:
    """The numbers the rules of time read: a response's (`DutyRules`) or the defaults."""

    hours_in_a_row: int = DEFAULT_MAX_HOURS_IN_A_ROW
    rest_hours: int = DEFAULT_MIN_REST_HOURS
    week_rest_hours: int = DEFAULT_WEEK_REST_HOURS
    week_hours: int = DEFAULT_WEEK_MAX_HOURS

    @classmethod
    def default(cls) -> Limits:
        """The settings' limits, for a shift under no response with rules of its own."""
        return cls(max_hours_in_a_row(), min_rest_hours(), week_rest_hours(), week_max_hours())

    @classmethod
    def strictest(cls, many: Iterable[Limits]) -> Limits:
        """Limits no looser than any of `many` (a member's shifts under several
        responses at once)."""
        found = list(many) or [cls.default()]
        return cls(
            min(x.hours_in_a_row for x in found),
            max(x.rest_hours for x in found),
            max(x.week_rest_hours for x in found),
            min(x.week_hours for x in found),
        )

    @property
    def reach(self) -> timedelta:
        """How far either side of a shift the member's other shifts can matter: a run,
        a stretch without the weekly rest and a 7-day window all end within it."""
        return max(WEEK, timedelta(hours=self.hours_in_a_row + self.rest_hours)) + timedelta(days=1)

    @property
    def stretch_limit(self) -> timedelta:
        """The longest stretch without the weekly rest."""
        return WEEK - timedelta(hours=self.week_rest_hours)


@dataclass(frozen=True)
class Candidate:
    """What the rules need to know about a member."""

    kind: str
    skills: frozenset[str]
    fitness: str
    residence_path: str
    # (community path, first day, last day) of each active deployment.
    deployments: tuple[tuple[str, date, date], ...]


@dataclass(frozen=True)
class Post:
    """What the rules need to know about a shift."""

    community_path: str
    starts_at: datetime
    ends_at: datetime
    required_skills: frozenset[str]
    allowed_kinds: frozenset[str]

    @cached_property
    def days(self) -> tuple[date, date]:
        """The first and last calendar day (Asia/Shanghai) the shift touches."""
        last = timezone.localtime(self.ends_at - timedelta(seconds=1)).date()
        return timezone.localtime(self.starts_at).date(), last


def skill_refusal(candidate: Candidate, post: Post, skill_labels: dict[str, str]) -> str | None:
    missing = sorted(post.required_skills - candidate.skills)
    if missing:
        return _("缺少岗位所需技能:%(skills)s。") % {
            "skills": "、".join(skill_labels.get(code, code) for code in missing)
        }
    if post.allowed_kinds and candidate.kind not in post.allowed_kinds:
        return _("该岗位限定身份,您的身份不在其列。")
    if candidate.fitness == Fitness.UNFIT:
        return _("身体状况登记为暂不适合一线。")
    return None


def deployment_for(candidate: Candidate, post: Post) -> int | None:
    """The index of the active deployment to the shift's community covering it."""
    first, last = post.days
    for index, (path, starts_on, ends_on) in enumerate(candidate.deployments):
        if path == post.community_path and starts_on <= first and last <= ends_on:
            return index
    return None


def place_refusal(candidate: Candidate, post: Post) -> str | None:
    """A member serves in a community they are deployed to (within the deployment's
    days) or in the community they live in (双报到)."""
    if deployment_for(candidate, post) is not None:
        return None
    if candidate.residence_path and candidate.residence_path.startswith(post.community_path):
        return None
    return _("该班次不在您的下沉社区或下沉期内。")


# The rules of time: each `_*_breach` finds the figures, each `*_refusal` says them.


def _duration(length: timedelta) -> str:
    """“10 小时 59 分”, “11 小时”."""
    minutes = max(0, int(length.total_seconds() // 60))
    if minutes % 60:
        return _("%(hours)s 小时 %(minutes)s 分") % {
            "hours": minutes // 60,
            "minutes": minutes % 60,
        }
    return _("%(hours)s 小时") % {"hours": minutes // 60}


def _at(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%m-%d %H:%M}"


def _overlap_breach(busy: Iterable[Interval], post: Post) -> Interval | None:
    for starts_at, ends_at in busy:
        if starts_at < post.ends_at and post.starts_at < ends_at:
            return starts_at, ends_at
    return None


def overlap_refusal(busy: Iterable[Interval], post: Post) -> str | None:
    found = _overlap_breach(busy, post)
    if found is None:
        return None
    return _("与您 %(start)s 开始的班次时间重叠。") % {"start": _at(found[0])}


@dataclass(frozen=True)
class _Chain:
    """The shifts around the post that follow one another with less than a given gap
    between them (a run of duty, or a stretch without the weekly rest)."""

    starts_at: datetime
    ends_at: datetime
    # The shortest break next to the post inside the chain, and the other shift's start.
    break_before: tuple[timedelta, datetime] | None
    break_after: tuple[timedelta, datetime] | None
    longest_break: timedelta | None

    @property
    def length(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def nearest(self) -> tuple[timedelta, datetime] | None:
        near = [b for b in (self.break_before, self.break_after) if b is not None]
        return min(near, default=None)


def _chain(busy: Iterable[Interval], post: Post, gap: timedelta) -> _Chain:
    """The chain the post belongs to among the member's shifts `busy` (which do not
    overlap it): shifts taken in time order, a break shorter than `gap` joins them."""
    before = sorted((s, e) for s, e in busy if s < post.starts_at)
    after = sorted((s, e) for s, e in busy if s >= post.ends_at)
    start, end = post.starts_at, post.ends_at
    longest: timedelta | None = None
    break_before = break_after = None
    # Backwards from the post: each earlier shift joins when it ends less than `gap`
    # before the chain's start.
    for s, e in reversed(before):
        if start - e >= gap:
            break
        pause = start - e
        if break_before is None:
            break_before = (pause, s)
        longest = max(longest or pause, pause)
        start = min(start, s)
    for s, e in after:
        if s - end >= gap:
            break
        pause = s - end
        if break_after is None:
            break_after = (pause, s)
        longest = max(longest or pause, pause)
        end = max(end, e)
    return _Chain(start, end, break_before, break_after, longest)


def _run_breach(busy: Iterable[Interval], post: Post, limits: Limits) -> _Chain | None:
    run = _chain(busy, post, timedelta(hours=limits.rest_hours))
    return run if run.length > timedelta(hours=limits.hours_in_a_row) else None


def run_refusal(busy: Iterable[Interval], post: Post, limits: Limits) -> str | None:
    """Too long a run of duty: the rest left before or after the shift is shorter than
    the minimum rest, and the run it makes is longer than the limit."""
    run = _run_breach(busy, post, limits)
    if run is None:
        return None
    nearest = run.nearest
    if nearest is None:
        return _("该班次长 %(length)s,超过连续值守上限 %(limit)s 小时。") % {
            "length": _duration(run.length),
            "limit": limits.hours_in_a_row,
        }
    pause, other = nearest
    return _(
        "与 %(other)s 开始的班次之间只休息 %(rest)s,少于 %(min)s 小时,"
        "连续值守将达 %(length)s,超过 %(limit)s 小时。"
    ) % {
        "other": _at(other),
        "rest": _duration(pause),
        "min": limits.rest_hours,
        "length": _duration(run.length),
        "limit": limits.hours_in_a_row,
    }


def _week_rest_breach(busy: Iterable[Interval], post: Post, limits: Limits) -> _Chain | None:
    stretch = _chain(busy, post, timedelta(hours=limits.week_rest_hours))
    return stretch if stretch.length > limits.stretch_limit else None


def week_rest_refusal(busy: Iterable[Interval], post: Post, limits: Limits) -> str | None:
    """No rest of `week_rest_hours` in 7 days: the stretch the shift would belong to
    lasts longer than 7 days minus that rest."""
    stretch = _week_rest_breach(busy, post, limits)
    if stretch is None:
        return None
    return _(
        "每 7 天须有一次连续 %(min)s 小时的休息:%(start)s 至 %(end)s 之间最长只休息 %(rest)s。"
    ) % {
        "min": limits.week_rest_hours,
        "start": _at(stretch.starts_at),
        "end": _at(stretch.ends_at),
        "rest": _duration(stretch.longest_break or timedelta(0)),
    }


def _week_hours_breach(
    busy: Iterable[Interval], post: Post, limits: Limits
) -> tuple[datetime, timedelta] | None:
    """The 7-day window around the post with the most duty in it, when that is more
    than the limit: (its start, the duty in it). The most is reached by a window that
    starts when a shift starts or ends when one ends."""
    shifts = [*busy, (post.starts_at, post.ends_at)]
    nearby = [(s, e) for s, e in shifts if s < post.ends_at + WEEK and e > post.starts_at - WEEK]
    limit = timedelta(hours=limits.week_hours)
    worst: tuple[datetime, timedelta] | None = None
    for start in sorted({s for s, _e in nearby} | {e - WEEK for _s, e in nearby}):
        end = start + WEEK
        if not (start < post.ends_at and post.starts_at < end):
            continue
        total = sum(
            (min(e, end) - max(s, start) for s, e in nearby if s < end and start < e),
            timedelta(0),
        )
        if total > limit and (worst is None or total > worst[1]):
            worst = (start, total)
    return worst


def week_hours_refusal(busy: Iterable[Interval], post: Post, limits: Limits) -> str | None:
    found = _week_hours_breach(busy, post, limits)
    if found is None:
        return None
    start, total = found
    return _("%(start)s 起 7 天内值守将达 %(length)s,超过 %(limit)s 小时。") % {
        "start": _at(start),
        "length": _duration(total),
        "limit": limits.week_hours,
    }


def time_refusal(busy: Sequence[Interval], post: Post, limits: Limits) -> str | None:
    """The first rule of time that refuses the shift against the member's others."""
    return (
        overlap_refusal(busy, post)
        or run_refusal(busy, post, limits)
        or week_rest_refusal(busy, post, limits)
        or week_hours_refusal(busy, post, limits)
    )


def refusal(
    candidate: Candidate,
    post: Post,
    busy: Sequence[Interval],
    skill_labels: dict[str, str],
    limits: Limits | None = None,
) -> str | None:
    """The first rule that refuses the member for the shift, or None. `busy` are the
    member's other shifts holding a place (requested or confirmed), at least those
    within `limits.reach` of it."""
    return (
        skill_refusal(candidate, post, skill_labels)
        or place_refusal(candidate, post)
        or time_refusal(busy, post, limits or Limits.default())
    )


def fits_in_time(busy: Sequence[Interval], post: Post, limits: Limits) -> bool:
    """`time_refusal(...)` is None, without writing the sentence: for judging many
    members at once (the roster optimiser)."""
    if not busy:
        return post.ends_at - post.starts_at <= timedelta(hours=limits.hours_in_a_row)
    return (
        _overlap_breach(busy, post) is None
        and _run_breach(busy, post, limits) is None
        and _week_rest_breach(busy, post, limits) is None
        and _week_hours_breach(busy, post, limits) is None
    )


def may_hold(candidate: Candidate, post: Post) -> bool:
    """`skill_refusal(...) or place_refusal(...)` is None, without the sentence."""
    if not post.required_skills <= candidate.skills:
        return False
    if post.allowed_kinds and candidate.kind not in post.allowed_kinds:
        return False
    if candidate.fitness == Fitness.UNFIT:
        return False
    if deployment_for(candidate, post) is not None:
        return True
    return bool(candidate.residence_path) and candidate.residence_path.startswith(
        post.community_path
    )


def breaches(
    candidate: Candidate,
    held: Sequence[Interval],
    new: Sequence[tuple[Post, Limits]],
    skill_labels: dict[str, str],
) -> list[tuple[Post, str]]:
    """A whole plan's lines for one member, each judged by every rule against all the
    member would hold with the plan (`held` and the other new shifts): the lines a rule
    refuses, with the sentence. Every run, stretch and 7-day window holding a new shift
    is judged that way, so an empty list means the plan keeps every rule."""
    found = []
    for index, (post, limits) in enumerate(new):
        others = [*held, *((p.starts_at, p.ends_at) for i, (p, _l) in enumerate(new) if i != index)]
        reason = refusal(candidate, post, others, skill_labels, limits)
        if reason is not None:
            found.append((post, reason))
    return found
