"""Writes of care: isolation cases (open, extend, end, supervisor), follow-ups and the
alerts they raise, the escalation of missed follow-ups and overdue errands, errands
through their states, hardship care plans and visits. Each checks first, then writes in
one transaction with its audit row (never with temperatures or symptoms in it).

A case's household carries the registry's home-isolation flag (联三户) while a case of
it is open; the flag is set and cleared through the registry's own service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area, community_path_of
from jijie.audit.services import audit_record
from jijie.care import rules
from jijie.care.models import (
    OPEN_ERRAND_STATES,
    Alert,
    AlertKind,
    CarePlan,
    CareVisit,
    CaseExtension,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    ContactMode,
    Errand,
    ErrandKind,
    ErrandState,
    FollowUp,
    IsolationCase,
    PlanStatus,
)
from jijie.mobilization import selectors as mobilization
from jijie.mobilization.models import Deployment, DeploymentStatus, Member
from jijie.residents.models import Household, Person
from jijie.residents.services import household_flags_set
from jijie.responses.models import Response

if TYPE_CHECKING:
    from jijie.accounts.models import User

MAX_DAYS = 90
MAX_EXTENSION_DAYS = 30
# An errand's minutes, when the member does not say, are counted from accepting to done,
# at most this long (a member who forgets to close it does not earn a day).
ERRAND_DEFAULT_MAX_MINUTES = 240
ERRAND_MAX_MINUTES = 600
ERRAND_MAX_MONEY = Decimal("100000")


def _area(path: str) -> Area:
    return Area(path=path)


def _require(actor: User | None, action: Action, path: str) -> None:
    if actor is not None:  # None is the system (escalation, demo data)
        access.require_path(actor, action, path)


def _text(value: str, field: str, label: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(text) > limit:
        raise ValidationError(
            {field: _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": limit}}
        )
    return text


def _choice(value: str, values: list[str], field: str) -> None:
    if value not in values:
        raise ValidationError({field: _("“%(value)s”不是可选的值。") % {"value": value}})


def serves(member: Member, community_path: str, day: date) -> bool:
    """Whether a member may act in a community on a day: deployed there (下沉) for that
    day, or living there (双报到)."""
    if member.residence_path.startswith(community_path):
        return True
    return Deployment.objects.filter(
        member=member,
        status=DeploymentStatus.ACTIVE,
        community_path=community_path,
        starts_on__lte=day,
        ends_on__gte=day,
    ).exists()


def _errand_runner(actor: User) -> Member:
    """The signed-in user's member record (`mobilization.member_of`), which running an
    errand takes."""
    member = mobilization.member_of(actor)
    if member is None:
        raise PermissionDenied(_("只有登记在册的队员可以代办。"))
    return member


# Cases -------------------------------------------------------------------------------


@dataclass
class CaseData:
    kind: str
    reason: str
    starts_on: date
    days: int
    checks_per_day: int = 1
    seal_number: str = ""


def _check_supervisor(case_path: str, user: User | None, member: Member | None, day: date) -> None:
    if (user is None) == (member is None):
        raise ValidationError({"supervisor": _("请指定一名监管人(工作人员或队员)。")})
    if user is not None and not access.may(user, Action.CARE_RECORD, _area(case_path)):
        raise ValidationError({"supervisor": _("监管人须是负责这一户的社区或网格工作人员。")})
    if member is not None and not serves(member, community_path_of(case_path), day):
        raise ValidationError({"supervisor": _("监管队员须下沉到或居住在本社区。")})


def _set_isolation_flag(actor: User, household: Household, value: bool) -> None:
    current = Household.objects.select_for_update().get(pk=household.pk)
    if current.is_home_isolation == value:
        return
    household_flags_set(
        actor=actor,
        household=current,
        version=current.version,
        kind=current.kind,
        is_party_centre=current.is_party_centre,
        is_home_isolation=value,
        is_hardship=current.is_hardship,
    )


@transaction.atomic
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
    """Put a person (or the whole household, `person` None) under home isolation or
    observation from the official start date; the household gets the home-isolation
    flag."""
    access.require_path(actor, Action.CARE_MANAGE, household.area_path)
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
        opened_by=actor,
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


@transaction.atomic
def case_extend(*, actor: User, case: IsolationCase, days: int, reason: str) -> IsolationCase:
    """Lengthen an open case by `days`, for a reason kept with the extension."""
    access.require_path(actor, Action.CARE_MANAGE, case.area_path)
    current = _locked_case(case)
    _require_open(current)
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            {"days": _("延长天数须在 1 至 %(max)s 之间。") % {"max": MAX_EXTENSION_DAYS}}
        )
    reason = _text(reason, "reason", _("延长原因"), 200)
    CaseExtension.objects.create(case=current, days=days, reason=reason, created_by=actor)
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


@transaction.atomic
def case_end(
    *,
    actor: User,
    case: IsolationCase,
    outcome: str,
    note: str = "",
    ended_on: date | None = None,
) -> IsolationCase:
    """End a case with its outcome; the household's home-isolation flag is cleared when
    no other case of it stays open."""
    access.require_path(actor, Action.CARE_MANAGE, case.area_path)
    current = _locked_case(case)
    _require_open(current)
    _choice(outcome, CaseOutcome.values, "outcome")
    today = timezone.localdate()
    ended_on = ended_on or today
    if ended_on > today or ended_on < current.starts_on:
        raise ValidationError({"ended_on": _("解除日期须在起始日期与今天之间。")})
    if outcome == CaseOutcome.COMPLETED and ended_on < rules.last_day(
        current.starts_on, current.total_days
    ):
        raise ValidationError({"outcome": _("尚未期满,不能按“期满解除”结束。")})
    current.status = CaseStatus.ENDED
    current.ended_on = ended_on
    current.outcome = outcome
    current.end_note = note.strip()[:200]
    current.save(update_fields=["status", "ended_on", "outcome", "end_note", "updated_at"])
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


@transaction.atomic
def case_supervisor_set(
    *,
    actor: User,
    case: IsolationCase,
    user: User | None = None,
    member: Member | None = None,
) -> IsolationCase:
    """Hand an open case to another supervisor (an account or a member)."""
    access.require_path(actor, Action.CARE_MANAGE, case.area_path)
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


# Follow-ups --------------------------------------------------------------------------


@dataclass
class FollowUpData:
    contact: str
    temperature: Decimal | str | None = None
    symptoms: str = ""
    note: str = ""
    # Set by a phone that may send the same follow-up twice: it is stored once.
    client_ref: str = ""


def _temperature(raw: Decimal | str | None) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        celsius = Decimal(str(raw)).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise ValidationError(
            {"temperature": _("体温“%(value)s”不是数字。") % {"value": raw}}
        ) from None
    if not Decimal(34) <= celsius <= Decimal(43):
        raise ValidationError(
            {"temperature": _("体温 %(value)s ℃ 不在 34–43 ℃ 之间,请重测。") % {"value": celsius}}
        )
    return celsius


def _replayed(case: IsolationCase, client_ref: str) -> FollowUp | None:
    return FollowUp.objects.filter(case=case, client_ref=client_ref).first()


@transaction.atomic
def follow_up_record(
    *, actor: User, case: IsolationCase, data: FollowUpData, at: datetime | None = None
) -> FollowUp:
    """Record a follow-up of a case by its supervisor or a front-line worker, at any
    time while the case is open. It is dated its local day and counts for the due slot
    of its time (see `rules`); on a day with no slot due it is an extra follow-up of
    the day; made outside the period (before the start, after the last day or the end)
    it is kept and marked so. A fever raises an
    alert to the community; a late follow-up closes its slot's missed alert. Sent again
    with the same `client_ref`, the stored one is returned."""
    require_record(actor, case)
    client_ref = data.client_ref.strip()[:64]
    if client_ref and (stored := _replayed(case, client_ref)) is not None:
        return stored
    _choice(data.contact, ContactMode.values, "contact")
    temperature = _temperature(data.temperature)
    now = timezone.now()
    at = at or now
    if at > now + timedelta(minutes=5):
        raise ValidationError({"recorded_at": _("随访时间不能晚于现在。")})
    current = IsolationCase.objects.get(pk=case.pk)
    period = rules.Period(current.starts_on, current.total_days, current.ended_on)
    day = timezone.localtime(at).date()
    in_period = period.contains(day)
    slot = (
        rules.slot_for(at, current.checks_per_day, opened_at=current.created_at)
        if in_period
        else None
    )
    follow_up = FollowUp(
        case=current,
        area_path=current.area_path,
        slot_on=day,
        slot=slot.index if slot else None,
        is_outside_period=not in_period,
        recorded_at=at,
        contact=data.contact,
        temperature=temperature,
        is_fever=rules.is_fever(temperature),
        symptoms=data.symptoms.strip()[:200],
        note=data.note.strip()[:200],
        recorded_by=actor,
        client_ref=client_ref,
    )
    if not client_ref:
        follow_up.save()
    else:
        try:
            with transaction.atomic():
                follow_up.save()
        except IntegrityError:
            # The same follow-up sent twice at once: the other request stored it first.
            stored = _replayed(case, client_ref)
            if stored is None:
                raise
            return stored
    if follow_up.is_fever:
        Alert.objects.create(
            kind=AlertKind.FEVER,
            area_path=current.area_path,
            community_path=current.community_path,
            case=current,
            follow_up=follow_up,
        )
    if slot is not None:
        Alert.objects.filter(
            kind=AlertKind.MISSED,
            case=current,
            slot_on=slot.day,
            slot=slot.index,
            resolved_at__isnull=True,
        ).update(resolved_at=now, resolved_by=actor, resolution=_("已补做随访。"))
    audit_record(
        actor=actor,
        action="care.follow_up",
        target=follow_up,
        area=_area(current.area_path),
        data={
            "case": current.pk,
            "slot_on": slot.day.isoformat() if slot else None,
            "slot": slot.index if slot else None,
        },
    )
    return follow_up


# Escalation --------------------------------------------------------------------------


def escalate_days() -> int:
    """How many days back the escalation looks for missed slots (so a day it did not
    run is still caught)."""
    return int(getattr(settings, "CARE_ESCALATE_DAYS", 2))


@dataclass(frozen=True)
class Escalation:
    missed: int
    overdue_errands: int


ESCALATE_BATCH = 500


def _missed_alerts(now: datetime) -> int:
    today = timezone.localdate(now)
    first = today - timedelta(days=escalate_days() - 1)
    created = 0
    cases = IsolationCase.objects.filter(status=CaseStatus.OPEN, starts_on__lte=today).only(
        "pk", "starts_on", "days", "extra_days", "ended_on", "checks_per_day", "area_path",
        "community_path", "created_at",
    )  # fmt: skip
    last = 0
    while True:
        batch = list(cases.filter(pk__gt=last).order_by("pk")[:ESCALATE_BATCH])
        if not batch:
            return created
        last = batch[-1].pk
        ids = [case.pk for case in batch]
        done = set(
            FollowUp.objects.filter(case_id__in=ids, slot_on__gte=first).values_list(
                "case_id", "slot_on", "slot"
            )
        )
        raised = set(
            Alert.objects.filter(
                kind=AlertKind.MISSED, case_id__in=ids, slot_on__gte=first
            ).values_list("case_id", "slot_on", "slot")
        )
        new = []
        for case in batch:
            period = rules.Period(case.starts_on, case.total_days, case.ended_on)
            day = max(first, case.starts_on)
            while day <= min(today, period.final_day):
                for slot in rules.slots_of(day, case.checks_per_day, opened_at=case.created_at):
                    key = (case.pk, slot.day, slot.index)
                    if key in done or key in raised:
                        continue
                    if rules.is_missed(slot, done=False, now=now):
                        new.append(
                            Alert(
                                kind=AlertKind.MISSED,
                                area_path=case.area_path,
                                community_path=case.community_path,
                                case=case,
                                slot_on=slot.day,
                                slot=slot.index,
                            )
                        )
                day += timedelta(days=1)
        # A run at the same moment may have raised some: the constraint keeps one.
        Alert.objects.bulk_create(new, ignore_conflicts=True)
        created += len(new)


def _overdue_alerts(now: datetime) -> int:
    overdue = (
        Errand.objects.filter(state__in=OPEN_ERRAND_STATES, due_by__lt=now)
        .exclude(alerts__kind=AlertKind.ERRAND_OVERDUE)
        .only("pk", "area_path", "community_path")
    )
    new = [
        Alert(
            kind=AlertKind.ERRAND_OVERDUE,
            area_path=errand.area_path,
            community_path=errand.community_path,
            errand=errand,
        )
        for errand in overdue
    ]
    Alert.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def escalate(*, now: datetime | None = None) -> Escalation:
    """Raise an alert to the community, once, for every due slot of an open case missed
    past its grace (looking `escalate_days()` back) and every open errand past its time.
    Safe to run repeatedly, and at once: the alerts' constraints keep one of each."""
    now = now or timezone.now()
    with transaction.atomic():
        result = Escalation(missed=_missed_alerts(now), overdue_errands=_overdue_alerts(now))
        if result.missed or result.overdue_errands:
            audit_record(
                actor=None,
                action="care.escalate",
                data={"missed": result.missed, "overdue_errands": result.overdue_errands},
            )
    return result


