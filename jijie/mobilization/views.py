"""Mobilization pages. The sign-up page is public to whoever has the call-up's link
(members sign up on a phone, with or without an account); everything else is behind
sign-in and `access`. Nothing personal travels in a URL."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area
from jijie.audit.services import client_ip
from jijie.core.forms import apply_errors
from jijie.mobilization import access as mobilization_access
from jijie.mobilization import imports, proposal, selectors, services
from jijie.mobilization.forms import (
    CallUpForm,
    ClaimDecisionForm,
    DecideForm,
    DeployForm,
    ImportForm,
    LeaderForm,
    LineForm,
    MemberForm,
    PairingForm,
    ProposalForm,
    QuickSignUpForm,
    ScreeningForm,
    SignUpFilterForm,
    SignUpForm,
    TeamForm,
)
from jijie.mobilization.models import CallUp, Organisation
from jijie.responses.selectors import response_list


def _communities_under(path: str) -> Any:
    return Area.objects.filter(path__startswith=path, kind__in=COMMUNITY_KINDS).order_by("path")


def _sees_call_ups(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        access.scope_paths(user, Action.MOBILIZATION_VIEW)
        or mobilization_access.organisation_paths(user, Action.MOBILIZATION_VIEW)
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Call-ups for a committee or a unit's admin; a member goes to their own page; a
    community to the members deployed there."""
    if not _sees_call_ups(request):
        roots = access.scope_roots(request.user, Action.DEPLOYMENT_VIEW)
        if roots:
            return redirect("mobilization:community", code=roots[0].code)
        if selectors.member_of(request.user) is not None:
            return redirect("mobilization:me")
        raise PermissionDenied(_("您的角色不能查看集结号。"))
    context = {
        "call_ups": selectors.call_ups(actor=request.user),
        "may_issue": selectors.organisations(
            actor=request.user, action=Action.MOBILIZATION_MANAGE
        ).exists(),
        "may_edit_members": bool(
            access.scope_paths(request.user, Action.MEMBER_EDIT)
            or mobilization_access.organisation_paths(request.user, Action.MEMBER_EDIT)
        ),
        "claims_pending": selectors.member_claims(actor=request.user).count(),
    }
    return render(request, "mobilization/index.html", context)


