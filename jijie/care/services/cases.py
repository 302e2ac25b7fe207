"""Isolation cases: open, extend, end, and hand to another supervisor; who may follow a
case up. A case's household carries the registry's home-isolation flag (联三户) while a
case of it is open; the flag is set and cleared here, the registry's way (row locked,
version moved on, `household.update` audited).

Each checked entry (`case_open`) checks CARE_MANAGE over the household once and ends in
its write (`do_case_open`), which checks no access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import community_path_of
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.care import rules
from jijie.care.models import (
    CaseExtension,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    IsolationCase,
)
from jijie.care.services.base import _area, _choice, _text, serves
from jijie.mobilization.models import Member
from jijie.residents.models import Household, Person
from jijie.residents.services import do_household_flags_set
from jijie.responses.models import Response

if TYPE_CHECKING:
    from jijie.accounts.models import User


MAX_DAYS = 90
MAX_EXTENSION_DAYS = 30


@dataclass
class CaseData:
    kind: str
    reason: str
    starts_on: date
    days: int
    checks_per_day: int = 1
    seal_number: str = ""


def _check_supervisor(case_path: str, user: User | None, member: Member | None, day: date) -> None:
    """The chosen supervisor, one of an account or a member, may serve over the case: a
    check of the value chosen (its roles or where it serves), not of who chooses it."""
    if (user is None) == (member is None):
        raise ValidationError({"supervisor": _("请指定一名监管人(工作人员或队员)。")})
    if user is not None and not access.may(user, Action.CARE_RECORD, _area(case_path)):
        raise ValidationError({"supervisor": _("监管人须是负责这一户的社区或网格工作人员。")})
    if member is not None and not serves(member, community_path_of(case_path), day):
        raise ValidationError({"supervisor": _("监管队员须下沉到或居住在本社区。")})


def _set_isolation_flag(actor: Actor, household: Household, value: bool) -> None:
    """Set or clear the household's home-isolation flag through the registry's write
    (row locked, version moved on, `household.update` audited), without checking
    RESIDENT_EDIT again: the case's entry checked CARE_MANAGE, which comes only with
    roles that keep the registry of the same area."""
    current = Household.objects.select_for_update().get(pk=household.pk)
    if current.is_home_isolation == value:
        return
    do_household_flags_set(
        actor=actor,
        household=current,
        version=current.version,
        kind=current.kind,
        is_party_centre=current.is_party_centre,
        is_home_isolation=value,
        is_hardship=current.is_hardship,
    )


def case_open(
    *,
    actor: User,
    response: Response,
    household: Household,
    person: Person | None,
    data: CaseData,
    supervisor_user: User | None = None,
    supervisor_member: Member | None = None,
) -> IsolationCase:
    """`do_case_open` by someone who may manage care over the household."""
    access.require_path(actor, Action.CARE_MANAGE, household.area_path)
    return do_case_open(
        actor=actor,
        response=response,
        household=household,
        person=person,
        data=data,
        supervisor_user=supervisor_user,
        supervisor_member=supervisor_member,
    )


@transaction.atomic
def do_case_open(
    *,
    actor: Actor,
    response: Response,
    household: Household,
    person: Person | None,
    data: CaseData,
    supervisor_user: User | None = None,
    supervisor_member: Member | None = None,
) -> IsolationCase:
    """Put a person (or the whole household, `person` None) under home isolation or
    observation from the official start date; the household gets the home-isolation
    flag. The chosen supervisor is checked as a value (`_check_supervisor`). Locks the
    household's row to set its flag; of two cases opened at once for one person, the
    table's unique constraints keep one."""
    errors: dict[str, str] = {}
    if person is not None and person.household_id != household.pk:
        errors["person"] = _("此人不是这一户的。")
    if data.kind not in CaseKind.values:
        errors["kind"] = _("“%(value)s”不是可选的值。") % {"value": data.kind}
    if not 1 <= data.days <= MAX_DAYS:
        errors["days"] = _("天数须在 1 至 %(max)s 之间。") % {"max": MAX_DAYS}
    if data.checks_per_day not in (1, 2):
        errors["checks_per_day"] = _("每日随访次数只能是 1 次或 2 次。")
    today = timezone.localdate()
    if data.starts_on > today:
        errors["starts_on"] = _("起始日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    reason = _text(data.reason, "reason", _("原因"), 200)
    if not household.area_path.startswith(response.area_path):
        raise ValidationError({"response": _("该应急响应不覆盖这一户。")})
    if not response.is_active:
        raise ValidationError({"response": _("应急响应已经结束,不能再登记居家隔离。")})
    _check_supervisor(household.area_path, supervisor_user, supervisor_member, today)
    open_cases = IsolationCase.objects.filter(household=household, status=CaseStatus.OPEN)
    if person is not None and open_cases.filter(person=person).exists():
        raise ValidationError({"person": _("此人已在居家隔离或观察中。")})
    if person is None and open_cases.filter(person__isnull=True).exists():
        raise ValidationError({"person": _("这一户已在整户居家隔离或观察中。")})
    case = IsolationCase.objects.create(
        response=response,
        household=household,
        person=person,
        area_path=household.area_path,
        community_path=community_path_of(household.area_path),
        kind=data.kind,
        reason=reason,
        starts_on=data.starts_on,
        days=data.days,
        checks_per_day=data.checks_per_day,
        supervisor_user=supervisor_user,
        supervisor_member=supervisor_member,
        seal_number=data.seal_number.strip()[:40],
        opened_by=account_of(actor),
    )
    _set_isolation_flag(actor, household, True)
    audit_record(
        actor=actor,
        action="care.case_open",
        target=case,
        area=_area(case.area_path),
        data={"kind": case.kind, "days": case.days, "person": person.pk if person else None},
    )
    return case


def _locked_case(case: IsolationCase) -> IsolationCase:
    return IsolationCase.objects.select_for_update().get(pk=case.pk)


def _require_open(case: IsolationCase) -> None:
    if not case.is_open:
        raise ValidationError(_("该居家隔离已解除。"), code="state")


def case_extend(*, actor: User, case: IsolationCase, days: int, reason: str) -> IsolationCase:
    """`do_case_extend` by someone who may manage care over the case."""
    access.require_path(actor, Action.CARE_MANAGE, case.area_path)
    return do_case_extend(actor=actor, case=case, days=days, reason=reason)


@transaction.atomic
def do_case_extend(*, actor: Actor, case: IsolationCase, days: int, reason: str) -> IsolationCase:
    """Lengthen an open case by `days`, for a reason kept with the extension. Locks the
    case's row."""
    current = _locked_case(case)
    _require_open(current)
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            {"days": _("延长天数须在 1 至 %(max)s 之间。") % {"max": MAX_EXTENSION_DAYS}}
        )
    reason = _text(reason, "reason", _("延长原因"), 200)
    CaseExtension.objects.create(
        case=current, days=days, reason=reason, created_by=account_of(actor)
    )
    current.extra_days += days
    current.save(update_fields=["extra_days", "updated_at"])
    audit_record(
        actor=actor,
        action="care.case_extend",
        target=current,
        area=_area(current.area_path),
        reason=reason,
        data={"days": days, "total": current.total_days},
    )
    return current


