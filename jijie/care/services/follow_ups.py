"""Follow-ups of an open case, each counted for the due slot of its time (see `rules`).
A fever raises an alert to the community; a late follow-up closes its slot's missed
alert. Temperatures and symptoms stay out of the audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.care import rules
from jijie.care.models import Alert, AlertKind, ContactMode, FollowUp, IsolationCase
from jijie.care.services.base import _area, _choice
from jijie.care.services.cases import require_record
from jijie.core import once

if TYPE_CHECKING:
    from jijie.accounts.models import User


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


def follow_up_record(
    *, actor: User, case: IsolationCase, data: FollowUpData, at: datetime | None = None
) -> FollowUp:
    """`do_follow_up_record` by the case's supervisor or a front-line worker over it
    (`require_record`)."""
    require_record(actor, case)
    return do_follow_up_record(actor=actor, case=case, data=data, at=at)


@transaction.atomic
def do_follow_up_record(
    *, actor: Actor, case: IsolationCase, data: FollowUpData, at: datetime | None = None
) -> FollowUp:
    """Record a follow-up of a case at any time while it is open. It is dated its local
    day and counts for the due slot of its time (see `rules`); on a day with no slot due
    it is an extra follow-up of the day; made outside the period (before the start,
    after the last day or the end) it is kept and marked so. A fever raises an alert to
    the community; a late follow-up closes its slot's missed alert. Sent again with the
    same `client_ref`, the stored one is returned. Takes no lock: a follow-up sent twice
    at once is stored once by the table's unique `client_ref`."""
    client_ref = once.client_ref(data.client_ref)
    find = partial(_replayed, case, client_ref)
    if (stored := once.sent_before(client_ref, find)) is not None:
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
        recorded_by=account_of(actor),
        client_ref=client_ref,
    )
    follow_up, new = once.save_once(follow_up, client_ref, find)
    if not new:  # the same follow-up sent twice at once: the other send stored it first
        return follow_up
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
        ).update(resolved_at=now, resolved_by=account_of(actor), resolution=_("已补做随访。"))
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
