"""Organisations: the tree in the user's scope, and one organisation's page, where its
unit's admin names leaders and the committee adds the communities it covers (包保)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jijie.accounts.requests import actor
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.core.forms import apply_errors
from jijie.mobilization import access as mobilization_access
from jijie.mobilization import selectors, services
from jijie.mobilization.forms import LeaderForm, PairingForm
from jijie.mobilization.models import Member, Organisation
from jijie.mobilization.views.base import communities_under, sees_call_ups


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The organisations in the user's scope, as a tree, with leaders, members and the
    communities each covers (包保)."""
    if not sees_call_ups(request):
        raise PermissionDenied(_("您的角色不能查看组织。"))
    tree = selectors.organisation_tree(actor=request.user)
    return render(request, "mobilization/organisation_list.html", {"organisations": tree})


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One organisation: its members, leaders and 包保 pairings; its unit's admin names
    leaders, the committee adds pairings."""
    organisation = selectors.organisation_for(actor=request.user, pk=pk)
    members = selectors.member_list(actor=request.user, organisation=organisation)
    people = [
        (m.pk, f"{m.name} · {m.organisation.name if m.organisation else ''}") for m in members[:500]
    ]
    communities = communities_under(organisation.area_path[: Area.steplen])
    leading = "lead" in request.POST
    leader_form = LeaderForm(request.POST if leading else None, people=people)
    pairing_form = PairingForm(
        request.POST if "pair" in request.POST else None, communities=communities
    )
    if request.method == "POST":
        try:
            if leading and leader_form.is_valid():
                _add_leader(request, organisation, members, leader_form)
                return redirect("mobilization:organisation", pk=pk)
            if "pair" in request.POST and pairing_form.is_valid():
                _add_pairing(request, organisation, communities, pairing_form)
                return redirect("mobilization:organisation", pk=pk)
        except ValidationError as error:
            apply_errors(leader_form if leading else pairing_form, error)
    context = {
        "organisation": organisation,
        "page": Paginator(members, 50).get_page(request.GET.get("page")),
        "leaders": organisation.leaders.select_related("member"),
        "pairings": organisation.pairings.select_related("community").order_by("-starts_on"),
        "leader_form": leader_form,
        "pairing_form": pairing_form,
        "may_lead": _may(request, organisation, Action.MEMBER_EDIT),
        "may_pair": _may(request, organisation, Action.MOBILIZATION_MANAGE),
    }
    return render(request, "mobilization/organisation_detail.html", context)


def _may(request: HttpRequest, organisation: Organisation, action: Action) -> bool:
    return mobilization_access.may_organisation(
        request.user, action, path=organisation.path, area_path=organisation.area_path
    )


def _add_leader(
    request: HttpRequest,
    organisation: Organisation,
    members: QuerySet[Member],
    form: LeaderForm,
) -> None:
    chosen = members.filter(pk=form.cleaned_data["member"]).first()
    if chosen is None:
        raise Http404
    services.organisation_leader_add(
        actor=actor(request),
        organisation=organisation,
        member=chosen,
        title=form.cleaned_data["title"],
    )


def _add_pairing(
    request: HttpRequest,
    organisation: Organisation,
    communities: QuerySet[Area],
    form: PairingForm,
) -> None:
    data = form.cleaned_data
    services.pairing_create(
        actor=actor(request),
        organisation=organisation,
        community=communities.get(code=data["community"]),
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
    )