@login_required
def call_up_new(request: HttpRequest) -> HttpResponse:
    committees = selectors.organisations(
        actor=request.user, action=Action.MOBILIZATION_MANAGE
    ).filter(depth=1)
    if not committees.exists():
        raise PermissionDenied(_("只有机关工委可以发集结号。"))
    responses = response_list(actor=request.user, active_only=True)
    form = CallUpForm(
        request.POST or None,
        organisations=committees,
        responses=responses,
        communities=Area.objects.filter(kind__in=COMMUNITY_KINDS),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            call_up = services.call_up_issue(
                actor=actor(request),
                response=data["response"],
                organisation=data["organisation"],
                title=data["title"],
                quota=data["quota"],
                deadline=data["deadline"],
                conditions=data["conditions"],
                targets=[services.Target(area, quota) for area, quota in data["targets"]],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("mobilization:call_up", pk=call_up.pk)
    return render(request, "mobilization/call_up_form.html", {"form": form})


def _may_manage(request: HttpRequest, call_up: CallUp) -> bool:
    organisation = call_up.organisation
    return mobilization_access.may_organisation(
        request.user,
        Action.MOBILIZATION_MANAGE,
        path=organisation.path,
        area_path=organisation.area_path,
    )


@login_required
def call_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's funnel: signed up → screened → deployed, by unit and community;
    a unit's admin sees the same for their own members."""
    call_up = selectors.call_up_for(actor=request.user, pk=pk)
    may_manage = _may_manage(request, call_up)
    screening = ScreeningForm(request.POST or None)
    if request.method == "POST":
        call_up = selectors.call_up_for(
            actor=request.user, pk=pk, action=Action.MOBILIZATION_MANAGE
        )
        if "close" in request.POST:
            try:
                services.call_up_close(actor=actor(request), call_up=call_up)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return redirect("mobilization:call_up", pk=pk)
        if screening.is_valid():
            data = screening.cleaned_data
            try:
                result = services.screening_apply(
                    actor=actor(request),
                    call_up=call_up,
                    rules=services.ScreeningRules(
                        min_age=data["min_age"],
                        max_age=data["max_age"],
                        require_health_declaration=data["require_health_declaration"],
                        exclude_unfit=data["exclude_unfit"],
                        kinds=data["kinds"],
                    ),
                )
            except ValidationError as error:
                apply_errors(screening, error)
            else:
                messages.success(
                    request,
                    _("筛选完成:通过 %(approved)s 人,未通过 %(declined)s 人。")
                    % {"approved": result.approved, "declined": result.declined},
                )
                return redirect("mobilization:call_up", pk=pk)
    share = request.build_absolute_uri(reverse("mobilization:join", args=[call_up.token]))
    context = {
        "call_up": call_up,
        "funnel": selectors.funnel(actor=request.user, call_up=call_up),
        "may_manage": may_manage,
        "screening": screening,
        "share_url": share,
        "open_refusal": services.sign_up_open(call_up),
    }
    return render(request, "mobilization/call_up_detail.html", context)


@login_required
def sign_up_list(request: HttpRequest, pk: int) -> HttpResponse:
    call_up = selectors.call_up_for(actor=request.user, pk=pk)
    filters = SignUpFilterForm(request.GET)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    sign_ups = selectors.sign_up_list(actor=request.user, call_up=call_up, status=status)
    context = {
        "call_up": call_up,
        "filters": filters,
        "page": Paginator(sign_ups, 50).get_page(request.GET.get("page")),
        "may_manage": _may_manage(request, call_up),
    }
    return render(request, "mobilization/sign_up_list.html", context)


@require_POST
@login_required
def sign_up_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve, decline, withdraw or end one sign-up (the committee)."""
    sign_up = selectors.sign_up_for(actor=request.user, pk=pk)
    form = DecideForm(request.POST)
    back = reverse("mobilization:sign_ups", args=[sign_up.call_up_id])
    if not form.is_valid():
        messages.error(request, _("请选择通过、不通过或退出。"))
        return redirect(back)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    try:
        if decision == "approve":
            services.sign_up_approve(actor=actor(request), sign_up=sign_up, reason=reason)
        elif decision == "decline":
            services.sign_up_decline(actor=actor(request), sign_up=sign_up, reason=reason)
        elif decision == "end":
            services.sign_up_end(actor=actor(request), sign_up=sign_up)
        else:
            services.sign_up_withdraw(actor=actor(request), sign_up=sign_up, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{back}?{request.GET.urlencode()}" if request.GET else back)


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


def _member_data(data: dict[str, Any], communities: Any, **extra: Any) -> services.MemberData:
    residence = communities.filter(code=data["residence"]).first() if data["residence"] else None
    return services.MemberData(
        name=data["name"],
        kind=data["kind"],
        residence=residence,
        skills=data["skills"],
        fitness=data["fitness"],
        availability=data["availability"],
        **extra,
    )


@sensitive_post_parameters("document_number", "phone", "name")
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The shareable sign-up page: open to anyone with the link, a minute on a phone; a
    signed-in member only confirms this call-up's declaration. The form's answer is the
    same whoever the ID number belongs to, and posting it is throttled per address and
    per link."""
    call_up = selectors.call_up_by_token(token)
    refusal = services.sign_up_open(call_up)
    own = selectors.member_of(request.user)
    if own is not None:
        quick = QuickSignUpForm(request.POST or None, initial={"availability": own.availability})
        if request.method == "POST" and refusal is None and quick.is_valid():
            return _submit_own(request, call_up, quick, own)
        context = {"call_up": call_up, "form": quick, "refusal": refusal, "own": own}
        return render(request, "mobilization/join.html", context)
    units = Organisation.objects.filter(
        path__startswith=call_up.organisation.path, depth__gt=call_up.organisation.depth
    ).order_by("path")
    communities = _communities_under(call_up.response.area_path)
    form = SignUpForm(request.POST or None, organisations=units, communities=communities)
    if (
        request.method == "POST"
        and refusal is None
        and not services.sign_up_attempt(address=client_ip(request), token=token)
    ):
        context = {"call_up": call_up, "form": form, "refusal": services.sign_up_too_often()}
        return render(request, "mobilization/join.html", context, status=429)
    if request.method == "POST" and refusal is None and form.is_valid():
        data = form.cleaned_data
        organisation = (
            units.filter(pk=data["organisation"]).first() if data["organisation"] else None
        )
        member = _member_data(
            data,
            communities,
            document_number=data["document_number"],
            phone=data["phone"],
            organisation=organisation,
        )
        try:
            services.sign_up_receive(
                call_up=call_up,
                data=_sign_up_data(member, data),
                user=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            # The name as typed: the stored one would tell whose ID number it is.
            context = {"call_up": call_up, "name": member.name.strip()}
            return render(request, "mobilization/join_done.html", context)
    context = {"call_up": call_up, "form": form, "refusal": refusal}
    return render(request, "mobilization/join.html", context)


def _sign_up_data(member: services.MemberData, data: dict[str, Any]) -> services.SignUpData:
    return services.SignUpData(
        member=member,
        health_declared=data["health_declared"],
        availability=data["availability"],
        note=data["note"],
    )


def _submit_own(request: HttpRequest, call_up: CallUp, form: Any, own: Any) -> HttpResponse:
    """A signed-in member signs up as themselves (their record is not changed)."""
    member = services.MemberData(name=own.name, kind=own.kind, document_number=None, phone=None)
    try:
        sign_up = services.sign_up_submit(
            call_up=call_up, data=_sign_up_data(member, form.cleaned_data), user=actor(request)
        )
    except ValidationError as error:
        apply_errors(form, error)
        context = {"call_up": call_up, "form": form, "refusal": None, "own": own}
        return render(request, "mobilization/join.html", context)
    return render(request, "mobilization/join_done.html", {"call_up": call_up, "sign_up": sign_up})


@login_required
def community(request: HttpRequest, code: str) -> HttpResponse:
    """The members deployed to a community, and those living there who serve elsewhere
    (双报到); contact data masked as the registry masks it."""
    area = access.area_for(request.user, code, Action.DEPLOYMENT_VIEW)
    deployed = selectors.deployed_to(actor=request.user, community=area)
    context = {
        "area": area,
        "page": Paginator(deployed, 100).get_page(request.GET.get("page")),
        "at_home": selectors.reporting_at_home(actor=request.user, community=area)[:200],
        "teams": selectors.teams_in(actor=request.user, community=area)
        if area.kind in COMMUNITY_KINDS
        else [],
        "may_form_team": area.kind in COMMUNITY_KINDS
        and access.may(request.user, Action.TEAM_MANAGE, area),
    }
    return render(request, "mobilization/community.html", context)


@sensitive_post_parameters("phone", "name")
@login_required
def me(request: HttpRequest) -> HttpResponse:
    """A member's own page: their record (editable), their sign-ups, where they serve."""
    member = selectors.member_of(request.user)
    if member is None:
        raise Http404(_("您的账号还没有关联队员信息:报名任一集结号时会自动关联。"))
    communities = _communities_under(member.residence_path[: 2 * Area.steplen] or "-")
    initial = {
        "version": member.version,
        "name": member.name,
        "kind": member.kind,
        "residence": member.residence.code if member.residence else "",
        "skills": member.skill_list,
        "fitness": member.fitness,
        "availability": member.availability,
    }
    if not communities.exists():
        communities = Area.objects.filter(kind__in=COMMUNITY_KINDS).order_by("path")
    form = MemberForm(request.POST or None, initial=initial, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_update(
                actor=actor(request),
                member=member,
                version=data["version"],
                data=_member_data(
                    data,
                    communities,
                    document_number=None,
                    phone=data["phone"] or None,
                    organisation=member.organisation,
                ),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("mobilization:me")
    context = {
        "member": member,
        "form": form,
        "sign_ups": selectors.my_sign_ups(member=member),
        "deployments": selectors.my_deployments(member=member),
        "notices": selectors.member_notices(member=member),
    }
    return render(request, "mobilization/me.html", context)


@require_POST
@login_required
def my_notices_read(request: HttpRequest) -> HttpResponse:
    member = selectors.member_of(request.user)
    if member is None:
        raise Http404
    services.member_notices_read(member=member)
    return redirect("mobilization:me")


@require_POST
@login_required
def my_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_of(request.user)
    sign_up = member.sign_ups.filter(pk=pk).first() if member is not None else None
    if sign_up is None:
        raise Http404
    try:
        services.sign_up_withdraw(actor=actor(request), sign_up=sign_up, reason=_("本人退出"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("mobilization:me")


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    if not _sees_call_ups(request):
        raise PermissionDenied(_("您的角色不能查看队员名册。"))
    members = selectors.member_list(actor=request.user)
    context = {
        "page": Paginator(members, 50).get_page(request.GET.get("page")),
        "claims": selectors.member_claims(actor=request.user)[:200],
    }
    return render(request, "mobilization/member_list.html", context)


@require_POST
@login_required
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's unit approves or declines a claim on the member's record."""
    claim = selectors.member_claim_for(actor=request.user, pk=pk)
    form = ClaimDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择同意或拒绝。"))
        return redirect("mobilization:members")
    decide = (
        services.member_claim_approve
        if form.cleaned_data["decision"] == "approve"
        else services.member_claim_decline
    )
    try:
        decide(actor=actor(request), claim=claim, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已处理 %(name)s 的认领申请。") % {"name": claim.member.name})
    return redirect("mobilization:members")


@login_required
def member_import(request: HttpRequest) -> HttpResponse:
    """Import a unit's member list from Excel, checked row by row before anything is
    saved (the registry's reader and column finder)."""
    units = selectors.organisations(actor=request.user, action=Action.MEMBER_EDIT)
    if not units.exists():
        raise PermissionDenied(_("您的角色不能导入队员名册。"))
    form = ImportForm(request.POST or None, request.FILES or None, organisations=units)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imports.check_size(upload.size or 0)  # before reading it into memory
            report = imports.member_import(
                actor=actor(request),
                organisation=form.cleaned_data["organisation"],
                data=upload.read(),
            )
        except imports.RefusedFile as refusal:
            form.add_error("file", str(refusal))
        else:
            if not report.problems:
                messages.success(
                    request,
                    _("已导入 %(created)s 人,%(existing)s 人已在册。")
                    % {"created": report.created, "existing": report.existing},
                )
                return redirect("mobilization:members")
    return render(request, "mobilization/member_import.html", {"form": form, "report": report})


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The organisations in the user's scope, as a tree, with leaders, members and the
    communities each covers (包保)."""
    if not _sees_call_ups(request):
        raise PermissionDenied(_("您的角色不能查看组织。"))
    tree = selectors.organisation_tree(actor=request.user)
    return render(request, "mobilization/organisation_list.html", {"organisations": tree})


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


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One organisation: its members, leaders and 包保 pairings; its unit's admin names
    leaders, the committee adds pairings."""
    organisation = selectors.organisation_for(actor=request.user, pk=pk)
    members = selectors.member_list(actor=request.user, organisation=organisation)
    people = [
        (m.pk, f"{m.name} · {m.organisation.name if m.organisation else ''}") for m in members[:500]
    ]
    may_lead = mobilization_access.may_organisation(
        request.user,
        Action.MEMBER_EDIT,
        path=organisation.path,
        area_path=organisation.area_path,
    )
    may_pair = mobilization_access.may_organisation(
        request.user,
        Action.MOBILIZATION_MANAGE,
        path=organisation.path,
        area_path=organisation.area_path,
    )
    communities = _communities_under(organisation.area_path[: Area.steplen])
    leader_form = LeaderForm(request.POST if "lead" in request.POST else None, people=people)
    pairing_form = PairingForm(
        request.POST if "pair" in request.POST else None, communities=communities
    )
    if request.method == "POST":
        try:
            if "lead" in request.POST and leader_form.is_valid():
                chosen = members.filter(pk=leader_form.cleaned_data["member"]).first()
                if chosen is None:
                    raise Http404
                services.organisation_leader_add(
                    actor=actor(request),
                    organisation=organisation,
                    member=chosen,
                    title=leader_form.cleaned_data["title"],
                )
                return redirect("mobilization:organisation", pk=pk)
            if "pair" in request.POST and pairing_form.is_valid():
                data = pairing_form.cleaned_data
                services.pairing_create(
                    actor=actor(request),
                    organisation=organisation,
                    community=communities.get(code=data["community"]),
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
                return redirect("mobilization:organisation", pk=pk)
        except ValidationError as error:
            apply_errors(leader_form if "lead" in request.POST else pairing_form, error)
    context = {
        "organisation": organisation,
        "page": Paginator(members, 50).get_page(request.GET.get("page")),
        "leaders": organisation.leaders.select_related("member"),
        "pairings": organisation.pairings.select_related("community").order_by("-starts_on"),
        "leader_form": leader_form,
        "pairing_form": pairing_form,
        "may_lead": may_lead,
        "may_pair": may_pair,
    }
    return render(request, "mobilization/organisation_detail.html", context)
