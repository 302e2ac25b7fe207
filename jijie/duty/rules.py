"""The rules that refuse a member for a shift, on plain values, so that a claim, a
direct assignment and the roster optimiser judge a member by the same code.

Each `*_refusal` answers None when the rule lets the member through, else the sentence
the member or the community reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.mobilization.models import Fitness

Interval = tuple[datetime, datetime]


def max_hours_in_a_row() -> int:
    """The longest a member may be on duty without a rest (hours)."""
    return int(getattr(settings, "DUTY_MAX_HOURS_IN_A_ROW", 12))


def min_rest_hours() -> int:
    """A break shorter than this does not end a run of duty (hours)."""
    return int(getattr(settings, "DUTY_MIN_REST_HOURS", 8))


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


def overlap_refusal(busy: Iterable[Interval], post: Post) -> str | None:
    for starts_at, ends_at in busy:
        if starts_at < post.ends_at and post.starts_at < ends_at:
            return _("与您 %(start)s 开始的班次时间重叠。") % {
                "start": f"{timezone.localtime(starts_at):%m-%d %H:%M}"
            }
    return None


def run_hours(busy: Iterable[Interval], post: Post, rest_hours: int | None = None) -> float:
    """The length in hours of the run of duty the shift would belong to: shifts closer
    to one another than the minimum rest count as one run."""
    rest = timedelta(hours=min_rest_hours() if rest_hours is None else rest_hours)
    start, end = post.starts_at, post.ends_at
    intervals = sorted(busy)
    changed = True
    while changed:
        changed = False
        for starts_at, ends_at in intervals:
            near = starts_at < end + rest and start - rest < ends_at
            if near and (starts_at < start or ends_at > end):
                start, end = min(start, starts_at), max(end, ends_at)
                changed = True
    # Time inside the run that is a short break still counts: it was not a rest.
    return (end - start).total_seconds() / 3600


def rest_refusal(busy: Iterable[Interval], post: Post) -> str | None:
    hours = run_hours(busy, post)
    if hours > max_hours_in_a_row():
        return _(
            "连续值守将达 %(hours)s 小时,超过 %(limit)s 小时;两班之间至少休息 %(rest)s 小时。"
        ) % {"hours": f"{hours:g}", "limit": max_hours_in_a_row(), "rest": min_rest_hours()}
    return None


def refusal(
    candidate: Candidate, post: Post, busy: list[Interval], skill_labels: dict[str, str]
) -> str | None:
    """The first rule that refuses the member for the shift, or None. `busy` are the
    member's other shifts holding a place (requested or confirmed)."""
    return (
        skill_refusal(candidate, post, skill_labels)
        or place_refusal(candidate, post)
        or overlap_refusal(busy, post)
        or rest_refusal(busy, post)
    )


@dataclass(frozen=True)
class Limits:
    """The settings the time rules read, taken once for a batch of judgements."""

    hours_in_a_row: int
    rest_hours: int

    @classmethod
    def now(cls) -> Limits:
        return cls(max_hours_in_a_row(), min_rest_hours())


def fits_in_time(busy: list[Interval], post: Post, limits: Limits) -> bool:
    """`overlap_refusal(...) or rest_refusal(...)` is None, without writing the
    sentence: for judging many members at once (the roster optimiser)."""
    if not busy:
        return post.ends_at - post.starts_at <= timedelta(hours=limits.hours_in_a_row)
    for starts_at, ends_at in busy:
        if starts_at < post.ends_at and post.starts_at < ends_at:
            return False
    return run_hours(busy, post, limits.rest_hours) <= limits.hours_in_a_row


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
