"""What a supervisor's phone sends (jijie/core/outbox.py): a follow-up of a case,
recorded at the door with or without a signal, with the id the phone gave it and the
phone's time. The same form, the same service and the same checks as the day page's
form posted online."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.care import selectors, services
from jijie.care.forms import FollowUpForm
from jijie.care.models import FollowUp
from jijie.core import outbox

KIND = "care.follow_up"


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
