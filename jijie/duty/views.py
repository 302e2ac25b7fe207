"""Duty pages: the demands in sight, a community's demand board with its gaps and the
claims to confirm, a demand's shifts (assign, confirm, decline, name the leader, take
attendance, the post's check-in QR code), the printable roster per post and week, the
roster optimiser's proposal, and the member's own shifts on a phone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.selectors import community_list
from jijie.core.forms import apply_errors
from jijie.duty import roster, selectors, services
from jijie.duty.forms import AssignForm, DemandForm, ReasonForm, WindowForm
from jijie.duty.models import Participation, ParticipationStatus, Shift
from jijie.mobilization.models import Member
from jijie.mobilization.selectors import member_of

BOARD_DAYS = 7


def _int(raw: str | None) -> int:
    """A posted id; 0 (found nowhere) when it is not a number."""
    try:
        return int(raw or 0)
    except ValueError:
        return 0


def _first_day(request: HttpRequest) -> date:
    return parse_date(request.GET.get("from", "") or "") or timezone.localdate()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Staff see the demands in their areas; a member goes to their own shifts."""
    if not access.scope_paths(request.user, Action.DUTY_VIEW):
        if member_of(request.user) is not None:
            return redirect("duty:mine")
        raise PermissionDenied(_("您的角色不能查看值守。"))
    context = {
        "demands": selectors.demand_list(request.user)[:200],
        "communities": community_list(request.user, Action.DUTY_VIEW)[:100],
        "may_manage": bool(access.scope_paths(request.user, Action.DUTY_MANAGE)),
    }
    return render(request, "duty/index.html", context)


@login_required
def demand_new(request: HttpRequest) -> HttpResponse:
    communities = community_list(request.user, Action.DUTY_MANAGE)
    if not access.scope_paths(request.user, Action.DUTY_MANAGE):
        raise PermissionDenied(_("您的角色不能发布岗位需求。"))
    form = DemandForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demand = services.demand_create(
                actor=actor(request),
                community=data["community"],
                post_type=data["post_type"],
                place=data["place"],
                schedule=services.Schedule(
                    starts_on=data["starts_on"],
                    days=data["days"],
                    first_shift_at=data["first_shift_at"],
                    shifts_per_day=data["shifts_per_day"],
                    shift_hours=data["shift_hours"],
                    min_per_shift=data["min_per_shift"],
                    max_per_shift=data["max_per_shift"],
                ),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("岗位需求已发布,班次已生成。"))
            return redirect("duty:board", demand.community.code)
    return render(request, "duty/demand_form.html", {"form": form})


@login_required
def board(request: HttpRequest, code: str) -> HttpResponse:
    """The community's demand board: held / short / open by post and day, the gaps,
    the claims waiting for confirmation."""
    area = access.area_for(request.user, code, Action.DUTY_VIEW)
    first = _first_day(request)
    context = {
        "area": area,
        "first": first,
        "days": [first + timedelta(days=n) for n in range(BOARD_DAYS)],
        "previous": first - timedelta(days=BOARD_DAYS),
        "next": first + timedelta(days=BOARD_DAYS),
        "rows": selectors.board(area, first=first, days=BOARD_DAYS),
        "gaps": selectors.gaps(area)[:100],
        "pending": selectors.pending_claims(area)[:100],
        "may_manage": access.may(request.user, Action.DUTY_MANAGE, area),
    }
    return render(request, "duty/board.html", context)


@login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.demand_for(actor=request.user, pk=pk)
    first = _first_day(request)
    if "from" not in request.GET:
        first = max(first, demand.starts_on)
    context = {
        "demand": demand,
        "first": first,
        "previous": first - timedelta(days=3),
        "next": first + timedelta(days=3),
        "shifts": selectors.shift_people(demand, first=first, days=3),
        "may_manage": access.may(request.user, Action.DUTY_MANAGE, demand.community),
    }
    return render(request, "duty/demand_detail.html", context)


