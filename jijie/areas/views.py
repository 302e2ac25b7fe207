from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jijie.areas import access, offers, selectors, services
from jijie.areas.access import Action
from jijie.areas.forms import ANY_KIND, AreaChildForm, AreaEditForm, CompoundForm
from jijie.areas.models import AreaKind
from jijie.core.forms import apply_errors


@login_required
def index(request: HttpRequest) -> HttpResponse:
    roots = access.scope_roots(request.user)
    if not roots:
        raise PermissionDenied(_("您的角色不包含浏览区域。"))
    if len(roots) == 1:
        return redirect("areas:detail", code=roots[0].code)
    return render(request, "areas/index.html", {"roots": roots})


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    area = access.area_for(request.user, code)
    table = selectors.area_table(area)
    context = {
        "area": area,
        "crumbs": selectors.breadcrumb(request.user, area),
        "table": table,
        "totals": table.total.below(area.depth),
        "dwellings": table.total.dwellings,
        "may_edit": access.may(request.user, Action.AREA_EDIT, area),
        "offers": offers.offers_for(request.user, area),
        "compounds": (
            selectors.compounds_of(area)
            if area.kind in (AreaKind.COMMUNITY, AreaKind.VILLAGE)
            else None
        ),
    }
    return render(request, "areas/detail.html", context)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:50]
    results = selectors.area_search(request.user, query)
    template = "areas/_search_results.html" if request.htmx else "areas/search.html"  # type: ignore[attr-defined]
    return render(request, template, {"q": query, "results": results})


_FIELD_ID = re.compile(r"[a-z][a-z_]{0,40}")  # the id of the field a choice goes in


@login_required
def pick(request: HttpRequest) -> HttpResponse:
    """One step of the area picker (areas.forms.AreaPicker), as an htmx fragment: the
    areas the user may choose from at `at` for `action`; an area of `kind` is chosen, one
    above it is opened; with kind "any", every area may be chosen or opened."""
    kind = request.GET.get("kind", ANY_KIND)
    try:
        action = Action(request.GET.get("action", Action.AREA_VIEW))
        if kind != ANY_KIND:
            kind = AreaKind(kind).value
    except ValueError:
        raise BadRequest(_("参数有误。")) from None
    field = request.GET.get("field", "")
    if not _FIELD_ID.fullmatch(field):
        raise BadRequest(_("参数有误。"))
    level = selectors.pick_level(request.user, action, request.GET.get("at", "").strip())
    context = {
        "level": level,
        "action": action.value,
        "kind": kind,
        "field": field,
        "leaf": AreaKind.BUILDING.value,
    }
    return render(request, "areas/_pick.html", context)


@login_required
def add_child(request: HttpRequest, code: str) -> HttpResponse:
    parent = access.area_for(request.user, code, Action.AREA_EDIT)
    if not parent.child_kinds:
        raise PermissionDenied(_("楼栋下不能再添加区域。"))
    form = AreaChildForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.do_area_create(actor=request.user, parent=parent, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("areas:detail", code=child.code)
    return render(request, "areas/form.html", {"form": form, "area": parent, "mode": "add"})


@login_required
def edit(request: HttpRequest, code: str) -> HttpResponse:
    area = access.area_for(request.user, code, Action.AREA_EDIT)
    initial = {"name": area.name, "dwelling_count": area.dwelling_count, "compound": area.compound}
    form = AreaEditForm(request.POST or None, area=area, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_area_update(actor=request.user, area=area, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("areas:detail", code=area.code)
    return render(request, "areas/form.html", {"form": form, "area": area, "mode": "edit"})


@login_required
def add_compound(request: HttpRequest, code: str) -> HttpResponse:
    community = access.area_for(request.user, code, Action.AREA_EDIT)
    form = CompoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_compound_create(
                actor=request.user,  # type: ignore[arg-type]
                community=community,
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("areas:detail", code=community.code)
    return render(request, "areas/form.html", {"form": form, "area": community, "mode": "compound"})
