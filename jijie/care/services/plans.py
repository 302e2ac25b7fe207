"""Care plans for the households the registry flags as hardship households, and the
visits (慰问) made under them. Each checked entry checks access over the household once
and ends in its write (`do_*`), which checks no access."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
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
from jijie.care.models import CarePlan, CareVisit, PlanStatus
from jijie.care.services.base import _area, _text
from jijie.residents.models import Household

if TYPE_CHECKING:
    from jijie.accounts.models import User


def _check_responsible(responsible: User | None, household: Household) -> None:
    """The chosen responsible worker, if any, records care over the household: a check of
    the value chosen, not of who chooses it."""
    if responsible is not None and not access.may(
        responsible, Action.CARE_RECORD, _area(household.area_path)
    ):
        raise ValidationError({"responsible": _("责任人须是负责这一户的社区或网格工作人员。")})


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
    """`do_care_plan_create` by someone who may manage care over the household."""
    access.require_path(actor, Action.CARE_MANAGE, household.area_path)
    return do_care_plan_create(
        actor=actor,
        household=household,
        needs=needs,
        measures=measures,
        visit_every_days=visit_every_days,
        responsible=responsible,
        starts_on=starts_on,
    )


@transaction.atomic
def do_care_plan_create(
    *,
    actor: Actor,
    household: Household,
    needs: str,
    measures: str,
    visit_every_days: int = 7,
    responsible: User | None = None,
    starts_on: date | None = None,
) -> CarePlan:
    """A care plan for a household the registry flags as a hardship household, one
    active at a time; the chosen responsible worker is checked as a value
    (`_check_responsible`). Takes no lock: of two plans made at once, the table's unique
    constraint keeps one."""
    if not household.is_hardship:
        raise ValidationError({"household": _("这一户没有标记为生活困难户,请先在住户信息中标记。")})
    if CarePlan.objects.filter(household=household, status=PlanStatus.ACTIVE).exists():
        raise ValidationError({"household": _("这一户已有执行中的帮扶计划。")})
    if not 1 <= visit_every_days <= 90:
        raise ValidationError({"visit_every_days": _("走访周期须在 1 至 90 天之间。")})
    _check_responsible(responsible, household)
    plan = CarePlan.objects.create(
        household=household,
        area_path=household.area_path,
        community_path=community_path_of(household.area_path),
        needs=_text(needs, "needs", _("困难与需求"), 300),
        measures=_text(measures, "measures", _("帮扶措施"), 300),
        visit_every_days=visit_every_days,
        responsible=responsible,
        starts_on=starts_on or timezone.localdate(),
        created_by=account_of(actor),
    )
    audit_record(actor=actor, action="care.plan_create", target=plan, area=_area(plan.area_path))
    return plan


def care_plan_close(*, actor: User, plan: CarePlan) -> CarePlan:
    """`do_care_plan_close` by someone who may manage care over the plan's household."""
    access.require_path(actor, Action.CARE_MANAGE, plan.area_path)
    return do_care_plan_close(actor=actor, plan=plan)


@transaction.atomic
def do_care_plan_close(*, actor: Actor, plan: CarePlan) -> CarePlan:
    """Close an active plan. Locks the plan's row."""
    current = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if current.status != PlanStatus.ACTIVE:
        raise ValidationError(_("该帮扶计划已结束。"), code="state")
    current.status = PlanStatus.CLOSED
    current.save(update_fields=["status"])
    audit_record(actor=actor, action="care.plan_close", target=current, area=_area(plan.area_path))
    return current


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
    """`do_care_visit_record` by someone who may record care over the plan's household."""
    access.require_path(actor, Action.CARE_RECORD, plan.area_path)
    return do_care_visit_record(
        actor=actor,
        plan=plan,
        help_given=help_given,
        value=value,
        visited_on=visited_on,
        note=note,
        client_ref=client_ref,
    )


@transaction.atomic
def do_care_visit_record(
    *,
    actor: Actor,
    plan: CarePlan,
    help_given: str,
    value: Decimal | str = Decimal(0),
    visited_on: date | None = None,
    note: str = "",
    client_ref: str = "",
) -> CareVisit:
    """A visit (慰问) to a hardship household under its active plan, with the help given
    and the goods' value in yuan. Sent again with the same `client_ref`, the stored one
    is returned. Locks the plan's row, so a double submit waits for the first."""
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
        visitor=account_of(actor),
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