@login_required
def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One shift for the community: its members, assign from those the rules let
    through, name the leader, take attendance, print the post's QR code."""
    shift = selectors.shift_for(actor=request.user, pk=pk)
    form = AssignForm(request.POST or None, members=selectors.replacement_list(shift))
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_assign(
                actor=actor(request), shift=shift, member=form.cleaned_data["member"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已指派。"))
            return redirect("duty:shift", shift.pk)
    attend_url = request.build_absolute_uri(reverse("duty:attend", args=[shift.check_in_token]))
    context = {
        "shift": shift,
        "people": list(selectors.holders([shift])),
        "missing": selectors.missing(shift),
        "form": form,
        "decline": ReasonForm(),
        "qr": segno.make_qr(attend_url, error="m").svg_inline(scale=4),
        "attend_url": attend_url,
    }
    return render(request, "duty/shift.html", context)


@require_POST
@login_required
def participation_act(request: HttpRequest, pk: int, act: str) -> HttpResponse:
    """The community (or the shift's leader, for attendance) acts on a participation:
    confirm, decline with a reason, cancel, check in, check out."""
    participation = selectors.participation_for(actor=request.user, pk=pk)
    who = actor(request)
    reason = request.POST.get("reason", "")
    steps = {
        "confirm": lambda: services.participation_confirm(actor=who, participation=participation),
        "decline": lambda: services.participation_decline(
            actor=who, participation=participation, reason=reason
        ),
        "cancel": lambda: services.participation_cancel(
            actor=who, participation=participation, reason=reason or _("社区取消")
        ),
        "in": lambda: services.check_in(actor=who, participation=participation),
        "out": lambda: services.check_out(actor=who, participation=participation),
    }
    if act not in steps:
        raise Http404
    try:
        steps[act]()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已处理。"))
    back = request.POST.get("next", "")
    if back == "attend":
        return redirect("duty:attend", participation.shift.check_in_token)
    if back == "board":
        return redirect("duty:board", participation.shift.demand.community.code)
    return redirect("duty:shift", participation.shift_id)


@require_POST
@login_required
def shift_leader(request: HttpRequest, pk: int) -> HttpResponse:
    shift = selectors.shift_for(actor=request.user, pk=pk)
    member_id = _int(request.POST.get("member"))
    if not member_id:
        raise Http404
    try:
        services.shift_leader_set(actor=actor(request), shift=shift, member_id=member_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("duty:shift", shift.pk)


@login_required
def roster_print(request: HttpRequest, pk: int) -> HttpResponse:
    """排班表: one post, one week, to print and put up at the post."""
    demand = selectors.demand_for(actor=request.user, pk=pk)
    first = _first_day(request) if "from" in request.GET else demand.starts_on
    week = selectors.roster_week(demand, first=first)
    context = {
        "week": week,
        "previous": first - timedelta(days=7),
        "next": first + timedelta(days=7),
        "printed_at": timezone.localtime(),
    }
    return render(request, "duty/roster.html", context)


@login_required
def propose(request: HttpRequest, code: str) -> HttpResponse:
    """The roster optimiser over a community or a street: the proposal is shown with
    every line ticked; the community accepts all, part or none."""
    area = access.area_for(request.user, code, Action.DUTY_MANAGE)
    form = WindowForm(request.GET or None, initial={"starts_on": timezone.localdate()})
    proposal = None
    if request.method == "POST":
        ticked = []
        for value in request.POST.getlist("line"):
            shift_pk, _sep, member_pk = value.partition(":")
            ticked.append((_int(shift_pk), _int(member_pk)))
        lines = roster.ticked_lines(area, ticked)
        assigned, refused = roster.roster_accept(actor=actor(request), lines=lines)
        messages.success(request, _("已指派 %(n)s 人次。") % {"n": len(assigned)})
        for shift, member, why in refused:
            messages.error(
                request,
                f"{member.name} · {timezone.localtime(shift.starts_at):%m-%d %H:%M}:{why}",
            )
        return redirect("duty:board", area.code)
    if form.is_bound and form.is_valid():
        start = timezone.make_aware(datetime.combine(form.cleaned_data["starts_on"], time.min))
        proposal = roster.roster_propose(
            actor=actor(request),
            area=area,
            starts_at=start,
            ends_at=start + timedelta(days=form.cleaned_data["days"]),
        )
    return render(request, "duty/propose.html", {"area": area, "form": form, "proposal": proposal})


# The member's side ------------------------------------------------------------------


def _own_member(request: HttpRequest) -> Member:
    member = member_of(request.user)
    if member is None:
        raise Http404(_("您的账号还没有关联队员信息:报名任一集结号时会自动关联。"))
    return member


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的班次, on a phone: my shifts, the shifts I may claim, notices, my hours."""
    member = _own_member(request)
    context = {
        "member": member,
        "upcoming": selectors.upcoming_shifts(member),
        "open": selectors.open_shifts_for(member),
        "notices": selectors.unread_notices(member),
        "record": selectors.service_record(member),
    }
    return render(request, "duty/mine.html", context)


@require_POST
@login_required
def notices_read(request: HttpRequest) -> HttpResponse:
    """知道了: the notices the member's page showed are read."""
    member = _own_member(request)
    ids = [int(v) for v in request.POST.getlist("notice") if v.isdigit() and len(v) < 19]
    services.notices_read(member=member, ids=ids)
    return redirect("duty:mine")


@require_POST
@login_required
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(Shift, pk=pk)
    try:
        services.shift_claim(actor=actor(request), shift=shift)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已报到,等待社区确认。"))
    return redirect("duty:mine")


@require_POST
@login_required
def my_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    member = _own_member(request)
    participation = get_object_or_404(Participation, pk=pk, member=member)
    try:
        services.participation_cancel(
            actor=actor(request),
            participation=participation,
            reason=request.POST.get("reason", "") or _("本人取消"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已取消,空出的位置已通知可补位的队员。"))
    return redirect("duty:mine")


@login_required
def attend(request: HttpRequest, token: str) -> HttpResponse:
    """The page the post's QR code opens: the member checks in or out of their shift."""
    shift = get_object_or_404(
        Shift.objects.select_related("demand__post_type"), check_in_token=token
    )
    member = _own_member(request)
    participation = shift.participations.filter(
        member=member, status=ParticipationStatus.CONFIRMED
    ).first()
    if request.method == "POST" and participation is not None:
        step = services.check_out if request.POST.get("act") == "out" else services.check_in
        try:
            step(actor=actor(request), participation=participation, token=token)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已记录。"))
        return redirect("duty:attend", token)
    # The shift's leader takes the others' attendance from the same page.
    is_leader = shift.leader_id is not None and shift.leader_id == member.pk
    context = {
        "shift": shift,
        "participation": participation,
        "crew": [p for p in selectors.holders([shift]) if p.member_id != member.pk]
        if is_leader
        else [],
    }
    return render(request, "duty/attend.html", context)