@transaction.atomic
def alert_resolve(*, actor: User, alert: Alert, resolution: str) -> Alert:
    """The community records how an alert was handled."""
    access.require_path(actor, Action.CARE_RECORD, alert.area_path)
    current = Alert.objects.select_for_update().get(pk=alert.pk)
    if current.resolved_at is not None:
        raise ValidationError(_("该预警已处理。"), code="state")
    current.resolution = _text(resolution, "resolution", _("处理情况"), 200)
    current.resolved_at = timezone.now()
    current.resolved_by = actor
    current.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        action="care.alert_resolve",
        target=current,
        area=_area(current.area_path),
        data={"kind": current.kind},
    )
    return current


# Errands -----------------------------------------------------------------------------


@dataclass
class ErrandData:
    kind: str
    needed: str
    due_by: datetime
    money_advanced: Decimal | str = Decimal(0)


def _money(raw: Decimal | str) -> Decimal:
    try:
        money = Decimal(str(raw or "0"))
    except InvalidOperation:
        raise ValidationError(
            {"money_advanced": _("金额“%(value)s”不是数字。") % {"value": raw}}
        ) from None
    if money < 0 or money > ERRAND_MAX_MONEY or money != money.quantize(Decimal("0.01")):
        raise ValidationError(
            {"money_advanced": _("垫付金额须在 0 至 100000 元之间,最多两位小数。")}
        )
    return money.quantize(Decimal("0.01"))


