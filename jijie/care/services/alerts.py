"""The escalation of missed follow-ups and overdue errands to the community, one alert
for each, and how the community resolves an alert. The escalation is the scheduler's
alone and acts as `SYSTEM`; it has no checked entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.audit.actors import SYSTEM, Actor, account_of
from jijie.audit.services import audit_record
from jijie.care import rules
from jijie.care.models import (
    OPEN_ERRAND_STATES,
    Alert,
    AlertKind,
    CaseStatus,
    Errand,
    FollowUp,
    IsolationCase,
)
from jijie.care.services.base import _area, _text

if TYPE_CHECKING:
    from jijie.accounts.models import User


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
                actor=SYSTEM,
                action="care.escalate",
                data={"missed": result.missed, "overdue_errands": result.overdue_errands},
            )
    return result


def alert_resolve(*, actor: User, alert: Alert, resolution: str) -> Alert:
    """`do_alert_resolve` by someone who may record care where the alert is."""
    access.require_path(actor, Action.CARE_RECORD, alert.area_path)
    return do_alert_resolve(actor=actor, alert=alert, resolution=resolution)


@transaction.atomic
def do_alert_resolve(*, actor: Actor, alert: Alert, resolution: str) -> Alert:
    """The community records how an alert was handled, once. Locks the alert's row."""
    current = Alert.objects.select_for_update().get(pk=alert.pk)
    if current.resolved_at is not None:
        raise ValidationError(_("该预警已处理。"), code="state")
    current.resolution = _text(resolution, "resolution", _("处理情况"), 200)
    current.resolved_at = timezone.now()
    current.resolved_by = account_of(actor)
    current.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        action="care.alert_resolve",
        target=current,
        area=_area(current.area_path),
        data={"kind": current.kind},
    )
    return current
