"""What a grid worker's phone sends (jijie/core/outbox.py): a visit recorded from a
building's floor plan, door by door, with or without a signal, with the id the phone
gave it and the phone's time. Checked as the visit page checks it, stored by the same
service: the same id sent again stores nothing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.core import outbox
from jijie.residents import selectors as registry
from jijie.screening import selectors, services
from jijie.screening.forms import DoorVisitForm
from jijie.screening.models import Campaign, Mode, Visit

KIND = "screening.visit"


def modes(campaign: Campaign) -> list[tuple[str, str]]:
    return [(m, str(label)) for m, label in Mode.choices if campaign.allows(m)]


def visit_from_phone(item: outbox.Item) -> outbox.Outcome:
    user = item.user
    if not access.scope_paths(user, Action.SCREENING_VISIT):
        raise PermissionDenied(_("您的角色不能走访排查。"))
    campaign = selectors.campaign_for(actor=user, pk=item.number("campaign"))
    home = registry.household_for(actor=user, pk=item.number("household"))
    if not selectors.in_view(user, campaign, home.building):
        raise Http404
    if Visit.objects.filter(campaign=campaign, household=home, client_ref=item.client_ref).exists():
        return outbox.already(_("此前已记录 %(door)s。") % {"door": home.door_number})
    form = DoorVisitForm(
        dict(item.fields),
        doors=[(str(home.pk), home.door_number)],
        questions=campaign.questions,
        modes=modes(campaign),
    )
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    data = form.cleaned_data
    services.visit_record(
        actor=user,
        campaign=campaign,
        household=home,
        data=services.VisitData(
            mode=data["mode"],
            outcome=data["outcome"],
            answers=form.answers() if data["outcome"] == "done" else {},
            note=data["note"],
            client_ref=item.client_ref,
        ),
        at=item.recorded_at(timezone.now()),
    )
    return outbox.stored(
        _("已记录 %(building)s %(door)s。")
        % {"building": home.building.name, "door": home.door_number}
    )
