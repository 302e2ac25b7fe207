"""Reads of the area tree. Callers pass areas they obtained through `access`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area, Compound
from jijie.core.models import prefix_upper_bound

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User

LEVEL_LABELS: dict[int, Promise] = {
    1: _("市"),
    2: _("区县"),
    3: _("街道/镇"),
    4: _("社区/村"),
    5: _("网格"),
    6: _("楼栋"),
}
DEEPEST = 6


@dataclass
class Counts:
    """How many areas of each depth lie under one node, and the dwellings they hold."""

    by_depth: dict[int, int] = field(default_factory=dict)
    dwellings: int = 0

    def at(self, depth: int) -> int:
        return self.by_depth.get(depth, 0)

    def below(self, depth: int) -> list[tuple[Promise, int]]:
        """(level label, count) for every level under `depth`, for display."""
        return [(LEVEL_LABELS[d], self.at(d)) for d in range(depth + 1, DEEPEST + 1)]


@dataclass
class AreaTable:
    """The area browser's table: one row per child, one column per level below it, and
    the totals of the whole subtree."""

    columns: list[Promise]
    rows: list[tuple[Area, list[int], int]]
    total: Counts
    by_child: dict[str, Counts]  # each child's whole counts, by its path


def area_children(area: Area) -> QuerySet[Area]:
    return Area.objects.filter(path__startswith=area.path, depth=area.depth + 1).order_by("code")


def _grouped_counts(area: Area, *, branch_len: int, min_depth: int) -> dict[str, Counts]:
    rows = (
        Area.objects.filter(path__startswith=area.path, depth__gte=min_depth)
        .annotate(branch=Substr("path", 1, branch_len))
        .values("branch", "depth")
        .annotate(n=Count("id"), dwellings=Sum("dwelling_count"))
        .order_by()
    )
    result: dict[str, Counts] = {}
    for row in rows:
        counts = result.setdefault(row["branch"], Counts())
        counts.by_depth[row["depth"]] = row["n"]
        counts.dwellings += row["dwellings"] or 0
    return result


# A district or the city, whose subtree is the whole tree: on SQLite, grouping it by a
# piece of each row's path sorts every row in a temporary tree (20–30 ms at seed scale,
# 35,458 areas); taken child by child, each grouped by depth along the (depth, path)
# index, it reads the index alone and sorts nothing (about 5 ms). PostgreSQL hashes the
# groups in one pass and keeps the single statement.
CHILD_BY_CHILD_DEPTH = 2
MAX_CHILD_BY_CHILD = 400  # SQLite joins at most 500 SELECTs in one compound statement


def children_counts(area: Area, children: list[Area] | None = None) -> dict[str, Counts]:
    """For each child of `area` (keyed by its path), the counts of its whole subtree,
    in one grouped statement over the index range of `area`'s path (on SQLite, above a
    street, child by child: from `children` when the caller has read them)."""
    if connection.vendor == "sqlite" and area.depth <= CHILD_BY_CHILD_DEPTH:
        paths = (
            [child.path for child in children]
            if children is not None
            else list(area_children(area).values_list("path", flat=True))
        )
        if len(paths) <= MAX_CHILD_BY_CHILD:
            return _counts_child_by_child(paths, min_depth=area.depth + 1)
    return _grouped_counts(area, branch_len=len(area.path) + Area.steplen, min_depth=area.depth + 1)


def _counts_child_by_child(paths: list[str], *, min_depth: int) -> dict[str, Counts]:
    """`children_counts` as one UNION ALL of a grouped count for each child's range."""
    if not paths:
        return {}
    quote = connection.ops.quote_name
    table = quote(Area._meta.db_table)
    columns = {f.name: quote(f.column) for f in Area._meta.concrete_fields}
    depth, path, dwellings = columns["depth"], columns["path"], columns["dwelling_count"]
    # The depths named one by one: each is then its own range of the (depth, path)
    # index, whether or not the database was analysed (with `depth >= d` and no
    # statistics, SQLite reads every row from d down, for each child).
    depths = list(range(min_depth, DEEPEST + 1))
    marks = ", ".join(["%s"] * len(depths))
    # The model's names; the values are parameters.
    part = (
        f"SELECT %s, {depth}, COUNT(*), SUM({dwellings}) FROM {table}"  # noqa: S608
        f" WHERE {depth} IN ({marks}) AND {path} >= %s AND {path} < %s GROUP BY {depth}"
    )
    params: list[str | int] = []
    for p in paths:
        params += [p, *depths, p, prefix_upper_bound(p)]
    result: dict[str, Counts] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([part] * len(paths)), params)
        for branch, at, n, summed in cursor.fetchall():
            counts = result.setdefault(branch, Counts())
            counts.by_depth[at] = n
            counts.dwellings += summed or 0
    return result


