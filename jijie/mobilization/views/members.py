"""Members: a member's own page (their record, sign-ups, notices), the member list of
a unit or committee with the claims waiting for it, and importing a unit's list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area
from jijie.core.forms import apply_errors
from jijie.core.paging import Pages
from jijie.mobilization import imports, selectors, services
from jijie.mobilization.forms import ClaimDecisionForm, ImportForm, MemberForm
from jijie.mobilization.models import Member
from jijie.mobilization.views.base import communities_under, member_data, sees_call_ups


@sensitive_post_parameters("phone", "name")
@login_required
def me(request: HttpRequest) -> HttpResponse:
    """A member's own page: their record (editable), their sign-ups, where they serve."""
    member = selectors.member_of(request.user)
    if member is None:
        raise Http404(_("您的账号还没有关联队员信息:报名任一集结号时会自动关联。"))
    communities = communities_under(member.residence_path[: 2 * Area.steplen] or "-")
    if not communities.exists():
        communities = Area.objects.filter(kind__in=COMMUNITY_KINDS).order_by("path")
    form = MemberForm(request.POST or None, initial=_initial(member), communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_update(
                actor=actor(request),
                member=member,
                version=data["version"],
                data=member_data(
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


def _initial(member: Member) -> dict[str, object]:
    """The member's record as their form shows it (never the ID number or phone)."""
    return {
        "version": member.version,
        "name": member.name,
        "kind": member.kind,
        "residence": member.residence.code if member.residence else "",
        "skills": member.skill_list,
        "fitness": member.fitness,
        "availability": member.availability,
    }


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
    if not sees_call_ups(request):
        raise PermissionDenied(_("您的角色不能查看队员名册。"))
    members = selectors.member_list(actor=request.user)
    context = {
        "page": Pages(members, 50).get_page(request.GET.get("page")),
        "claims": selectors.member_claims(actor=request.user)[:200],
    }
    return render(request, "mobilization/member_list.html", context)


@require_POST
@login_required
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's unit approves or declines a claim on the member's record (resolved
    here with the check that the user may edit the member)."""
    claim = selectors.member_claim_for(actor=request.user, pk=pk)
    form = ClaimDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择同意或拒绝。"))
        return redirect("mobilization:members")
    decide = (
        services.do_member_claim_approve
        if form.cleaned_data["decision"] == "approve"
        else services.do_member_claim_decline
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
