"""A building as its floor plan for care (楼栋户图): the doors under home isolation,
those of hardship households, the others; a tap leads to the case, the plan or the
household."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import AreaKind, community_path_of
from jijie.care import selectors
from jijie.care.forms import BuildingForm
from jijie.care.views.base import community_of
from jijie.core.floorplan import Cell
from jijie.residents import selectors as registry
from jijie.residents.doors import floor_plan


@login_required
def building(request: HttpRequest) -> HttpResponse:
    if not access.scope_paths(request.user, Action.CARE_VIEW):
        raise PermissionDenied(_("您的角色不能查看居家关爱。"))
    form = BuildingForm(request.GET or None)
    code = form.cleaned_data["building"].strip() if form.is_valid() else ""
    context: dict[str, object] = {"form": form}
    if code:
        area = access.area_for(request.user, code, Action.CARE_VIEW)
        if area.kind != AreaKind.BUILDING:
            raise Http404
        cases, plans = selectors.building_care(area)
        cells = []
        for home in registry.household_list(actor=request.user, area=area):
            household_page = reverse("residents:household", args=[home.pk])
            if home.pk in cases:
                case = cases[home.pk]
                cells.append(
                    Cell(
                        home.door_number,
                        "isolation",
                        reverse("care:case", args=[case.pk]),
                        case.get_kind_display(),
                    )
                )
            elif home.is_hardship:
                plan = plans.get(home.pk)
                url = reverse("care:plan", args=[plan.pk]) if plan else household_page
                note = _("帮扶计划") if plan else _("尚无帮扶计划")
                cells.append(Cell(home.door_number, "hardship", url, note))
            else:
                cells.append(Cell(home.door_number, "todo", household_page))
        context.update(
            building=area,
            community=community_of(request.user, community_path_of(area.path)),
            plan=floor_plan(cells, door=lambda c: c.door),
            counts={
                state: sum(c.state == state for c in cells)
                for state in ("isolation", "hardship", "todo")
            },
        )
    return render(request, "care/building.html", context)
