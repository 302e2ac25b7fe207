"""`/api/areas/...`: the same scoping as the pages, through `access`."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from jijie.areas import access, selectors, services
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.core.schemas import Text

router = Router(tags=["areas"])


class AreaOut(Schema):
    code: Text
    name: str
    kind: str
    kind_label: str
    depth: int
    dwelling_count: int

    @staticmethod
    def of(area: Area) -> AreaOut:
        return AreaOut(
            code=area.code,
            name=area.name,
            kind=area.kind,
            kind_label=str(area.get_kind_display()),
            depth=area.depth,
            dwelling_count=area.dwelling_count,
        )


class CountsOut(Schema):
    by_level: dict[str, int]
    dwellings: int

    @staticmethod
    def of(counts: selectors.Counts, depth: int) -> CountsOut:
        """Counts of the levels below `depth` (the node itself is not counted)."""
        return CountsOut(
            by_level={str(d): n for d, n in sorted(counts.by_depth.items()) if d > depth},
            dwellings=counts.dwellings,
        )


class ChildOut(Schema):
    area: AreaOut
    counts: CountsOut


class AreaDetailOut(Schema):
    area: AreaOut
    breadcrumb: list[AreaOut]
    counts: CountsOut
    children: list[ChildOut]
    may_edit: bool


class AreaCreateIn(Schema):
    kind: Text
    name: Text
    code: Text
    dwelling_count: int = 0


class AreaUpdateIn(Schema):
    name: Text
    dwelling_count: int | None = None


@router.get("/", response=list[AreaOut], summary="Scope roots, or areas matching ?q=")
def area_roots(request: HttpRequest, q: Text = "") -> list[AreaOut]:
    if q:
        return [AreaOut.of(a) for a in selectors.area_search(request.user, q[:50])]
    return [AreaOut.of(a) for a in access.scope_roots(request.user)]


@router.get("/{code}", response=AreaDetailOut, summary="One area with its children and counts")
def area_detail(request: HttpRequest, code: Text) -> AreaDetailOut:
    area = access.area_for(request.user, code)
    table = selectors.area_table(area)  # one grouped count for the children and the total
    return AreaDetailOut(
        area=AreaOut.of(area),
        breadcrumb=[AreaOut.of(a) for a, ok in selectors.breadcrumb(request.user, area) if ok],
        counts=CountsOut.of(table.total, area.depth),
        children=[
            ChildOut(
                area=AreaOut.of(child),
                counts=CountsOut.of(
                    table.by_child.get(child.path, selectors.Counts()), child.depth
                ),
            )
            for child, _counts, _dwellings in table.rows
        ],
        may_edit=access.may(request.user, Action.AREA_EDIT, area),
    )


@router.post("/{code}/children", response={201: AreaOut}, summary="Add a child area")
def area_add_child(request: HttpRequest, code: Text, payload: AreaCreateIn) -> Status[AreaOut]:
    parent = access.area_for(request.user, code, Action.AREA_EDIT)
    child = services.do_area_create(actor=request.user, parent=parent, **payload.dict())  # type: ignore[arg-type]
    return Status(201, AreaOut.of(child))


@router.patch(
    "/{code}", response=AreaOut, summary="Rename an area (and set a building's dwellings)"
)
def area_update(request: HttpRequest, code: Text, payload: AreaUpdateIn) -> AreaOut:
    area = access.area_for(request.user, code, Action.AREA_EDIT)
    area = services.do_area_update(actor=request.user, area=area, **payload.dict())  # type: ignore[arg-type]
    return AreaOut.of(area)
