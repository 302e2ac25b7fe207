"""Recognition pages: the units the user keeps; a unit's members' records over a period
(sortable), approving the period; an approved period's list with its spreadsheet and
each member's certificate of service; a member's own record; proposing a member as a
party-activist candidate."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas.access import Action
from jijie.core import periods
from jijie.mobilization import selectors as mobilization
from jijie.mobilization.models import Member, Organisation
from jijie.recognition import documents, exports, records, services
from jijie.recognition.models import Approval, ApprovedRecord, Certificate, Nomination

SORTS = {
    "hours": lambda r: (-r[1].minutes, r[0].name),
    "commendations": lambda r: (-r[1].commendations, -r[1].minutes, r[0].name),
    "name": lambda r: (r[0].name,),
}


def _units(request: HttpRequest) -> QuerySet[Organisation]:
    return mobilization.organisations(actor=request.user, action=Action.MEMBER_EDIT)


def _unit(request: HttpRequest, pk: int) -> Organisation:
    found = _units(request).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
def index(request: HttpRequest) -> HttpResponse:
    units = list(_units(request)[:200])
    me = Member.objects.filter(user=request.user.pk).first()
    if not units and me is None:
        raise PermissionDenied(_("您的角色不能查看服务记录。"))
    return render(request, "recognition/index.html", {"units": units, "me": me})


def _period(request: HttpRequest) -> tuple[date, date]:
    """By default the current month up to yesterday."""
    yesterday = timezone.localdate() - timedelta(days=1)
    end = periods.day(request.GET, "end") or yesterday
    start = periods.day(request.GET, "start") or end.replace(day=1)
    if start > end:
        raise BadRequest(_("开始日期不能晚于结束日期。"))
    return start, end


def _sort(request: HttpRequest) -> str:
    sort = request.GET.get("sort", "hours")
    if sort not in SORTS:
        raise BadRequest(_("没有这种排序。"))
    return sort


@login_required
def unit(request: HttpRequest, pk: int) -> HttpResponse:
    found = _unit(request, pk)
    start, end = _period(request)
    sort = _sort(request)
    members = services.unit_members(found)
    figures = records.records((m.pk for m in members), start, end)
    rows = sorted(((m, figures[m.pk]) for m in members), key=SORTS[sort])
    context = {
        "unit": found,
        "rows": rows,
        "start": start,
        "end": end,
        "sort": sort,
        "approvals": Approval.objects.filter(organisation=found).order_by("-ends_on")[:20],
        "is_approved": Approval.objects.filter(organisation=found, starts_on=start,
                                               ends_on=end).first(),
        "may_approve": end < timezone.localdate(),
        "nominations": Nomination.objects.filter(member__organisation=found)
        .select_related("member", "proposed_by").order_by("-proposed_at")[:50],
    }  # fmt: skip
    return render(request, "recognition/unit.html", context)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    found = _unit(request, pk)
    start, end = periods.day(request.POST, "start"), periods.day(request.POST, "end")
    if start is None or end is None:
        raise BadRequest(_("日期格式应为 2026-12-01。"))
    try:
        approval = services.approve(actor=actor(request), organisation=found, start=start, end=end)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('recognition:unit', args=[pk])}?start={start}&end={end}")
    messages.success(
        request, _("已审核 %(n)s 名人员的服务记录。") % {"n": approval.records.count()}
    )
    return redirect("recognition:approval", approval.pk)


def _approval(request: HttpRequest, pk: int) -> Approval:
    found = Approval.objects.filter(pk=pk, organisation__in=_units(request)).first()
    if found is None:
        raise Http404
    return found


def _approved_rows(approval: Approval, sort: str) -> list[ApprovedRecord]:
    rows = list(approval.records.select_related("member", "certificate"))
    key = {
        "hours": lambda r: (-r.minutes, r.member.name),
        "commendations": lambda r: (-r.commendations, -r.minutes, r.member.name),
        "name": lambda r: (r.member.name,),
    }[sort]
    return sorted(rows, key=key)


@login_required
def approval(request: HttpRequest, pk: int) -> HttpResponse:
    found = _approval(request, pk)
    sort = _sort(request)
    context = {"approval": found, "rows": _approved_rows(found, sort), "sort": sort}
    return render(request, "recognition/approval.html", context)


@login_required
def approval_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    found = _approval(request, pk)
    data = exports.list_xlsx(found, _approved_rows(found, _sort(request)))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="service-{found.pk}.xlsx"'
    return response


@login_required
@require_POST
def certificate_issue(request: HttpRequest, pk: int) -> HttpResponse:
    record = (
        ApprovedRecord.objects.filter(pk=pk, approval__organisation__in=_units(request))
        .select_related("approval__organisation")
        .first()
    )
    if record is None:
        raise Http404
    try:
        certificate = services.certificate_issue(actor=actor(request), record=record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("recognition:approval", record.approval_id)
    return redirect("recognition:certificate", certificate.pk)


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """A certificate, to its member and to those who keep their unit."""
    found = (
        Certificate.objects.filter(pk=pk)
        .select_related("record__member", "record__approval__organisation")
        .first()
    )
    if found is None:
        raise Http404
    member = found.record.member
    is_own = member.user_id is not None and member.user_id == request.user.pk
    if not is_own and not _units(request).filter(pk=found.record.approval.organisation_id).exists():
        raise Http404
    response = HttpResponse(documents.certificate_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{found.number}.pdf"'
    return response


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The member's own record: the last thirty days as it stands, and what was approved."""
    member = Member.objects.filter(user=request.user.pk).first()
    if member is None:
        raise Http404
    today = timezone.localdate()
    recent = records.records([member.pk], today - timedelta(days=29), today)[member.pk]
    approved = (
        ApprovedRecord.objects.filter(member=member)
        .select_related("approval__organisation", "certificate")
        .order_by("-approval__ends_on")
    )
    context = {"member": member, "recent": recent, "approved": approved}
    return render(request, "recognition/mine.html", context)


@login_required
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    member = Member.objects.filter(pk=pk, organisation__in=_units(request)).first()
    if member is None:
        raise Http404
    services.require_proposer(actor(request), member)
    error_text = ""
    if request.method == "POST":
        try:
            services.nominate(actor=actor(request), member=member,
                              reason=request.POST.get("reason", ""))  # fmt: skip
        except ValidationError as error:
            error_text = " ".join(error.messages)
        else:
            messages.success(
                request, _("已推荐 %(name)s 为入党积极分子人选。") % {"name": member.name}
            )
            return redirect("recognition:unit", member.organisation_id)
    today = timezone.localdate()
    record = records.records([member.pk], today - timedelta(days=364), today)[member.pk]
    context = {"member": member, "record": record, "error": error_text,
               "reason": request.POST.get("reason", "")}  # fmt: skip
    return render(request, "recognition/nominate.html", context)
