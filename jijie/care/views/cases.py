"""A case's page (its follow-ups, extend, end) and opening a case. The follow-up form
of a case is built here for every page that shows one."""

from __future__ import annotations

from typing import Any

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
from jijie.care import rules, selectors, services
from jijie.care.forms import CaseForm, EndForm, ExtendForm, FollowUpForm, HouseholdChoiceForm
from jijie.care.models import IsolationCase
from jijie.care.views.base import board_community, community_of, household_named
from jijie.core.forms import apply_errors
from jijie.residents import selectors as registry
from jijie.residents.forms import pick_household


def follow_up_form(case: IsolationCase, data: Any = None) -> FollowUpForm:
    # Each case's form has its own ids on a page of many forms; the names stay the same.
    return FollowUpForm(data, auto_id=f"case{case.pk}_%s")


def case_page(
    request: HttpRequest,
    case: IsolationCase,
    *,
    follow_up: FollowUpForm | None = None,
    extend: ExtendForm | None = None,
    end: EndForm | None = None,
    status: int = 200,
) -> HttpResponse:
    who = actor(request)
    today = timezone.localdate()
    period = rules.Period(case.starts_on, case.total_days, case.ended_on)
    may_record = services.is_supervisor(who, case) or access.may_path(
        who, Action.CARE_RECORD, case.area_path
    )
    context = {
        "case": case,
        "address": selectors.addresses([case.household_id])[case.household_id],
        "day_number": period.day_number(today),
        "last_day": period.last_day,
        "is_past_due": period.is_past_due(today),
        "follow_ups": selectors.follow_ups(who, case),
        "health": access.may_path(who, Action.HEALTH_VIEW, case.area_path),
        "extensions": case.extensions.all(),
        "community": community_of(who, case.community_path),
        "may_record": may_record and case.is_open,
        "may_manage": access.may_path(who, Action.CARE_MANAGE, case.area_path) and case.is_open,
        "may_errand": access.may_path(who, Action.CARE_RECORD, case.area_path),
        # The registry's page of the household, for those who read the registry there.
        "sees_household": access.may_path(who, Action.RESIDENT_VIEW, case.area_path),
        "follow_up_form": follow_up or follow_up_form(case),
        "extend_form": extend or ExtendForm(),
        "end_form": end or EndForm(),
    }
    return render(request, "care/case.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return case_page(request, selectors.case_for(request.user, pk))


@require_POST
@login_required
def case_extend(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for(request.user, pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            services.case_extend(
                actor=actor(request),
                case=case,
                days=form.cleaned_data["days"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已延长。"))
            return redirect("care:case", case.pk)
    return case_page(request, case, extend=form)


@require_POST
@login_required
def case_end(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for(request.user, pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.case_end(
                actor=actor(request),
                case=case,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                ended_on=form.cleaned_data["ended_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已解除。"))
            return redirect("care:case", case.pk)
    return case_page(request, case, end=form)


@login_required
def case_new(request: HttpRequest, code: str) -> HttpResponse:
    """Put a person, or a whole household, under home isolation or observation."""
    community = board_community(request.user, code, Action.CARE_MANAGE)
    raw = request.POST.get("household") or request.GET.get("household") or ""
    home = household_named(request.user, raw)
    if home is not None and not home.area_path.startswith(community.path):
        home = None  # in sight, in another community: refused on the form
    people = [(p.pk, p.name) for p in registry.people_of(home)] if home else []
    supervisors = selectors.supervisor_choices(request.user, community)
    initial = {"household": raw, "supervisor": f"u{request.user.pk}"}
    form = CaseForm(
        request.POST or None,
        initial=initial,
        responses=selectors.responses_over(request.user, community),
        people=people,
        supervisors=[(key, label) for key, (label, _u, _m) in supervisors.items()],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _label, user, member = supervisors[data["supervisor"]]
        try:
            if home is None:
                raise ValidationError({"household": _("本社区没有这户,请重新查找。")})
            case = services.case_open(
                actor=actor(request),
                response=data["response"],
                household=home,
                person=next((p for p in registry.people_of(home) if p.pk == data["person"]), None),
                data=services.CaseData(
                    kind=data["kind"],
                    reason=data["reason"],
                    starts_on=data["starts_on"],
                    days=data["days"],
                    checks_per_day=data["checks_per_day"],
                    seal_number=data["seal_number"],
                ),
                supervisor_user=user,
                supervisor_member=member,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记居家隔离,该户已标记为居家隔离户。"))
            return redirect("care:case", case.pk)
    context: dict[str, Any] = {"community": community, "form": form, "household": home}
    if home is not None:
        context["address"] = selectors.addresses([home.pk])[home.pk]
    else:
        choose = HouseholdChoiceForm()
        pick_household(choose, "household", area=community.code)
        context["choose"] = choose
    return render(request, "care/case_form.html", context)