@transaction.atomic
def errand_create(*, actor: User, household: Household, data: ErrandData) -> Errand:
    """Register an errand for a household that cannot go out: one under home isolation
    (an open case or the registry's flag) or a hardship household."""
    access.require_path(actor, Action.CARE_RECORD, household.area_path)
    _choice(data.kind, ErrandKind.values, "kind")
    needed = _text(data.needed, "needed", _("所需事项"), 300)
    money = _money(data.money_advanced)
    if data.due_by <= timezone.now():
        raise ValidationError({"due_by": _("期望完成时间须晚于现在。")})
    case = IsolationCase.objects.filter(household=household, status=CaseStatus.OPEN).first()
    if case is None and not (household.is_home_isolation or household.is_hardship):
        raise ValidationError(
            {"household": _("只有居家隔离户或生活困难户可以登记代办。")}, code="household"
        )
    errand = Errand.objects.create(
        household=household,
        case=case,
        area_path=household.area_path,
        community_path=community_path_of(household.area_path),
        kind=data.kind,
        needed=needed,
        money_advanced=money,
        due_by=data.due_by,
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        action="care.errand_create",
        target=errand,
        area=_area(errand.area_path),
        data={"kind": errand.kind, "money_advanced": str(money)},
    )
    return errand


def _locked_errand(errand: Errand) -> Errand:
    return Errand.objects.select_for_update().get(pk=errand.pk)


