"""A committee's call-ups: the list, issuing one, its funnel, closing it, screening its
sign-ups by rules, and deciding one sign-up at a time."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area
from jijie.core.forms import apply_errors
from jijie.core.paging import Pages
from jijie.mobilization import access as mobilization_access
from jijie.mobilization import selectors, services
from jijie.mobilization.forms import CallUpForm, DecideForm, ScreeningForm, SignUpFilterForm
from jijie.mobilization.models import CallUp
from jijie.mobilization.views.base import may_manage, sees_call_ups
from jijie.responses.selectors import response_list


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Call-ups for a committee or a unit's admin; a member goes to their own page; a
    community to the members deployed there."""
    if not sees_call_ups(request):
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


@login_required
def call_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's funnel: signed up → screened → deployed, by unit and community;
    a unit's admin sees the same for their own members. The committee closes the
    call-up or screens its sign-ups here."""
    call_up = selectors.call_up_for(actor=request.user, pk=pk)
    screening = ScreeningForm(request.POST or None)
    if request.method == "POST":
        managed = selectors.call_up_for(
            actor=request.user, pk=pk, action=Action.MOBILIZATION_MANAGE
        )
        if "close" in request.POST:
            return _close(request, managed)
        if screening.is_valid() and _screen(request, managed, screening):
            return redirect("mobilization:call_up", pk=pk)
        call_up = managed
    share = request.build_absolute_uri(reverse("mobilization:join", args=[call_up.token]))
    context = {
        "call_up": call_up,
        "funnel": selectors.funnel(actor=request.user, call_up=call_up),
        "may_manage": may_manage(request, call_up),
        "screening": screening,
        "share_url": share,
        "open_refusal": selectors.sign_up_open(call_up),
    }
    return render(request, "mobilization/call_up_detail.html", context)


def _close(request: HttpRequest, call_up: CallUp) -> HttpResponse:
    try:
        services.call_up_close(actor=actor(request), call_up=call_up)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("mobilization:call_up", pk=call_up.pk)


def _screen(request: HttpRequest, call_up: CallUp, screening: ScreeningForm) -> bool:
    """Apply the form's rules; False (with the errors on the form) when refused."""
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
        return False
    messages.success(
        request,
        _("筛选完成:通过 %(approved)s 人,未通过 %(declined)s 人。")
        % {"approved": result.approved, "declined": result.declined},
    )
    return True


@login_required
def sign_up_list(request: HttpRequest, pk: int) -> HttpResponse:
    call_up = selectors.call_up_for(actor=request.user, pk=pk)
    filters = SignUpFilterForm(request.GET)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    sign_ups = selectors.sign_up_list(actor=request.user, call_up=call_up, status=status)
    context = {
        "call_up": call_up,
        "filters": filters,
        "page": Pages(sign_ups, 50).get_page(request.GET.get("page")),
        "may_manage": may_manage(request, call_up),
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
