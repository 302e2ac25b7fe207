"""Writes of problems: raise, claim and release, answer (with the supplies request or
transfer that answered it, linked), confirm with a rating or reopen, and the escalation
of what is unanswered past its deadline.

Each comes in two steps (docs/architecture.md): a checked entry (`problem_claim`) takes
a user and checks access once, then ends in its write (`do_problem_claim`), which takes
whoever acts and writes in one transaction with its history row and its audit row. A
write that depends on the problem's state locks its row first: two handlers claiming
at once, a claim racing the escalation, both end with one winner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM, Actor, account_of
from jijie.audit.services import audit_record
from jijie.core import text, uploads
from jijie.problems import rules, selectors
from jijie.problems.models import (
    UNANSWERED_STATES,
    EventKind,
    Photo,
    Problem,
    ProblemEvent,
    ProblemKind,
    ProblemState,
    Urgency,
)
from jijie.responses.selectors import in_force_over
from jijie.supplies.models import SupplyRequest, Transfer

if TYPE_CHECKING:
    from jijie.accounts.models import User

ESCALATE_BATCH = 500


@dataclass
class ProblemData:
    """What a raiser gives: the kind, how urgent, the problem in a few words, what is
    needed, by when (optional) and a photo (optional)."""

    kind: str
    urgency: str
    title: str
    need: str = ""
    needed_by: datetime | None = None
    photo: uploads.Upload | None = None


def _choice(value: str, values: list[str], field: str) -> None:
    if value not in values:
        raise ValidationError({field: _("“%(value)s”不是可选的值。") % {"value": value}})


def _event(
    problem: Problem,
    kind: str,
    actor: Actor,
    at: datetime,
    *,
    note: str = "",
    level_path: str | None = None,
    deadline_at: datetime | None = None,
) -> None:
    level = problem.level if level_path is None else Area.objects.get(path=level_path)
    ProblemEvent.objects.create(
        problem=problem,
        kind=kind,
        at=at,
        actor=account_of(actor),
        level=level,
        note=note,
        deadline_at=deadline_at,
    )


def _locked(problem: Problem) -> Problem:
    return Problem.objects.select_for_update().select_related("level").get(pk=problem.pk)


def _respond(problem: Problem, now: datetime) -> None:
    """The first claim or answer is the problem's response (响应): in time when it comes
    by the first deadline."""
    if problem.responded_at is None:
        problem.responded_at = now
        problem.is_responded_in_time = now <= problem.first_deadline_at


# Raising ------------------------------------------------------------------------------


def problem_raise(
    *, actor: User, area: Area, data: ProblemData, now: datetime | None = None
) -> Problem:
    """`do_problem_raise` by someone who may raise problems where `area` is: by a role
    over it, or as a member serving in its community today."""
    today = timezone.localdate(now or timezone.now())
    serves = any(area.path.startswith(p.path) for p in selectors.member_places(actor, today))
    if not serves:
        access.require(actor, Action.PROBLEM_RAISE, area)
    return do_problem_raise(actor=actor, area=area, data=data, now=now)


@transaction.atomic
def do_problem_raise(
    *, actor: Actor, area: Area, data: ProblemData, now: datetime | None = None
) -> Problem:
    """Raise a problem about `area`: it goes to the level `rules.first_level_path`
    names, with the deadline its urgency (or the raiser's need) sets."""
    now = now or timezone.now()
    _choice(data.kind, ProblemKind.values, "kind")
    _choice(data.urgency, Urgency.values, "urgency")
    title = text.bounded(
        data.title, field="title", label=pgettext("problem", "问题"), limit=60, required=True
    )
    need = text.bounded(data.need, field="need", label=_("需要什么"), limit=300)
    if data.needed_by is not None and data.needed_by <= now:
        raise ValidationError({"needed_by": _("需要时间已经过去,请填写以后的时间。")})
    photo = None
    if data.photo is not None:
        photo = uploads.check(data.photo, field="photo", kinds=uploads.IMAGES, label=_("照片"))
    response = in_force_over([area.path]).first()
    if response is None:
        raise ValidationError({"area": _("这个区域没有正在进行的应急响应。")})
    level_path = rules.first_level_path(area.path, data.kind)
    deadline = rules.first_deadline(now, data.urgency, data.needed_by)
    problem = Problem.objects.create(
        response=response,
        area=area,
        area_path=area.path,
        level=Area.objects.get(path=level_path),
        level_path=level_path,
        kind=data.kind,
        urgency=data.urgency,
        title=title,
        need=need,
        raised_at=now,
        raised_by=account_of(actor),
        deadline_at=deadline,
        first_deadline_at=deadline,
    )
    if photo is not None:
        Photo.objects.create(
            problem=problem,
            name=photo.name,
            content_type=photo.content_type,
            content=photo.content,
            size=len(photo.content),
        )
    _event(problem, EventKind.RAISED, actor, now)
    audit_record(
        actor=actor,
        action="problems.raise",
        target=problem,
        area=area,
        data={"kind": data.kind, "urgency": data.urgency, "level": level_path},
    )
    return problem


# Handling -----------------------------------------------------------------------------


def require_handle(actor: User, problem: Problem) -> None:
    """Only the office of the level a problem is at handles it (403 for the others who
    may read it)."""
    if problem.level_path not in access.scope_paths(actor, Action.PROBLEM_HANDLE):
        raise PermissionDenied(_("这个问题由%(level)s办理。") % {"level": problem.level.name})


def problem_claim(*, actor: User, problem: Problem, now: datetime | None = None) -> Problem:
    require_handle(actor, problem)
    return do_problem_claim(actor=actor, problem=problem, now=now)


@transaction.atomic
def do_problem_claim(*, actor: Actor, problem: Problem, now: datetime | None = None) -> Problem:
    """Take a problem on ("由我办理"), so that nobody else works on it. Locks its row: of
    two claims at once, one wins and the other is told who has it."""
    now = now or timezone.now()
    current = _locked(problem)
    if current.level_path != problem.level_path:
        raise ValidationError(_("这个问题已升级到%(level)s。") % {"level": current.level.name})
    if current.state not in UNANSWERED_STATES:
        raise ValidationError(_("这个问题已经答复。"), code="state")
    if current.claimed_by_id is not None:
        raise ValidationError(
            _("这个问题已由 %(who)s 认领。") % {"who": current.claimed_by}, code="claimed"
        )
    current.state = ProblemState.HANDLING
    current.claimed_by = account_of(actor)
    current.claimed_at = now
    _respond(current, now)
    current.save(
        update_fields=["state", "claimed_by", "claimed_at", "responded_at", "is_responded_in_time"]
    )
    _event(current, EventKind.CLAIMED, actor, now)
    audit_record(
        actor=actor, action="problems.claim", target=current, area=Area(path=current.area_path)
    )
    return current


def problem_release(*, actor: User, problem: Problem, now: datetime | None = None) -> Problem:
    require_handle(actor, problem)
    return do_problem_release(actor=actor, problem=problem, now=now)


@transaction.atomic
def do_problem_release(*, actor: Actor, problem: Problem, now: datetime | None = None) -> Problem:
    """Give a claimed problem back to the level's list; only its handler may."""
    now = now or timezone.now()
    current = _locked(problem)
    if current.state != ProblemState.HANDLING or current.claimed_by_id != account_pk(actor):
        raise ValidationError(_("只有认领人可以退回这个问题。"), code="state")
    current.state = ProblemState.OPEN
    current.claimed_by = None
    current.claimed_at = None
    current.save(update_fields=["state", "claimed_by", "claimed_at"])
    _event(current, EventKind.RELEASED, actor, now)
    audit_record(
        actor=actor, action="problems.release", target=current, area=Area(path=current.area_path)
    )
    return current


def account_pk(actor: Actor) -> int | None:
    account = account_of(actor)
    return account.pk if account is not None else None


@dataclass
class Answer:
    """What was done, and the supplies request or transfer that did it (picked, never
    retyped)."""

    text: str
    supply_request: SupplyRequest | None = None
    transfer: Transfer | None = None


def _check_links(problem: Problem, answer: Answer) -> None:
    request, transfer = answer.supply_request, answer.transfer
    if request is not None and (
        request.response_id != problem.response_id
        or not rules.on_branch(problem.area_path, problem.level_path, request.area_path)
    ):
        raise ValidationError({"supply_request": _("这份物资申请与这个问题不在同一个地方。")})
    if transfer is not None and (
        transfer.response_id != problem.response_id
        or not rules.on_branch(problem.area_path, problem.level_path, transfer.to_path)
    ):
        raise ValidationError({"transfer": _("这次调拨不是调往这个问题所在的地方。")})


def problem_answer(
    *, actor: User, problem: Problem, answer: Answer, now: datetime | None = None
) -> Problem:
    require_handle(actor, problem)
    return do_problem_answer(actor=actor, problem=problem, answer=answer, now=now)


@transaction.atomic
def do_problem_answer(
    *, actor: Actor, problem: Problem, answer: Answer, now: datetime | None = None
) -> Problem:
    """Say what was done. The handler who claimed it answers; an unclaimed problem is
    claimed by answering it."""
    now = now or timezone.now()
    said = text.bounded(answer.text, field="answer", label=_("办理情况"), limit=500, required=True)
    current = _locked(problem)
    if current.level_path != problem.level_path:
        raise ValidationError(_("这个问题已升级到%(level)s。") % {"level": current.level.name})
    if current.state not in UNANSWERED_STATES:
        raise ValidationError(_("这个问题已经答复。"), code="state")
    if current.claimed_by_id is not None and current.claimed_by_id != account_pk(actor):
        raise ValidationError(
            _("这个问题已由 %(who)s 认领。") % {"who": current.claimed_by}, code="claimed"
        )
    _check_links(current, answer)
    current.state = ProblemState.ANSWERED
    current.claimed_by = current.claimed_by or account_of(actor)
    current.claimed_at = current.claimed_at or now
    current.answer = said
    current.answered_at = now
    current.answered_by = account_of(actor)
    current.supply_request = answer.supply_request
    current.transfer = answer.transfer
    _respond(current, now)
    current.save()
    _event(current, EventKind.ANSWERED, actor, now, note=said)
    audit_record(
        actor=actor, action="problems.answer", target=current, area=Area(path=current.area_path)
    )
    return current


# The raiser's word --------------------------------------------------------------------


def require_confirm(actor: User, problem: Problem) -> None:
    """Whoever raised a problem confirms its answer, or the secretary of the community
    it is in; nobody else (403)."""
    if problem.raised_by_id == actor.pk:
        return
    if not access.may_path(actor, Action.PROBLEM_CONFIRM, problem.area_path):
        raise PermissionDenied(_("只有提出人或所在社区书记可以确认这个问题。"))


def problem_confirm(
    *, actor: User, problem: Problem, rating: int, comment: str = "", now: datetime | None = None
) -> Problem:
    require_confirm(actor, problem)
    return do_problem_confirm(actor=actor, problem=problem, rating=rating, comment=comment, now=now)


@transaction.atomic
def do_problem_confirm(
    *, actor: Actor, problem: Problem, rating: int, comment: str = "", now: datetime | None = None
) -> Problem:
    """The problem is solved: closed with a rating of 1 to 5 (满意 is 4 or 5)."""
    now = now or timezone.now()
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("满意度请选 1 到 5 分。")})
    said = text.bounded(comment, field="comment", label=_("评价"), limit=300)
    current = _locked(problem)
    if current.state != ProblemState.ANSWERED:
        raise ValidationError(_("这个问题还没有答复,不能确认。"), code="state")
    current.state = ProblemState.RESOLVED
    current.rating = rating
    current.resolved_at = now
    current.save(update_fields=["state", "rating", "resolved_at"])
    _event(current, EventKind.RESOLVED, actor, now, note=said)
    audit_record(
        actor=actor,
        action="problems.confirm",
        target=current,
        area=Area(path=current.area_path),
        data={"rating": rating},
    )
    return current