def _refuse_move(current: Errand, to: str) -> ValidationError:
    return ValidationError(
        _("该代办当前为“%(state)s”,不能改为“%(target)s”。")
        % {"state": current.get_state_display(), "target": ErrandState(to).label},
        code="state",
    )


def _errand_audit(actor: User | None, action: str, errand: Errand, **data: object) -> None:
    audit_record(
        actor=actor,
        action=f"care.errand_{action}",
        target=errand,
        area=_area(errand.area_path),
        data={"state": errand.state, **data},
    )


@transaction.atomic
def errand_assign(*, actor: User, errand: Errand, member: Member) -> Errand:
    """The community offers a waiting errand to a member serving in the community; the
    member accepts it (`errand_accept`)."""
    access.require_path(actor, Action.CARE_MANAGE, errand.area_path)
    current = _locked_errand(errand)
    if current.state != ErrandState.REQUESTED:
        raise ValidationError(
            _("该代办当前为“%(state)s”,只有待接单的代办可以指派。")
            % {"state": current.get_state_display()},
            code="state",
        )
    if not serves(member, current.community_path, timezone.localdate()):
        raise ValidationError({"member": _("该队员没有下沉到或居住在本社区。")}, code="member")
    current.member = member
    current.save(update_fields=["member"])
    _errand_audit(actor, "assign", current, member=member.pk)
    return current


