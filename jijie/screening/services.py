"""Writes of the screening app: campaigns (audited) and visits.

A visit is a ledger row, like a gate scan: it records its worker and time itself and
does not take the audit chain's lock, which would serialise every door of a district.
What a visit does to the registry (new people, key groups) goes through the registry's
own services and is audited there.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import KIND_DEPTH, Area, AreaKind
from jijie.audit.actors import SYSTEM, Actor, account_of
from jijie.audit.services import audit_record
from jijie.core import once
from jijie.residents import keygroups
from jijie.residents.models import Household, KeyGroup, Person
from jijie.residents.services import PersonData, do_person_add
from jijie.responses.models import Response
from jijie.screening import counters
from jijie.screening.models import (
    PEOPLE_HOME,
    Campaign,
    CampaignArea,
    CampaignMode,
    Mode,
    Outcome,
    QuestionKind,
    Temperature,
    Visit,
)

if TYPE_CHECKING:
    from jijie.accounts.models import User

MAX_QUESTIONS = 20
KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _check_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The question list a community edits: a key, a label, a kind, whether health data."""
    if not questions:
        raise ValidationError({"questions": _("至少需要一个排查问题。")})
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError({"questions": _("排查问题不能超过 20 个。")})
    cleaned: list[dict[str, Any]] = []
    keys: set[str] = set()
    for number, question in enumerate(questions, start=1):
        key = str(question.get("key", "")).strip()
        label = str(question.get("label", "")).strip()
        kind = question.get("kind", QuestionKind.YES_NO)
        problem = None
        if not KEY.fullmatch(key):
            problem = _("代码只能用小写字母、数字和下划线,以字母开头")
        elif key in keys:
            problem = _("代码“%(key)s”重复") % {"key": key}
        elif not label or len(label) > 100:
            problem = _("问题内容不能为空,也不能超过 100 个字")
        elif kind not in QuestionKind.values:
            problem = _("类型只能是是否、数字或文字")
        if problem:
            raise ValidationError(
                {
                    "questions": _("第 %(n)s 个问题:%(problem)s。")
                    % {"n": number, "problem": problem}
                }
            )
        keys.add(key)
        cleaned.append(
            {"key": key, "label": label, "kind": kind, "health": bool(question.get("health"))}
        )
    return cleaned