def problem_reopen(
    *, actor: User, problem: Problem, reason: str, now: datetime | None = None
) -> Problem:
    require_confirm(actor, problem)
    return do_problem_reopen(actor=actor, problem=problem, reason=reason, now=now)


@transaction.atomic
def do_problem_reopen(
    *, actor: Actor, problem: Problem, reason: str, now: datetime | None = None
) -> Problem:
    """Not solved: back to the level that answered, unclaimed, with a new deadline of
    the urgency's hours from now."""
    now = now or timezone.now()
    said = text.bounded(reason, field="reason", label=_("原因"), limit=300, required=True)
    current = _locked(problem)
    if current.state != ProblemState.ANSWERED:
        raise ValidationError(_("只有已答复的问题可以重新办理。"), code="state")
    current.state = ProblemState.OPEN
    current.claimed_by = None
    current.claimed_at = None
    current.deadline_at = now + rules.hours(current.urgency)
    current.reopenings += 1
    current.save(update_fields=["state", "claimed_by", "claimed_at", "deadline_at", "reopenings"])
    _event(current, EventKind.REOPENED, actor, now, note=said)
    audit_record(
        actor=actor, action="problems.reopen", target=current, area=Area(path=current.area_path)
    )
    return current


# The clock ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Escalation:
    problems: int  # problems moved up
    steps: int  # levels moved, in all


