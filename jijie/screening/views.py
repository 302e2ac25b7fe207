"""Screening pages: campaigns, coverage at any level with the drill-down to the doors not
yet reached, the doors of a building, the visit form (made for a phone), the ledger."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area, AreaKind
from jijie.areas.selectors import LEVEL_LABELS
from jijie.core.floorplan import Cell
from jijie.core.forms import apply_errors
from jijie.core.paging import Pages
from jijie.core.views import offline_page
from jijie.residents import keygroups
from jijie.residents import selectors as registry
from jijie.residents.doors import floor_plan
from jijie.residents.models import KeyGroup
from jijie.residents.services import PersonData
from jijie.responses.selectors import response_list
from jijie.screening import exports, phone, selectors, services
from jijie.screening.forms import (
    CampaignEditForm,
    CampaignForm,
    DoorVisitForm,
    LedgerForm,
    VisitForm,
    question_rows,
    questions_of,
)
from jijie.screening.models import Campaign, CampaignMode, Mode, default_questions


def _require_screening(request: HttpRequest) -> None:
    if not access.scope_paths(request.user, Action.SCREENING_VIEW):
        raise PermissionDenied(_("您的角色不能查看排查。"))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_screening(request)
    context = {
        "campaigns": selectors.campaign_list(actor=request.user)[:100],
        "may_manage": bool(access.scope_paths(request.user, Action.SCREENING_MANAGE)),
    }
    return render(request, "screening/index.html", context)


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    if not access.scope_paths(request.user, Action.SCREENING_MANAGE):
        raise PermissionDenied(_("您的角色不能开展排查行动。"))
    roots = access.scope_roots(request.user, Action.SCREENING_MANAGE)
    today = timezone.localdate()
    form = CampaignForm(
        request.POST or None,
        responses=response_list(actor=request.user, active_only=True),
        initial={
            "area_codes": roots[0].code,
            "starts_on": today,
            "ends_on": today,
            "mode": CampaignMode.BOTH,
        },
    )
    rows = question_rows(default_questions(), request.POST or None)
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        data = form.cleaned_data
        try:
            codes = data["area_codes"].replace(",", " ").replace(",", " ").split()
            areas = [access.area_for(request.user, c, Action.SCREENING_MANAGE) for c in codes]
        except (BadRequest, Http404, PermissionDenied) as error:
            form.add_error("area_codes", str(error) or _("您不能在该区域开展排查。"))
        else:
            try:
                campaign = services.campaign_create(
                    actor=actor(request),
                    response=data["response"],
                    name=data["name"],
                    areas=areas,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    mode=data["mode"],
                    questions=questions_of(rows),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect("screening:coverage", pk=campaign.pk)
    return render(request, "screening/campaign_form.html", {"form": form, "rows": rows})


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_screening(request)
    campaign = selectors.campaign_for(actor=request.user, pk=pk)
    areas = services.campaign_areas(campaign)
    for area in areas:
        access.require(request.user, Action.SCREENING_MANAGE, area)
    form = CampaignEditForm(
        request.POST or None,
        initial={
            "ends_on": campaign.ends_on,
            "mode": campaign.mode,
        },
    )
    rows = question_rows(campaign.questions, request.POST or None)
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        data = form.cleaned_data
        try:
            services.campaign_update(
                actor=actor(request),
                campaign=campaign,
                ends_on=data["ends_on"],
                mode=data["mode"],
                questions=questions_of(rows),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("screening:coverage", pk=campaign.pk)
    context = {"form": form, "rows": rows, "campaign": campaign}
    return render(request, "screening/campaign_form.html", context)


def _area(request: HttpRequest, campaign: Campaign) -> Area:
    return selectors.campaign_area(
        actor=request.user, campaign=campaign, code=request.GET.get("area", "")
    )


CITY_DEFAULT_DEPTH = 4
# Below this depth (communities, grids, buildings) the page lists the doors themselves.
LIST_FROM_DEPTH = 4


@login_required
def coverage(request: HttpRequest, pk: int) -> HttpResponse:
    _require_screening(request)
    campaign = selectors.campaign_for(actor=request.user, pk=pk)
    area = _area(request, campaign)
    try:
        depth = int(request.GET.get("depth", "")) if request.GET.get("depth") else None
    except ValueError:
        raise BadRequest(_("层级应为数字。")) from None
    if depth is None and area.depth == 1:
        depth = CITY_DEFAULT_DEPTH  # a city looks at its communities at a glance
    deepest = selectors.deepest_level(area)
    if depth is not None:
        depth = min(depth, deepest)
    result = selectors.coverage(campaign=campaign, area=area, depth=depth)
    context = {
        "campaign": campaign,
        "area": area,
        "coverage": result,
        "levels": [(d, LEVEL_LABELS[d]) for d in range(area.depth + 1, deepest + 1)],
        "depth": depth or area.depth + 1,
        "days": selectors.daily(campaign=campaign, area=area)[:14],
        "health": access.may(request.user, Action.HEALTH_VIEW, area),
        "may_visit": access.may(request.user, Action.SCREENING_VISIT, area),
        "may_manage": access.may(request.user, Action.SCREENING_MANAGE, area),
        "ancestors": [
            a
            for a in Area.objects.get_ancestors(area)
            if access.may(request.user, Action.SCREENING_VIEW, a)
        ],
    }
    if area.depth >= LIST_FROM_DEPTH:
        missing = selectors.households_not_reached(campaign=campaign, area=area)
        context["not_reached"] = Pages(missing, 50).get_page(request.GET.get("page"))
        context["revisits"] = selectors.revisits_due(campaign=campaign, area=area)[:50]
        context["now"] = timezone.now()
    return render(request, "screening/coverage.html", context)


@offline_page
@login_required
def today(request: HttpRequest, pk: int) -> HttpResponse:
    """The worker's day before going out: the buildings with doors not yet reached or
    revisits due today, each leading to its floor plan. Kept on the phone with every
    building's floor plan (fetched while there is a signal), so a basement with none
    still has the day's list and its doors: names of buildings and counts, no one's
    name."""
    _require_screening(request)
    if not access.scope_paths(request.user, Action.SCREENING_VISIT):
        raise PermissionDenied(_("您的角色不能走访排查。"))
    campaign = selectors.campaign_for(actor=request.user, pk=pk)
    now = timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    until = datetime.combine(tomorrow, time.min, tzinfo=timezone.get_current_timezone())
    stops = selectors.work_list(actor=request.user, campaign=campaign, until=until)
    context = {
        "campaign": campaign,
        "stops": stops,
        "now": now,
        "totals": {
            "not_reached": sum(s.not_reached for s in stops),
            "revisits_due": sum(s.revisits_due for s in stops),
        },
    }
    return render(request, "screening/today.html", context)


@offline_page
@login_required
def doors(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """A building's doors for the worker, drawn as its floor plan coloured by state, the
    next door to knock at, and a door's visit recorded here with or without a signal
    (the phone's outbox). Kept on the phone for a basement: door numbers and their
    states, no one's name."""
    _require_screening(request)
    campaign = selectors.campaign_for(actor=request.user, pk=pk)
    building = access.area_for(request.user, code, Action.SCREENING_VISIT)
    if building.kind != AreaKind.BUILDING or not selectors.in_view(
        request.user, campaign, building
    ):
        raise Http404
    doors = selectors.doors(campaign=campaign, building=building)
    cells = [
        Cell(
            door=d.household.door_number,
            state=d.state,
            url=reverse("screening:visit", args=[campaign.pk, d.household.pk]),
            note=_door_note(d),
        )
        for d in doors
    ]
    context = {
        "campaign": campaign,
        "building": building,
        "plan": floor_plan(cells, door=lambda c: c.door),
        # the next door to knock at: the first not yet visited, else the revisit due first
        "next_door": doors[0] if doors and doors[0].state != "done" else None,
        "counts": {state: sum(d.state == state for d in doors) for state in selectors.DOOR_STATES},
        "now": timezone.now(),
        "form": DoorVisitForm(
            doors=[(str(d.household.pk), d.household.door_number) for d in doors],
            questions=campaign.questions,
            modes=phone.modes(campaign),
            initial={"household": str(doors[0].household.pk) if doors else ""},
            auto_id="door_%s",
        ),
    }
    return render(request, "screening/doors.html", context)


def _door_note(door: selectors.Door) -> str:
    if door.state == "todo":
        return _("未走访")
    if door.state == "revisit" and door.revisit is not None:
        due = timezone.localtime(door.revisit.due_at).strftime("%m-%d %H:%M")
        return _("待回访 %(due)s") % {"due": due}
    return _("已完成")


@sensitive_post_parameters("new_name", "new_phone")
@login_required
def visit(request: HttpRequest, pk: int, household: int) -> HttpResponse:
    _require_screening(request)
    campaign = selectors.campaign_for(actor=request.user, pk=pk)
    home = registry.household_for(actor=request.user, pk=household)
    access.require_path(request.user, Action.SCREENING_VISIT, home.area_path)
    if not selectors.in_view(request.user, campaign, home.building):
        raise Http404
    people = list(registry.people_of(home))
    groups = keygroups.groups_for(people[0]) if people else None
    modes = [(m, str(label)) for m, label in Mode.choices if campaign.allows(m)]
    form = VisitForm(
        request.POST or None,
        questions=campaign.questions,
        people=people,
        groups=groups if groups is not None else _no_groups(),
        modes=modes,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_people = []
        if data["new_name"]:
            new_people.append(
                PersonData(
                    name=data["new_name"],
                    relation=data["new_relation"] or "other",
                    phone=data["new_phone"],
                )
            )
        flags = []
        if data["flag_person"] and data["flag_group"] is not None:
            flags.append((int(data["flag_person"]), data["flag_group"].pk))
        try:
            services.visit_record(
                actor=actor(request),
                campaign=campaign,
                household=home,
                data=services.VisitData(
                    mode=data["mode"],
                    outcome=data["outcome"],
                    answers=form.answers() if data["outcome"] == "done" else {},
                    temperatures=form.temperatures(),
                    new_people=new_people,
                    flags=flags,
                    note=data["note"],
                ),
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(
                request,
                _("已记录 %(building)s %(door)s。")
                % {"building": home.building.name, "door": home.door_number},
            )
            return redirect("screening:doors", pk=campaign.pk, code=home.building.code)
    context = {
        "campaign": campaign,
        "phone_calls": campaign.allows(Mode.PHONE),
        "may_reveal": access.may(request.user, Action.PII_REVEAL, home.building),
        "household": home,
        "people": people,
        "form": form,
        "visits": selectors.household_visits(campaign=campaign, household=home)[:20],
        "health": access.may(request.user, Action.HEALTH_VIEW, home.building),
    }
    return render(request, "screening/visit.html", context)


def _no_groups() -> QuerySet[KeyGroup]:
    return KeyGroup.objects.none()


def _show_errors(form: VisitForm, error: ValidationError) -> None:
    """A service error names a question by its key; the form names it `q_<key>`."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = name if name in form.fields else f"q_{name}"
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def revisits(request: HttpRequest, pk: int) -> HttpResponse:
    _require_screening(request)
    campaign = selectors.campaign_for(actor=request.user, pk=pk)
    area = _area(request, campaign)
    due = selectors.revisits_due(campaign=campaign, area=area)
    context = {
        "campaign": campaign,
        "area": area,
        "page": Pages(due, 50).get_page(request.GET.get("page")),
        "now": timezone.now(),
        "may_visit": access.may(request.user, Action.SCREENING_VISIT, area),
    }
    return render(request, "screening/revisits.html", context)


@login_required
def ledger(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The screening ledger (排查台账) of an area, one day or all, as .xlsx, masked."""
    _require_screening(request)
    campaign = selectors.campaign_for(actor=request.user, pk=pk)
    area = _area(request, campaign)
    form = LedgerForm(request.GET)
    day: date | None = form.cleaned_data["day"] if form.is_valid() else None
    try:
        handle = exports.ledger_file(actor=actor(request), campaign=campaign, area=area, day=day)
    except exports.LedgerTooLargeError as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('screening:coverage', args=[campaign.pk])}?area={area.code}")
    suffix = f"-{day:%Y%m%d}" if day else ""
    name = f"screening-{campaign.pk}-{area.code}{suffix}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)