def _check_period(response: Response, starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    if starts_on < timezone.localdate(response.started_at):
        raise ValidationError({"starts_on": _("开始日期不能早于应急响应的启动日期。")})


def campaign_create(
    *,
    actor: User,
    response: Response,
    name: str,
    areas: list[Area],
    starts_on: date,
    ends_on: date,
    mode: str = CampaignMode.BOTH,
    questions: list[dict[str, Any]] | None = None,
) -> Campaign:
    """`do_campaign_create` by someone who may manage screening over each of `areas`."""
    for area in areas:
        access.require(actor, Action.SCREENING_MANAGE, area)
    return do_campaign_create(
        actor=actor,
        response=response,
        name=name,
        areas=areas,
        starts_on=starts_on,
        ends_on=ends_on,
        mode=mode,
        questions=questions,
    )


@transaction.atomic
def do_campaign_create(
    *,
    actor: Actor,
    response: Response,
    name: str,
    areas: list[Area],
    starts_on: date,
    ends_on: date,
    mode: str = CampaignMode.BOTH,
    questions: list[dict[str, Any]] | None = None,
) -> Campaign:
    """Start a sweep of `areas` (streets, communities, grids or buildings inside the
    response's area). Counts the households in scope of every building at once. Takes
    no lock: households registered meanwhile are added by `counters.households_added`
    once the campaign is committed."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("名称不能为空,也不能超过 100 个字。")})
    if not areas:
        raise ValidationError({"areas": _("请至少选择一个排查区域。")})
    for area in areas:
        if area.depth < KIND_DEPTH[AreaKind.STREET]:
            raise ValidationError(
                {
                    "areas": _("排查区域应为街道、社区、网格或楼栋:“%(area)s”太大。")
                    % {"area": area.name}
                }
            )
        if not area.path.startswith(response.area_path):
            raise ValidationError(
                {"areas": _("“%(area)s”不在该应急响应的范围内。") % {"area": area.name}}
            )
    paths = sorted(a.path for a in areas)
    if any(later.startswith(earlier) for earlier, later in itertools.pairwise(paths)):
        raise ValidationError({"areas": _("排查区域不能互相包含。")})
    if not response.is_active:
        raise ValidationError({"response": _("应急响应已经结束,不能再开展排查。")})
    if mode not in CampaignMode.values:
        raise ValidationError({"mode": _("“%(value)s”不是可选的值。") % {"value": mode}})
    _check_period(response, starts_on, ends_on)
    if Campaign.objects.filter(response=response, name=name).exists():
        raise ValidationError(
            {"name": _("该应急响应已有名为“%(name)s”的排查行动。") % {"name": name}}
        )
    campaign = Campaign(
        response=response,
        name=name,
        mode=mode,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=account_of(actor),
        **({"questions": _check_questions(questions)} if questions is not None else {}),
    )
    campaign.health_keys = sorted(q["key"] for q in campaign.questions if q["health"])
    campaign.save()
    CampaignArea.objects.bulk_create(
        [CampaignArea(campaign=campaign, area=a, area_path=a.path) for a in areas]
    )
    counters.scope_count(campaign)
    audit_record(
        actor=actor,
        action="screening.campaign.create",
        target=campaign,
        area=_common_area(areas),
        data={"areas": [a.code for a in areas]},
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor: User,
    campaign: Campaign,
    ends_on: date,
    mode: str,
    questions: list[dict[str, Any]],
) -> Campaign:
    """Change a campaign's end, its way of asking and its questions (answers already
    given stay as they were). A question that has been a health question stays one,
    whoever edits the list and whatever they tick (`Campaign.health_keys`); the audit
    row says what changed."""
    for area in campaign_areas(campaign):
        access.require(actor, Action.SCREENING_MANAGE, area)
    current = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if mode not in CampaignMode.values:
        raise ValidationError({"mode": _("“%(value)s”不是可选的值。") % {"value": mode}})
    _check_period(current.response, current.starts_on, ends_on)
    before = {q["key"]: q for q in current.questions}
    after = _check_questions(questions)
    for question in after:
        question["health"] = question["health"] or current.is_health(question["key"])
    current.ends_on = ends_on
    current.mode = mode
    current.questions = after
    current.health_keys = sorted(
        set(current.health_keys) | {q["key"] for q in after if q["health"]}
    )
    current.save(update_fields=["ends_on", "mode", "questions", "health_keys"])
    audit_record(
        actor=actor,
        action="screening.campaign.update",
        target=current,
        area=_common_area(campaign_areas(current)),
        data={
            "ends_on": ends_on.isoformat(),
            "mode": mode,
            "questions": _question_changes(before, after),
        },
    )
    return current


def _question_changes(
    before: dict[str, dict[str, Any]], after: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """The keys of the questions added, removed, reworded (label or kind) and newly
    marked as health questions by an edit of the list."""
    keys = [q["key"] for q in after]
    return {
        "added": [k for k in keys if k not in before],
        "removed": [k for k in before if k not in keys],
        "changed": [
            q["key"]
            for q in after
            if q["key"] in before
            and (q["label"], q["kind"]) != (before[q["key"]]["label"], before[q["key"]]["kind"])
        ],
        "health": [
            q["key"] for q in after if q["health"] and not before.get(q["key"], {}).get("health")
        ],
    }


def campaign_areas(campaign: Campaign) -> list[Area]:
    return [ca.area for ca in campaign.areas.select_related("area").order_by("area_path")]


def _common_area(areas: list[Area]) -> Area:
    """The deepest area holding all of `areas` (for the audit row's scope)."""
    paths = [a.path for a in areas]
    prefix = paths[0]
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[: -Area.steplen]
    return Area(path=prefix)


@dataclass
class VisitData:
    mode: str
    outcome: str
    answers: dict[str, Any] = field(default_factory=dict)
    # (person id or None for someone not in the registry, degrees Celsius)
    temperatures: list[tuple[int | None, Decimal | str]] = field(default_factory=list)
    new_people: list[PersonData] = field(default_factory=list)
    # (person id, key group id): put this person into this key group for follow-up
    flags: list[tuple[int, int]] = field(default_factory=list)
    note: str = ""
    # Set by a phone that may send the same visit twice: the second is not stored again.
    client_ref: str = ""


def _clean_answers(campaign: Campaign, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers to the campaign's own questions, typed; unknown keys are refused."""
    questions = {q["key"]: q for q in campaign.questions}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            errors[key] = _("没有这个排查问题。")
            continue
        if value is None or value == "":
            continue
        if question["kind"] == QuestionKind.YES_NO:
            if isinstance(value, bool):
                cleaned[key] = value
            elif str(value) in ("yes", "no", "true", "false", "1", "0"):
                cleaned[key] = str(value) in ("yes", "true", "1")
            else:
                errors[key] = _("请选择是或否。")
        elif question["kind"] == QuestionKind.NUMBER:
            try:
                number = int(value)
            except (TypeError, ValueError):
                errors[key] = _("请填写整数。")
                continue
            if not 0 <= number <= 99:
                errors[key] = _("请填写 0 到 99 之间的整数。")
            else:
                cleaned[key] = number
        else:
            text = str(value).strip()
            if len(text) > 200:
                errors[key] = _("不能超过 200 个字。")
            else:
                cleaned[key] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_temperatures(
    household: Household, readings: list[tuple[int | None, Decimal | str]]
) -> list[Temperature]:
    if not readings:
        return []
    members = set(household.people.values_list("pk", flat=True))
    result = []
    for person_id, raw in readings:
        try:
            celsius = Decimal(str(raw)).quantize(Decimal("0.1"))
        except InvalidOperation:
            raise ValidationError(
                {"temperatures": _("体温“%(value)s”不是数字。") % {"value": raw}}
            ) from None
        if not Decimal(34) <= celsius <= Decimal(43):
            raise ValidationError(
                {
                    "temperatures": _("体温 %(value)s ℃ 不在 34–43 ℃ 之间,请重测。")
                    % {"value": celsius}
                }
            )
        if person_id is not None and person_id not in members:
            raise ValidationError({"temperatures": _("测温人员不是这一户的。")})
        result.append(Temperature(person_id=person_id, celsius=celsius))
    return result


def _check_visit(campaign: Campaign, household: Household, data: VisitData) -> None:
    if not any(
        household.area_path.startswith(p)
        for p in campaign.areas.values_list("area_path", flat=True)
    ):
        raise ValidationError({"household": _("这一户不在本次排查的范围内。")})
    if not campaign.response.is_active:
        raise ValidationError(_("应急响应已经结束,不能再记录排查。"))
    today = timezone.localdate()
    if not campaign.starts_on <= today <= campaign.ends_on:
        raise ValidationError(
            _("排查时间为 %(start)s 至 %(end)s,今天不在其中。")
            % {"start": campaign.starts_on, "end": campaign.ends_on}
        )
    if data.mode not in Mode.values:
        raise ValidationError({"mode": _("“%(value)s”不是可选的值。") % {"value": data.mode}})
    if not campaign.allows(data.mode):
        raise ValidationError({"mode": _("本次排查不采用这种方式。")})
    if data.outcome not in Outcome.values:
        raise ValidationError({"outcome": _("“%(value)s”不是可选的值。") % {"value": data.outcome}})
    if data.outcome != Outcome.DONE and (data.new_people or data.flags or data.temperatures):
        raise ValidationError(
            {"outcome": _("只有排查完成时才能登记体温、新增人员或标记重点人员。")}
        )


def visit_record(
    *,
    actor: User,
    campaign: Campaign,
    household: Household,
    data: VisitData,
    at: datetime | None = None,
) -> Visit:
    """`do_visit_record` by a worker of the household's part of the tree (404 unseen,
    403 seen but not theirs), who also keeps its registry when the visit adds people or
    flags them."""
    access.require_path(actor, Action.SCREENING_VISIT, household.area_path)
    if data.new_people or data.flags:
        access.require_path(actor, Action.RESIDENT_EDIT, household.area_path)
    return do_visit_record(actor=actor, campaign=campaign, household=household, data=data, at=at)


@transaction.atomic
def do_visit_record(
    *,
    actor: Actor,
    campaign: Campaign,
    household: Household,
    data: VisitData,
    at: datetime | None = None,
) -> Visit:
    """Record one visit or call, count it, and apply what it found: new people are added
    to the household through the registry, flagged people go into the key group named.

    Check the values first, then write; a bad field anywhere stores nothing. A visit
    sent again with the same `client_ref` returns the one stored the first time. Locks
    the household's row of the campaign (`counters.count_visit`), so two workers at one
    door count it once.
    """
    client_ref = once.client_ref(data.client_ref)
    find = partial(_replayed, campaign, household, client_ref)
    if (stored := once.sent_before(client_ref, find)) is not None:
        return stored
    _check_visit(campaign, household, data)
    answers = _clean_answers(campaign, data.answers) if data.outcome == Outcome.DONE else {}
    temperatures = _clean_temperatures(household, data.temperatures)
    flags = _flag_targets(household, data.flags)
    note = data.note.strip()[:200]
    visit = Visit(
        campaign=campaign,
        household=household,
        area_path=household.area_path,
        worker=account_of(actor),
        mode=data.mode,
        outcome=data.outcome,
        visited_at=at or timezone.now(),
        people_present=int(answers.get(PEOPLE_HOME, 0) or 0),
        answers=answers,
        note=note,
        client_ref=client_ref,
    )
    visit, new = once.save_once(visit, client_ref, find)
    if not new:  # the same visit sent twice at once: the other send stored it first
        return visit
    for temperature in temperatures:
        temperature.visit = visit
    Temperature.objects.bulk_create(temperatures)
    for person_data in data.new_people:
        do_person_add(actor=actor, household=household, data=person_data)
    raised = 0
    for person, group in flags:
        if not group.members.filter(person=person, ended_at__isnull=True).exists():
            keygroups.do_key_group_add(
                actor=actor,
                person=person,
                group=group,
                follow_up=keygroups.FollowUp(
                    note=_("排查中标记:%(campaign)s") % {"campaign": campaign.name}
                ),
            )
            raised += 1
    if raised:
        visit.flags_raised = raised
        visit.save(update_fields=["flags_raised"])
    counters.count_visit(visit)
    return visit


def _replayed(campaign: Campaign, household: Household, client_ref: str) -> Visit | None:
    stored = Visit.objects.filter(campaign=campaign, client_ref=client_ref).first()
    if stored is not None and stored.household_id != household.pk:
        raise ValidationError({"client_ref": _("这个记录编号已用于另一户。")})
    return stored


def _flag_targets(
    household: Household, flags: list[tuple[int, int]]
) -> list[tuple[Person, KeyGroup]]:
    result = []
    for person_id, group_id in flags:
        person = household.people.filter(pk=person_id).first()
        if person is None:
            raise ValidationError({"flags": _("被标记的人员不是这一户的。")})
        group = keygroups.groups_for(person).filter(pk=group_id).first()
        if group is None:
            raise ValidationError({"flags": _("这个重点人群不属于覆盖此人的应急响应。")})
        result.append((person, group))
    return result


PURGE_BATCH = 5000


def health_data_purge(*, now: datetime | None = None) -> int:
    """Erase the health answers and temperatures of the campaigns of responses closed and
    past their retention (`Response.purge_after`); the counters, outcomes and people
    screened stay. Returns the visits changed. Safe to re-run; each campaign is done in
    batches and marked, with an audit row, when it is through."""
    now = now or timezone.now()
    changed = 0
    due = Campaign.objects.filter(
        health_purged_at__isnull=True,
        response__status="closed",
        response__purge_after__lte=now,
    )
    for campaign in due:
        visits = Visit.objects.filter(campaign=campaign).exclude(answers={})
        last = 0
        while True:
            with transaction.atomic():
                batch = list(
                    visits.filter(pk__gt=last).order_by("pk").only("pk", "answers")[:PURGE_BATCH]
                )
                if not batch:
                    break
                last = batch[-1].pk
                dirty = []
                for visit in batch:
                    kept = {k: v for k, v in visit.answers.items() if not campaign.is_health(k)}
                    if kept != visit.answers:
                        visit.answers = kept
                        dirty.append(visit)
                Visit.objects.bulk_update(dirty, ["answers"], batch_size=PURGE_BATCH)
                changed += len(dirty)
        with transaction.atomic():
            Temperature.objects.filter(visit__campaign=campaign).delete()
            Campaign.objects.filter(pk=campaign.pk).update(health_purged_at=now)
            audit_record(
                actor=SYSTEM,
                action="screening.health_purge",
                target=campaign,
                area=_common_area(campaign_areas(campaign)),
            )
    return changed