def _take(actor: User, errand: Errand, *, offered: bool) -> Errand:
    member = _errand_runner(actor)
    # The errand's row locked: of two members taking it at once, the second sees it
    # accepted and is refused.
    current = _locked_errand(errand)
    if current.state != ErrandState.REQUESTED:
        raise _refuse_move(current, ErrandState.ACCEPTED)
    if offered and current.member_id != member.pk:
        raise ValidationError(_("该代办没有指派给您。"), code="member")
    if not offered:
        if current.member_id is not None and current.member_id != member.pk:
            raise ValidationError(_("该代办已指派给其他队员。"), code="member")
        if not serves(member, current.community_path, timezone.localdate()):
            raise ValidationError(
                _("您没有下沉到或居住在该社区,不能认领这里的代办。"), code="member"
            )
    current.member = member
    current.state = ErrandState.ACCEPTED
    current.accepted_at = timezone.now()
    current.save(update_fields=["member", "state", "accepted_at"])
    _errand_audit(actor, "claim" if not offered else "accept", current, member=member.pk)
    return current


@transaction.atomic
def errand_accept(*, actor: User, errand: Errand) -> Errand:
    """The member an errand was offered to accepts it."""
    return _take(actor, errand, offered=True)


@transaction.atomic
def errand_claim(*, actor: User, errand: Errand) -> Errand:
    """A member serving in the errand's community takes a waiting errand themselves."""
    return _take(actor, errand, offered=False)


def _require_runner(actor: User, current: Errand) -> None:
    member = _errand_runner(actor)
    if current.member_id != member.pk:
        raise PermissionDenied(_("只有接单的队员可以办理这项代办。"))


@transaction.atomic
def errand_release(*, actor: User, errand: Errand, reason: str) -> Errand:
    """The member gives an accepted errand back: it waits for another member."""
    current = _locked_errand(errand)
    _require_runner(actor, current)
    if current.state != ErrandState.ACCEPTED:
        raise _refuse_move(current, ErrandState.REQUESTED)
    reason = _text(reason, "reason", _("退回原因"), 200)
    current.state = ErrandState.REQUESTED
    current.member = None
    current.accepted_at = None
    current.save(update_fields=["state", "member", "accepted_at"])
    audit_record(
        actor=actor,
        action="care.errand_release",
        target=current,
        area=_area(current.area_path),
        reason=reason,
    )
    return current


