"""Deployments: sending one approved member to a community, the proposal that sends
them all (made, edited line by line, accepted), a community's deployed members, and
the teams a community forms of them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area
from jijie.core.forms import apply_errors
from jijie.core.paging import Pages
from jijie.mobilization import proposal, selectors, services
from jijie.mobilization.actions import actions_for_deployed_members
from jijie.mobilization.forms import DeployForm, LineForm, ProposalForm, TeamForm

# The members living in a community and serving elsewhere listed on its page; the rest
# are counted.
AT_HOME_SHOWN = 50


@login_required
def sign_up_deploy(request: HttpRequest, pk: int) -> HttpResponse:
    sign_up = selectors.sign_up_for(actor=request.user, pk=pk)
    call_up = sign_up.call_up
    form = DeployForm(request.POST or None, call_up=call_up)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.deployment_create(
                actor=actor(request),
                sign_up=sign_up,
                community=call_up.targets.get(community__code=data["community"]).community,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s 已下沉。") % {"name": sign_up.member.name})
            return redirect("mobilization:sign_ups", pk=call_up.pk)
    return render(request, "mobilization/sign_up_deploy.html", {"form": form, "sign_up": sign_up})


@login_required
def proposal_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a proposal, look at it line by line, move or drop lines, accept it."""
    call_up = selectors.call_up_for(actor=request.user, pk=pk, action=Action.MOBILIZATION_MANAGE)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal.proposal_make(
                actor=actor(request),
                call_up=call_up,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("mobilization:proposal", pk=pk)
    latest = selectors.latest_proposal(call_up)
    lines = selectors.proposal_lines(latest) if latest is not None else None
    context = {
        "call_up": call_up,
        "form": form,
        "proposal": latest,
        "page": Paginator(lines, 100).get_page(request.GET.get("page"))
        if lines is not None
        else None,
        "line_count": lines.count() if lines is not None else 0,
        "targets": call_up.targets.select_related("community").order_by("community__path"),
    }
    return render(request, "mobilization/proposal.html", context)


@require_POST
@login_required
def proposal_line(request: HttpRequest, pk: int, line: int) -> HttpResponse:
    made = selectors.proposal_for(actor=request.user, pk=pk)
    found = made.lines.filter(pk=line).first()
    if found is None:
        raise Http404
    form = LineForm(request.POST)
    code = form.cleaned_data["community"] if form.is_valid() else ""
    community = None
    if code:
        community = Area.objects.filter(code=code).first()
        if community is None:
            raise Http404
    try:
        proposal.proposal_line_set(actor=actor(request), line=found, community=community)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("mobilization:proposal", pk=made.call_up_id)


@require_POST
@login_required
def proposal_accept(request: HttpRequest, pk: int) -> HttpResponse:
    made = selectors.proposal_for(actor=request.user, pk=pk)
    try:
        count = proposal.proposal_accept(actor=actor(request), proposal=made)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("mobilization:proposal", pk=made.call_up_id)
    messages.success(request, _("方案已采纳,%(count)s 人已下沉。") % {"count": count})
    return redirect("mobilization:call_up", pk=made.call_up_id)


@login_required
def community(request: HttpRequest, code: str) -> HttpResponse:
    """The members deployed to a community, and those living there who serve elsewhere
    (双报到); contact data masked as the registry masks it."""
    area = access.area_for(request.user, code, Action.DEPLOYMENT_VIEW)
    deployed = selectors.deployed_to(actor=request.user, community=area)
    at_home = selectors.reporting_at_home(actor=request.user, community=area)
    is_community = area.kind in COMMUNITY_KINDS
    context = {
        "area": area,
        "page": Pages(deployed, 50).get_page(request.GET.get("page")),
        "at_home": at_home[:AT_HOME_SHOWN],
        "at_home_count": at_home.count(),
        "teams": selectors.teams_in(actor=request.user, community=area) if is_community else [],
        "may_form_team": is_community and access.may(request.user, Action.TEAM_MANAGE, area),
        # Links for each member row (issue a kit...), the member added by the page.
        "member_offers": actions_for_deployed_members(request.user, area) if is_community else [],
    }
    return render(request, "mobilization/community.html", context)


@login_required
def team_new(request: HttpRequest, code: str) -> HttpResponse:
    """A community secretary forms a team from the members serving or living there."""
    area = access.area_for(request.user, code, Action.TEAM_MANAGE)
    here = {m.pk: m for m in selectors.members_here(actor=request.user, community=area)}
    people = [(pk, f"{m.name} · {m.phone_masked}") for pk, m in here.items()]
    form = TeamForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.team_create(
                actor=actor(request),
                name=data["name"],
                kind=data["kind"],
                leader=here[int(data["leader"])],
                members=[here[int(pk)] for pk in data["members"]],
                community=area,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("mobilization:community", code=area.code)
    return render(request, "mobilization/team_form.html", {"form": form, "area": area})