def area_table(area: Area) -> AreaTable:
    """Children with their subtree counts, and the totals: the children read once, then
    one grouped statement (the totals are the children's sums, plus the area itself)."""
    children = list(area_children(area))
    counts = children_counts(area, children)
    depths = range(area.depth + 2, DEEPEST + 1)
    rows = []
    total = Counts(by_depth={area.depth: 1}, dwellings=area.dwelling_count)
    for child in children:
        child_counts = counts.get(child.path, Counts())
        rows.append((child, [child_counts.at(d) for d in depths], child_counts.dwellings))
    for child_counts in counts.values():
        for depth, n in child_counts.by_depth.items():
            total.by_depth[depth] = total.by_depth.get(depth, 0) + n
        total.dwellings += child_counts.dwellings
    return AreaTable(
        columns=[LEVEL_LABELS[d] for d in depths], rows=rows, total=total, by_child=counts
    )


def breadcrumb(user: User | AnonymousUser, area: Area) -> list[tuple[Area, bool]]:
    """Ancestors of `area` and itself, each with whether the user may open it."""
    chain = [*Area.objects.get_ancestors(area), area]
    paths = access.scope_paths(user)
    return [(node, any(node.path.startswith(p) for p in paths)) for node in chain]


def area_search(user: User | AnonymousUser, query: str, *, limit: int = 50) -> list[Area]:
    """Areas in the user's scope whose name contains `query` or whose code starts with it."""
    query = query.strip()
    if not query:
        return []
    matches = access.visible_areas(user).filter(
        Q(name__icontains=query) | Q(code__startswith=query)
    )
    return list(matches.order_by("depth", "code")[:limit])


def community_list(actor: User | AnonymousUser, action: Action) -> QuerySet[Area]:
    """The communities (and villages) where `actor` may do `action`, in tree order: the
    boards of the apps that work community by community start here."""
    return access.scoped(Area.objects.filter(kind__in=COMMUNITY_KINDS), actor, action).order_by(
        "path"
    )


def compounds_of(community: Area) -> QuerySet[Compound]:
    return (
        Compound.objects.filter(community=community)
        .annotate(building_count=Count("buildings"))
        .order_by("code")
    )


@dataclass(frozen=True)
class PickLevel:
    """One step of the area picker: where it stands (None: the user's own areas), the
    way back up, and the areas to choose from there."""

    at: Area | None
    trail: list[Area]
    choices: list[Area]


def pick_level(actor: User | AnonymousUser, action: Action, code: str = "") -> PickLevel:
    """The areas a picker offers at `code` (the user's scope roots for `action` when
    empty): the children of the area, all inside the user's scope. 404 for an area out
    of their scope for `action`."""
    if not code:
        return PickLevel(at=None, trail=[], choices=access.scope_roots(actor, action))
    area = access.area_for(actor, code, action)
    roots = access.scope_paths(actor, action)
    top = min((p for p in roots if area.path.startswith(p)), key=len)
    trail = list(
        Area.objects.filter(
            path__in=[area.path[:n] for n in range(len(top), len(area.path) + 1, Area.steplen)]
        ).order_by("depth")
    )
    return PickLevel(at=area, trail=trail, choices=list(area_children(area)))