@transaction.atomic
def errand_done(
    *, actor: User, errand: Errand, proof_note: str, minutes: int | None = None
) -> Errand:
    """The member reports the errand run, with a note of what was handed over and the
    minutes it took (by default the time since accepting, at most four hours)."""
    current = _locked_errand(errand)
    _require_runner(actor, current)
    if current.state != ErrandState.ACCEPTED:
        raise _refuse_move(current, ErrandState.DONE)
    proof = _text(proof_note, "proof_note", _("办结说明"), 300)
    now = timezone.now()
    if minutes is None:
        assert current.accepted_at is not None  # accepted errands have the time
        elapsed = int((now - current.accepted_at).total_seconds() // 60)
        minutes = min(max(elapsed, 1), ERRAND_DEFAULT_MAX_MINUTES)
    elif not 1 <= minutes <= ERRAND_MAX_MINUTES:
        raise ValidationError(
            {"minutes": _("服务时长须在 1 至 %(max)s 分钟之间。") % {"max": ERRAND_MAX_MINUTES}}
        )
    current.state = ErrandState.DONE
    current.proof_note = proof
    current.minutes = minutes
    current.done_at = now
    current.save(update_fields=["state", "proof_note", "minutes", "done_at"])
    _errand_audit(actor, "done", current, minutes=minutes)
    return current


@transaction.atomic
def errand_confirm(*, actor: User, errand: Errand) -> Errand:
    """The household (through its grid worker or the community) confirms the errand
    was run; the minutes then count on the member's service record."""
    access.require_path(actor, Action.CARE_RECORD, errand.area_path)
    current = _locked_errand(errand)
    if current.state != ErrandState.DONE:
        raise _refuse_move(current, ErrandState.CONFIRMED)
    current.state = ErrandState.CONFIRMED
    current.confirmed_at = timezone.now()
    current.confirmed_by = actor
    current.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    _errand_audit(actor, "confirm", current, member=current.member_id, minutes=current.minutes)
    return current


@transaction.atomic
def errand_cancel(*, actor: User, errand: Errand, reason: str) -> Errand:
    """The household or the community withdraws an errand not yet run."""
    access.require_path(actor, Action.CARE_RECORD, errand.area_path)
    current = _locked_errand(errand)
    if current.state not in OPEN_ERRAND_STATES:
        raise _refuse_move(current, ErrandState.CANCELLED)
    current.cancel_reason = _text(reason, "reason", _("取消原因"), 200)
    current.state = ErrandState.CANCELLED
    current.cancelled_at = timezone.now()
    current.save(update_fields=["state", "cancel_reason", "cancelled_at"])
    audit_record(
        actor=actor,
        action="care.errand_cancel",
        target=current,
        area=_area(current.area_path),
        reason=current.cancel_reason,
    )
    return current


# Hardship households -----------------------------------------------------------------


@transaction.atomic
def care_plan_create(
    *,
    actor: User,
    household: Household,
    needs: str,
    measures: str,
    visit_every_days: int = 7,
    responsible: User | None = None,
    starts_on: date | None = None,
) -> CarePlan:
    """A care plan for a household the registry flags as a hardship household."""
    access.require_path(actor, Action.CARE_MANAGE, household.area_path)
    if not household.is_hardship:
        raise ValidationError({"household": _("这一户没有标记为生活困难户,请先在住户信息中标记。")})
    if CarePlan.objects.filter(household=household, status=PlanStatus.ACTIVE).exists():
        raise ValidationError({"household": _("这一户已有执行中的帮扶计划。")})
    if not 1 <= visit_every_days <= 90:
        raise ValidationError({"visit_every_days": _("走访周期须在 1 至 90 天之间。")})
    if responsible is not None and not access.may(
        responsible, Action.CARE_RECORD, _area(household.area_path)
    ):
        raise ValidationError({"responsible": _("责任人须是负责这一户的社区或网格工作人员。")})
    plan = CarePlan.objects.create(
        household=household,
        area_path=household.area_path,
        community_path=community_path_of(household.area_path),
        needs=_text(needs, "needs", _("困难与需求"), 300),
        measures=_text(measures, "measures", _("帮扶措施"), 300),
        visit_every_days=visit_every_days,
        responsible=responsible,
        starts_on=starts_on or timezone.localdate(),
        created_by=actor,
    )
    audit_record(actor=actor, action="care.plan_create", target=plan, area=_area(plan.area_path))
    return plan


@transaction.atomic
def care_plan_close(*, actor: User, plan: CarePlan) -> CarePlan:
    access.require_path(actor, Action.CARE_MANAGE, plan.area_path)
    current = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if current.status != PlanStatus.ACTIVE:
        raise ValidationError(_("该帮扶计划已结束。"), code="state")
    current.status = PlanStatus.CLOSED
    current.save(update_fields=["status"])
    audit_record(actor=actor, action="care.plan_close", target=current, area=_area(plan.area_path))
    return current


@transaction.atomic
def care_visit_record(
    *,
    actor: User,
    plan: CarePlan,
    help_given: str,
    value: Decimal | str = Decimal(0),
    visited_on: date | None = None,
    note: str = "",
    client_ref: str = "",
) -> CareVisit:
    """A visit (慰问) to a hardship household under its plan, with the help given and
    the goods' value in yuan. Sent again with the same `client_ref`, the stored one is
    returned (the plan's lock makes a double submit wait for the first)."""
    access.require_path(actor, Action.CARE_RECORD, plan.area_path)
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    client_ref = client_ref.strip()[:64]
    if client_ref and (stored := plan.visits.filter(client_ref=client_ref).first()) is not None:
        return stored
    if plan.status != PlanStatus.ACTIVE:
        raise ValidationError(_("该帮扶计划已结束,不能再登记走访。"), code="state")
    visited_on = visited_on or timezone.localdate()
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
    try:
        amount = Decimal(str(value or "0"))
    except InvalidOperation:
        raise ValidationError(
            {"value": _("金额“%(value)s”不是数字。") % {"value": value}}
        ) from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"value": _("物资折价不能为负数,最多两位小数。")})
    visit = CareVisit.objects.create(
        plan=plan,
        area_path=plan.area_path,
        visited_on=visited_on,
        visitor=actor,
        help_given=_text(help_given, "help_given", _("帮扶内容"), 300),
        value=amount,
        note=note.strip()[:200],
        client_ref=client_ref,
    )
    audit_record(
        actor=actor,
        action="care.visit",
        target=visit,
        area=_area(plan.area_path),
        data={"plan": plan.pk, "value": str(amount)},
    )
    return visit
