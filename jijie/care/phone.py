"""What a phone sends for care (jijie/core/outbox.py), recorded at the door with or
without a signal, with the id the phone gave it and the phone's time: a supervisor's
follow-up of a case (the day page), a member's errand reported run (我的代办). The same
forms, the same services and the same checks as the pages' forms posted online."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.care import selectors, services
from jijie.care.forms import DoneForm, FollowUpForm
from jijie.care.models import ErrandState, FollowUp
from jijie.core import outbox
from jijie.mobilization.selectors import member_of

KIND = "care.follow_up"
ERRAND_DONE = "care.errand_done"


def follow_up_from_phone(item: outbox.Item) -> outbox.Outcome:
    case = selectors.case_for(item.user, item.number("case"))
    if FollowUp.objects.filter(case=case, client_ref=item.client_ref).exists():
        return outbox.already(_("此前已记录这次随访。"))
    form = FollowUpForm(dict(item.fields))
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    data = form.cleaned_data
    stored = services.follow_up_record(
        actor=item.user,
        case=case,
        data=services.FollowUpData(
            contact=data["contact"],
            temperature=data["temperature"],
            symptoms=data["symptoms"],
            note=data["note"],
            client_ref=item.client_ref,
        ),
        at=item.recorded_at(timezone.now()),
    )
    if stored.is_fever:
        return outbox.stored(_("已记录随访。体温偏高,已向社区发出发热预警。"))
    return outbox.stored(_("已记录随访。"))


def errand_done_from_phone(item: outbox.Item) -> outbox.Outcome:
    """An errand reported run. An errand is run once: reported again (the same item
    sent twice, or twice from the page) by the member who ran it, it is already stored."""
    errand = selectors.errand_for(item.user, item.number("errand"))
    member = member_of(item.user)
    ran = (ErrandState.DONE, ErrandState.CONFIRMED)
    if member is not None and errand.member_id == member.pk and errand.state in ran:
        return outbox.already(_("此前已办结这件代办。"))
    form = DoneForm(dict(item.fields))
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    services.errand_done(
        actor=item.user,
        errand=errand,
        proof_note=form.cleaned_data["proof_note"],
        minutes=form.cleaned_data["minutes"],
        at=item.recorded_at(timezone.now()),
    )
    return outbox.stored(_("已办结,等待住户或网格员确认。"))
