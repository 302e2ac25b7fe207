"""The community's board (open cases day N of M, missed follow-ups, alerts to resolve,
open errands) and resolving an alert."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.care import selectors, services
from jijie.care.forms import ResolveForm
from jijie.care.models import Alert
from jijie.care.views.base import board_community, community_of


@login_required
def board(request: HttpRequest, code: str) -> HttpResponse:
    """The community's board: open cases day N of M, missed follow-ups, alerts to
    resolve (fevers for those who may see health data), open errands."""
    community = board_community(request.user, code, Action.CARE_VIEW)
    found = selectors.community_board(request.user, community)
    addresses = selectors.addresses(
        [r.case.household_id for r in found.cases]
        + [r.errand.household_id for r in found.errands]
        + [a.alert.case.household_id for a in found.missed + found.alerts if a.alert.case]
        + [a.alert.errand.household_id for a in found.alerts if a.alert.errand]
    )
    context = {
        "community": community,
        "board": found,
        "addresses": addresses,
        "cases": [(r, addresses[r.case.household_id]) for r in found.cases],
        "errands": [(r, addresses[r.errand.household_id]) for r in found.errands],
        "missed": [(a, _alert_address(a.alert, addresses)) for a in found.missed],
        "alerts": [(a, _alert_address(a.alert, addresses)) for a in found.alerts],
        "may_record": access.may(request.user, Action.CARE_RECORD, community),
        "may_manage": access.may(request.user, Action.CARE_MANAGE, community),
        "resolve_form": ResolveForm(),
    }
    return render(request, "care/board.html", context)


def _alert_address(alert: Alert, addresses: dict[int, str]) -> str:
    if alert.case is not None:
        return addresses.get(alert.case.household_id, "")
    if alert.errand is not None:
        return addresses.get(alert.errand.household_id, "")
    return ""


@require_POST
@login_required
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_for(request.user, pk)
    form = ResolveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写处理情况。"))
        services.alert_resolve(
            actor=actor(request), alert=alert, resolution=form.cleaned_data["resolution"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("预警已处理。"))
    community = community_of(request.user, alert.community_path)
    if community is None:
        return redirect("care:day")
    return redirect("care:board", community.code)