def case_end(
    *,
    actor: User,
    case: IsolationCase,
    outcome: str,
    note: str = "",
    ended_on: date | None = None,
) -> IsolationCase:
    """`do_case_end` by someone who may manage care over the case."""
    access.require_path(actor, Action.CARE_MANAGE, case.area_path)
    return do_case_end(actor=actor, case=case, outcome=outcome, note=note, ended_on=ended_on)


@transaction.atomic
def do_case_end(
    *,
    actor: Actor,
    case: IsolationCase,
    outcome: str,
    note: str = "",
    ended_on: date | None = None,
    now: datetime | None = None,
) -> IsolationCase:
    """End an open case with its outcome, on `ended_on` (today unless earlier), recorded
    at `now`; the household's home-isolation flag is cleared when no other case of it
    stays open. Locks the case's row, then the household's."""
    now = now or timezone.now()
    current = _locked_case(case)
    _require_open(current)
    _choice(outcome, CaseOutcome.values, "outcome")
    today = timezone.localdate(now)
    ended_on = ended_on or today
    if ended_on > today or ended_on < current.starts_on:
        raise ValidationError({"ended_on": _("解除日期须在起始日期与今天之间。")})
    if outcome == CaseOutcome.COMPLETED and ended_on < rules.last_day(
        current.starts_on, current.total_days
    ):
        raise ValidationError({"outcome": _("尚未期满,不能按“期满解除”结束。")})
    current.status = CaseStatus.ENDED
    current.ended_on = ended_on
    current.ended_at = now
    current.outcome = outcome
    current.end_note = note.strip()[:200]
    current.save(
        update_fields=["status", "ended_on", "ended_at", "outcome", "end_note", "updated_at"]
    )
    others = IsolationCase.objects.filter(household_id=current.household_id, status=CaseStatus.OPEN)
    if not others.exists():
        _set_isolation_flag(actor, current.household, False)
    audit_record(
        actor=actor,
        action="care.case_end",
        target=current,
        area=_area(current.area_path),
        data={"outcome": outcome, "ended_on": ended_on.isoformat()},
    )
    return current


def case_supervisor_set(
    *,
    actor: User,
    case: IsolationCase,
    user: User | None = None,
    member: Member | None = None,
) -> IsolationCase:
    """`do_case_supervisor_set` by someone who may manage care over the case."""
    access.require_path(actor, Action.CARE_MANAGE, case.area_path)
    return do_case_supervisor_set(actor=actor, case=case, user=user, member=member)


@transaction.atomic
def do_case_supervisor_set(
    *,
    actor: Actor,
    case: IsolationCase,
    user: User | None = None,
    member: Member | None = None,
) -> IsolationCase:
    """Hand an open case to another supervisor (an account or a member), checked as a
    value (`_check_supervisor`). Locks the case's row."""
    current = _locked_case(case)
    _require_open(current)
    _check_supervisor(current.area_path, user, member, timezone.localdate())
    current.supervisor_user = user
    current.supervisor_member = member
    current.save(update_fields=["supervisor_user", "supervisor_member", "updated_at"])
    audit_record(
        actor=actor,
        action="care.case_supervisor",
        target=current,
        area=_area(current.area_path),
        data={"user": user.pk if user else None, "member": member.pk if member else None},
    )
    return current


def is_supervisor(actor: User, case: IsolationCase) -> bool:
    """Whether the user supervises the case, through their account or member record."""
    if access.is_self(actor, case.supervisor_user_id):
        return True
    return (
        case.supervisor_member_id is not None
        and Member.objects.filter(pk=case.supervisor_member_id, user=actor).exists()
    )


def require_record(actor: User, case: IsolationCase) -> None:
    """The case's supervisor, or a front-line role over its household, may follow it up."""
    if not is_supervisor(actor, case):
        access.require_path(actor, Action.CARE_RECORD, case.area_path)
