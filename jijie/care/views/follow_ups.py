"""The supervisor's day on a phone (today's due list, a follow-up form per case) and
recording a follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.selectors import community_list
from jijie.care import selectors, services
from jijie.care.views.cases import case_page, follow_up_form
from jijie.core.forms import apply_errors
from jijie.mobilization.selectors import member_of


@login_required
def day(request: HttpRequest) -> HttpResponse:
    """随访, on a phone: the cases the signed-in supervisor follows up today, each with
    its slots and a follow-up form. With ?supervisor=<account id> (the board links it),
    that supervisor's day, as far as the reader's care scope reaches."""
    supervisor = selectors.supervisor_for(request.user, request.GET.get("supervisor", ""))
    due = selectors.due_list(request.user, supervisor=supervisor)
    addresses = selectors.addresses(d.case.household_id for d in due)
    context = {
        "supervisor": supervisor,
        "today": timezone.localdate(),
        "rows": [(d, addresses[d.case.household_id], follow_up_form(d.case)) for d in due],
        "communities": community_list(request.user, Action.CARE_VIEW)[:100],
        "is_member": member_of(request.user) is not None,
        "may_errand": bool(access.scope_paths(request.user, Action.CARE_RECORD)),
    }
    return render(request, "care/day.html", context)


@require_POST
@login_required
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a follow-up; sent twice with the same client_ref, it is stored once."""
    case = selectors.case_for(request.user, pk)
    form = follow_up_form(case, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            stored = services.follow_up_record(
                actor=actor(request),
                case=case,
                data=services.FollowUpData(
                    contact=data["contact"],
                    temperature=data["temperature"],
                    symptoms=data["symptoms"],
                    note=data["note"],
                    client_ref=data["client_ref"],
                ),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已记录随访。"))
            if stored.is_fever:
                messages.warning(request, _("体温偏高,已向社区发出发热预警。"))
            if request.POST.get("next") == "day":
                return redirect("care:day")
            return redirect("care:case", case.pk)
    return case_page(request, case, follow_up=form)