def escalate(*, now: datetime | None = None) -> Escalation:
    """Move every problem unanswered past its deadline up one level per deadline
    missed (`rules.escalation_steps`), unclaimed, each step a history row. Safe to run
    repeatedly and at once: each problem is locked and read again before it moves, and
    a step already taken is not taken again. The scheduler's, acting as `SYSTEM`."""
    now = now or timezone.now()
    due = (
        Problem.objects.filter(state__in=UNANSWERED_STATES, deadline_at__lt=now)
        .annotate(depth=Length("level_path"))
        .filter(depth__gt=rules.STEP)  # the top has nowhere to go
    )
    moved = steps = 0
    last = 0
    while True:
        batch = due.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)
        ids = list(batch[:ESCALATE_BATCH])
        if not ids:
            break
        last = ids[-1]
        for pk in ids:
            taken = _escalate_one(pk, now)
            moved += bool(taken)
            steps += taken
    if moved:
        audit_record(
            actor=SYSTEM, action="problems.escalate", data={"problems": moved, "steps": steps}
        )
    return Escalation(problems=moved, steps=steps)


def escalate_problem(problem: Problem, *, now: datetime) -> int:
    """`escalate` for one problem (the demo's history, told in order): the levels it
    moved."""
    return _escalate_one(problem.pk, now)


@transaction.atomic
def _escalate_one(pk: int, now: datetime) -> int:
    problem = Problem.objects.select_for_update().get(pk=pk)
    if problem.state not in UNANSWERED_STATES:
        return 0
    path_steps = rules.escalation_steps(
        problem.level_path, problem.deadline_at, problem.urgency, now
    )
    if not path_steps:
        return 0
    levels = {a.path: a for a in Area.objects.filter(path__in=[s[1] for s in path_steps])}
    for missed, level_path, deadline in path_steps:
        ProblemEvent.objects.create(
            problem=problem,
            kind=EventKind.ESCALATED,
            at=missed,
            actor=None,
            level=levels[level_path],
            deadline_at=missed,
        )
        problem.level = levels[level_path]
        problem.level_path = level_path
        problem.deadline_at = deadline
        problem.escalations += 1
    problem.state = ProblemState.OPEN
    problem.claimed_by = None
    problem.claimed_at = None
    problem.save(
        update_fields=[
            "level",
            "level_path",
            "deadline_at",
            "escalations",
            "state",
            "claimed_by",
            "claimed_at",
        ]
    )
    return len(path_steps)
