"""Hardship households: the community's list (plans with the next visit due, flagged
households with no plan), making a plan, a plan's page with its visits, recording a
visit and closing a plan."""

from __future__ import annotations

from decimal import Decimal

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
from jijie.care import selectors, services
from jijie.care.forms import PlanForm, VisitForm
from jijie.care.models import CarePlan, PlanStatus
from jijie.care.views.base import board_community, community_of, household_named
from jijie.core.forms import apply_errors
from jijie.residents.forms import pick_household


@login_required
def hardship(request: HttpRequest, code: str) -> HttpResponse:
    """The community's hardship households: plans with the next visit due (overdue
    first), flagged households with no plan yet, this month's visits and help."""
    community = board_community(request.user, code, Action.CARE_VIEW)
    found = selectors.hardship(request.user, community)
    addresses = selectors.addresses(
        [r.plan.household_id for r in found.plans] + [h.pk for h in found.unplanned]
    )
    context = {
        "community": community,
        "found": found,
        "plans": [(r, addresses[r.plan.household_id]) for r in found.plans],
        "unplanned": [(h, addresses[h.pk]) for h in found.unplanned],
        "today": timezone.localdate(),
        "may_manage": access.may(request.user, Action.CARE_MANAGE, community),
    }
    return render(request, "care/hardship.html", context)


@login_required
def plan_new(request: HttpRequest, code: str) -> HttpResponse:
    """A care plan for a household the registry flags as a hardship household."""
    community = board_community(request.user, code, Action.CARE_MANAGE)
    raw = request.POST.get("household") or request.GET.get("household") or ""
    home = household_named(request.user, raw)
    if home is not None and not home.area_path.startswith(community.path):
        home = None  # in sight, in another community: refused on the form
    choices = selectors.responsible_choices(community)
    form = PlanForm(
        request.POST or None,
        initial={"household": raw},
        responsible=[(key, label) for key, (label, _user) in choices.items()],
    )
    address = selectors.addresses([home.pk])[home.pk] if home else ""
    pick_household(form, "household", area=community.code, picked=address)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if home is None:
                raise ValidationError({"household": _("本社区没有这户,请重新查找。")})
            chosen = choices.get(data["responsible"])
            plan = services.care_plan_create(
                actor=actor(request),
                household=home,
                needs=data["needs"],
                measures=data["measures"],
                visit_every_days=data["visit_every_days"],
                responsible=chosen[1] if chosen else None,
                starts_on=data["starts_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已建立帮扶计划。"))
            return redirect("care:plan", plan.pk)
    context = {
        "community": community,
        "form": form,
        "household": home,
        "address": address,
    }
    return render(request, "care/plan_form.html", context)


def _plan_page(
    request: HttpRequest, plan: CarePlan, *, visit: VisitForm | None = None, status: int = 200
) -> HttpResponse:
    who = actor(request)
    visits = list(selectors.plan_visits(plan))
    last = visits[0].visited_on if visits else None
    is_active = plan.status == PlanStatus.ACTIVE
    context = {
        "plan": plan,
        "address": selectors.addresses([plan.household_id])[plan.household_id],
        "community": community_of(who, plan.community_path),
        "visits": visits,
        "total_value": sum((v.value for v in visits), Decimal(0)),
        "next_visit": selectors.next_visit(plan, last) if is_active else None,
        "today": timezone.localdate(),
        "may_record": is_active and access.may_path(who, Action.CARE_RECORD, plan.area_path),
        "may_manage": is_active and access.may_path(who, Action.CARE_MANAGE, plan.area_path),
        "may_errand": access.may_path(who, Action.CARE_RECORD, plan.area_path),
        "visit_form": visit or VisitForm(),
    }
    return render(request, "care/plan.html", context, status=status)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, selectors.plan_for(request.user, pk))


@require_POST
@login_required
def plan_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a visit (慰问) and the help given; sent twice, it is stored once."""
    plan = selectors.plan_for(request.user, pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.care_visit_record(
                actor=actor(request),
                plan=plan,
                help_given=data["help_given"],
                value=data["value"] or Decimal(0),
                visited_on=data["visited_on"],
                note=data["note"],
                client_ref=data["client_ref"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记走访。"))
            return redirect("care:plan", plan.pk)
    return _plan_page(request, plan, visit=form)


@require_POST
@login_required
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for(request.user, pk)
    try:
        services.care_plan_close(actor=actor(request), plan=plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("帮扶计划已结束。"))
    return redirect("care:plan", plan.pk)
