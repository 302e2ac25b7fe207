"""Errands: the community's open list, registering one, an errand's page and its steps
(assign, accept, claim, release, done, confirm, cancel), and the member's own list."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jijie.accounts.models import User
from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import community_path_of
from jijie.care import selectors, services
from jijie.care.forms import AssignForm, DoneForm, ErrandForm, ReasonForm
from jijie.care.models import Errand, ErrandState
from jijie.care.views.base import board_community, community_of, household_named
from jijie.core.forms import apply_errors
from jijie.core.paging import Pages
from jijie.mobilization.selectors import member_of, members_here
from jijie.residents.forms import pick_household


@login_required
def errands(request: HttpRequest, code: str) -> HttpResponse:
    """The community's open errands, due first, a page at a time (the board shows the
    first few)."""
    community = board_community(request.user, code, Action.CARE_VIEW)
    page = Pages(selectors.errand_list(request.user, path=community.path), 50).get_page(
        request.GET.get("page")
    )
    addresses = selectors.addresses(e.household_id for e in page)
    now = timezone.now()
    context = {
        "community": community,
        "page": page,
        "errands": [(e, addresses[e.household_id], e.due_by < now) for e in page],
    }
    return render(request, "care/errands.html", context)


@login_required
def errand_new(request: HttpRequest) -> HttpResponse:
    """Register an errand for a household that cannot go out (a grid worker from their
    day, the community from its board)."""
    if not access.scope_paths(request.user, Action.CARE_RECORD):
        raise PermissionDenied(_("您的角色不能登记代办。"))
    raw = request.POST.get("household") or request.GET.get("household") or ""
    form = ErrandForm(request.POST or None, initial={"household": raw})
    home = household_named(request.user, raw)
    address = selectors.addresses([home.pk])[home.pk] if home else ""
    pick_household(form, "household", picked=address)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if home is None:
                raise ValidationError({"household": _("请查找并选择住户。")})
            errand = services.errand_create(
                actor=actor(request),
                household=home,
                data=services.ErrandData(
                    kind=data["kind"],
                    needed=data["needed"],
                    due_by=data["due_by"],
                    money_advanced=data["money_advanced"] or Decimal(0),
                ),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("代办已登记,等待队员接单。"))
            return redirect("care:errand", errand.pk)
    context = {
        "form": form,
        "address": address,
        "community": home and community_of(request.user, community_path_of(home.area_path)),
    }
    return render(request, "care/errand_form.html", context)


@login_required
def errand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    errand = selectors.errand_for(request.user, pk, claimable=True)
    who = actor(request)
    member = member_of(who)
    may_manage = access.may_path(who, Action.CARE_MANAGE, errand.area_path)
    context = {
        "errand": errand,
        "address": selectors.addresses([errand.household_id])[errand.household_id],
        "is_overdue": errand.is_open and errand.due_by < timezone.now(),
        "community": community_of(who, errand.community_path),
        "is_runner": member is not None and errand.member_id == member.pk,
        "is_member": member is not None,
        "may_record": access.may_path(who, Action.CARE_RECORD, errand.area_path),
        "may_manage": may_manage,
        "assign_form": _assign_form(who, errand) if may_manage else None,
        "done_form": DoneForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "care/errand.html", context)


def _assign_form(user: User, errand: Errand, data: Any = None) -> AssignForm | None:
    if errand.state != ErrandState.REQUESTED:
        return None
    community = community_of(user, errand.community_path)
    if community is None:
        return None
    return AssignForm(data, members=members_here(actor=user, community=community))


def _steps(request: HttpRequest, errand: Errand) -> dict[str, Callable[[], object]]:
    who = actor(request)

    def assign() -> object:
        form = _assign_form(who, errand, request.POST)
        if form is None or not form.is_valid():
            raise ValidationError(_("请选择本社区的队员。"))
        return services.errand_assign(actor=who, errand=errand, member=form.cleaned_data["member"])

    def done() -> object:
        form = DoneForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        return services.errand_done(
            actor=who,
            errand=errand,
            proof_note=form.cleaned_data["proof_note"],
            minutes=form.cleaned_data["minutes"],
        )

    reason = request.POST.get("reason", "")
    return {
        "assign": assign,
        "accept": lambda: services.errand_accept(actor=who, errand=errand),
        "claim": lambda: services.errand_claim(actor=who, errand=errand),
        "release": lambda: services.errand_release(actor=who, errand=errand, reason=reason),
        "done": done,
        "confirm": lambda: services.errand_confirm(actor=who, errand=errand),
        "cancel": lambda: services.errand_cancel(actor=who, errand=errand, reason=reason),
    }


DONE_MESSAGES = {
    "assign": gettext_lazy("已指派,等待队员接单。"),
    "accept": gettext_lazy("已接单。"),
    "claim": gettext_lazy("已认领。"),
    "release": gettext_lazy("已退回,等待其他队员接单。"),
    "done": gettext_lazy("已办结,等待住户或网格员确认。"),
    "confirm": gettext_lazy("已确认,服务时长已计入队员记录。"),
    "cancel": gettext_lazy("代办已取消。"),
}


@require_POST
@login_required
def errand_act(request: HttpRequest, pk: int, act: str) -> HttpResponse:
    """One step of an errand: assign, accept, claim, release, done, confirm, cancel. A
    refused step shows the service's sentence."""
    errand = selectors.errand_for(request.user, pk, claimable=True)
    steps = _steps(request, errand)
    if act not in steps:
        raise Http404
    try:
        steps[act]()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(DONE_MESSAGES[act]))
    if request.POST.get("next") == "mine":
        return redirect("care:mine")
    return redirect("care:errand", errand.pk)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的代办, on a phone: the errands offered to or run by the member, those they may
    claim, and the hours confirmed."""
    found = selectors.member_errands(request.user)
    if found is None:
        raise Http404(_("您的账号还没有关联队员信息:报名任一集结号时会自动关联。"))
    addresses = selectors.addresses(r.errand.household_id for r in found.mine + found.claimable)
    context = {
        "member": found.member,
        "mine": [(r, addresses[r.errand.household_id]) for r in found.mine],
        "claimable": [(r, addresses[r.errand.household_id]) for r in found.claimable],
        "record": selectors.errand_record(found.member),
        # One form per accepted errand on the page: no ids, the labels wrap the inputs.
        "done_form": DoneForm(auto_id=False),
    }
    return render(request, "care/mine.html", context)
