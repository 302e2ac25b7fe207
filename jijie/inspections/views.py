"""Inspection pages: the index (an inspector's visits to make, an office's teams and
plans, the visits recorded and the orders under the user's areas), a team and a plan
made, a checklist edited, a plan's draw with its audit, the inspector's phone checklist
and what it recorded, the rectification tracker with an order's fix and recheck, the
photos, and the scores per area over a period."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.accounts.models import RoleAssignment, User
from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.areas.roles import Role
from jijie.core import periods, uploads
from jijie.core.forms import apply_errors
from jijie.core.paging import Pages
from jijie.inspections import draws, selectors, services
from jijie.inspections.forms import (
    ChecklistForm,
    FixForm,
    PlanForm,
    RecheckForm,
    TeamForm,
    VisitForm,
)
from jijie.inspections.models import ChecklistItem, Order, OrderState, Photo, TargetKind, Team
from jijie.responses.selectors import in_force_over

PER_PAGE = 50
SCORE_DAYS = 30


def _photos(request: HttpRequest, name: str) -> list[uploads.Upload]:
    found = uploads.from_request(request.FILES, name, label=_("照片"))
    return [found] if found is not None else []


def _seeing(request: HttpRequest) -> None:
    if not (
        access.scope_paths(request.user, Action.INSPECTION_VIEW)
        or selectors.teams_for(request.user).exists()
    ):
        raise PermissionDenied(_("您的角色不能查看督查。"))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _seeing(request)
    user = request.user
    context = {
        "visits": list(selectors.my_visits(user)[:100]),
        # Each team's members are shown: read with the teams, not one query a team.
        "teams": list(selectors.teams_for(user).prefetch_related("members")),
        "plans": list(selectors.plans_for(user)[:20]),
        "recorded": list(selectors.recorded(user).order_by("-recorded_at", "-pk")[:20]),
        "orders": list(selectors.orders_for(user).exclude(state=OrderState.CLOSED)[:50]),
        "manages": bool(access.scope_paths(user, Action.INSPECTION_MANAGE)),
        "kinds": TargetKind.choices,
        "now": timezone.now(),
        "today": timezone.localdate(),
    }
    return render(request, "inspections/index.html", context)


def _managed_area(request: HttpRequest) -> Area:
    roots = access.scope_roots(request.user, Action.INSPECTION_MANAGE)
    if not roots:
        raise PermissionDenied(_("您的角色不能设立督查组。"))
    return roots[0]


def _inspectors(area: Area) -> list[int]:
    return list(
        RoleAssignment.objects.filter(
            role=Role.INSPECTOR, area__path__startswith=area.path
        ).values_list("user_id", flat=True)
    )


@login_required
def team_new(request: HttpRequest) -> HttpResponse:
    area = _managed_area(request)
    inspectors = User.objects.filter(pk__in=_inspectors(area), is_active=True).order_by("username")
    form = TeamForm(request.POST or None, inspectors=inspectors)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = in_force_over([area.path]).first()
        try:
            codes = data["covers"].replace(",", " ").replace(",", " ").split()
            covers = [access.area_for(request.user, c, Action.INSPECTION_MANAGE) for c in codes]
        except (BadRequest, Http404, PermissionDenied) as error:
            form.add_error("covers", str(error) or _("您不能督查该区域。"))
        else:
            try:
                if response is None:
                    raise ValidationError(_("这个区域没有正在进行的应急响应。"))
                team = services.team_create(
                    actor=actor(request),
                    response=response,
                    area=area,
                    name=data["name"],
                    members=list(data["members"]),
                    covers=covers,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已设立%(name)s。") % {"name": team.name})
                return redirect("inspections:index")
    return render(request, "inspections/form.html", {"form": form, "title": _("设立督查组")})


@login_required
def checklist(request: HttpRequest, kind: str) -> HttpResponse:
    area = _managed_area(request)
    if kind not in TargetKind.values:
        raise Http404
    response = in_force_over([area.path]).first()
    if response is None:
        raise Http404(_("这个区域没有正在进行的应急响应。"))
    items = ChecklistItem.objects.filter(response=response, kind=kind, is_active=True)
    form = ChecklistForm(request.POST or None, initial={"lines": "\n".join(i.text for i in items)})
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_set(
                actor=actor(request),
                response=response,
                kind=kind,
                lines=form.cleaned_data["lines"].splitlines(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("检查表已保存。"))
            return redirect("inspections:index")
    title = _("%(kind)s检查表") % {"kind": TargetKind(kind).label}
    return render(request, "inspections/form.html", {"form": form, "title": title})


def _team(request: HttpRequest, pk: int) -> Team:
    team = selectors.teams_for(request.user).filter(pk=pk).first()
    if team is None:
        raise Http404
    return team


@login_required
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    services.require_team_office(actor(request), team)
    today = timezone.localdate()
    initial = {
        "starts_on": today + timedelta(days=1),
        "ends_on": today + timedelta(days=7),
        "kinds": [TargetKind.GATE, TargetKind.POST],
        "size": 10,
    }
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=actor(request),
                team=team,
                data=services.PlanData(
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    kinds=list(data["kinds"]),
                    size=data["size"],
                ),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已随机抽取 %(n)s 个点位。") % {"n": plan.size})
            return redirect("inspections:plan", plan.pk)
    title = _("%(team)s的督查计划") % {"team": team.name}
    return render(request, "inspections/form.html", {"form": form, "title": title})


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.plans_for(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    visits = list(found.visits.all())
    context = {
        "plan": found,
        "visits": visits,
        "is_reproduced": draws.verify(
            found.candidates,
            found.drawn_before,
            found.seed,
            [v.key for v in sorted(visits, key=lambda v: v.position)],
        ),
        "today": timezone.localdate(),
    }
    return render(request, "inspections/plan.html", context)


def _visit(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    found = selectors.visit_in_sight(request.user, pk)
    if found is None:
        raise Http404
    return found


@login_required
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    """A recorded visit, or for its team the checklist to record it on a phone."""
    found = _visit(request, pk)
    if found.recorded_at is not None:
        context = {
            "visit": found,
            "findings": found.findings.prefetch_related("photos").select_related(
                "order", "member", "item"
            ),
            "items": {
                str(i.pk): i
                for i in ChecklistItem.objects.filter(pk__in=[int(k) for k in found.answers])
            },
        }
        return render(request, "inspections/visit.html", context)
    services.require_inspector(actor(request), found)
    items = list(
        ChecklistItem.objects.filter(
            response_id=found.plan.team.response_id, kind=found.kind, is_active=True
        )
    )
    form = VisitForm(
        request.POST or None,
        request.FILES or None,
        items=items,
        members=selectors.members_serving(found.community_path),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            findings = [
                services.FindingData(
                    kind=data[f"finding-{n}-kind"],
                    severity=data[f"finding-{n}-severity"],
                    text=data[f"finding-{n}-text"],
                    member=data[f"finding-{n}-member"],
                    photos=_photos(request, f"finding-{n}-photo"),
                )
                for n in range(1, VisitForm.FINDINGS + 1)
                if data[f"finding-{n}-kind"] or data[f"finding-{n}-text"]
            ]
            services.visit_record(
                actor=actor(request),
                visit=found,
                answers={str(i.pk): data[f"item-{i.pk}"] for i in items},
                note=data["note"],
                findings=findings,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("检查已记录。"))
            return redirect("inspections:visit", found.pk)
    return render(request, "inspections/record.html", {"visit": found, "form": form})


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    """The rectification tracker: open, reported and overdue first, closed last."""
    _seeing(request)
    state = request.GET.get("state", "")
    if state and state not in OrderState.values:
        raise BadRequest(_("没有这个状态。"))
    rows = selectors.orders_for(request.user)
    if state:
        rows = rows.filter(state=state)
    page = Pages(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "states": OrderState.choices, "now": timezone.now()}
    return render(request, "inspections/orders.html", context)


def _order(request: HttpRequest, pk: int) -> Order:
    found = selectors.order_in_sight(request.user, pk)
    if found is None:
        raise Http404
    return found


def _order_page(request: HttpRequest, order: Order, **forms: object) -> HttpResponse:
    user = actor(request)
    owns = order.owner_path in access.scope_paths(user, Action.INSPECTION_RECTIFY)
    try:
        services.require_rechecker(user, order)
        rechecks = True
    except PermissionDenied:
        rechecks = False
    context = {
        "order": order,
        "finding": order.finding,
        "photos": order.photos.all(),
        "finding_photos": order.finding.photos.all(),
        "history": order.rechecks.select_related("inspector"),
        "now": timezone.now(),
        "may_fix": owns and order.state == OrderState.OPEN,
        "may_recheck": rechecks and order.state == OrderState.REPORTED,
        "fix_form": forms.get("fix_form") or FixForm(),
        "recheck_form": forms.get("recheck_form") or RecheckForm(),
    }
    return render(request, "inspections/order.html", context)


@login_required
def order(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_page(request, _order(request, pk))


@login_required
@require_POST
def order_fix(request: HttpRequest, pk: int) -> HttpResponse:
    found = _order(request, pk)
    services.require_owner(actor(request), found)
    form = FixForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.order_fix(
                actor=actor(request),
                order=found,
                fix=form.cleaned_data["fix"],
                photos=_photos(request, "photo"),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已报告整改情况,等待复查。"))
            return redirect("inspections:order", found.pk)
    return _order_page(request, found, fix_form=form)


@login_required
@require_POST
def order_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    found = _order(request, pk)
    services.require_rechecker(actor(request), found)
    form = RecheckForm(request.POST)
    if form.is_valid():
        try:
            done = services.order_recheck(
                actor=actor(request),
                order=found,
                is_fixed=form.cleaned_data["is_fixed"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            said = (
                _("复查通过,已销号。")
                if done.state == OrderState.CLOSED
                else _("未整改到位,已上报%(owner)s。") % {"owner": done.owner.name}
            )
            messages.success(request, said)
            return redirect("inspections:order", found.pk)
    return _order_page(request, found, recheck_form=form)


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    found = Photo.objects.filter(pk=pk).select_related("finding__visit", "order").first()
    if found is None:
        raise Http404
    if found.finding is not None:
        if selectors.visit_in_sight(request.user, found.finding.visit_id) is None:
            raise Http404
    elif found.order is None or selectors.order_in_sight(request.user, found.order.pk) is None:
        raise Http404
    return uploads.inline(found.content, found.content_type, f"inspection-{found.pk}")


@login_required
def scores(request: HttpRequest) -> HttpResponse:
    roots = access.scope_roots(request.user, Action.INSPECTION_VIEW)
    if not roots:
        raise PermissionDenied(_("您的角色不能查看督查。"))
    code = request.GET.get("area", "")
    area = access.area_for(request.user, code, Action.INSPECTION_VIEW) if code else roots[0]
    start, end = periods.period(request.GET, end=timezone.localdate(), days=SCORE_DAYS)
    first, last = periods.bounds(start, end)
    rows = selectors.scores(area, start=first, end=last, now=timezone.now())
    parent = None if area in roots else Area.objects.filter(path=area.path[: -Area.steplen]).first()
    context = {"area": area, "rows": rows, "start": start, "end": end, "parent": parent}
    return render(request, "inspections/scores.html", context)
