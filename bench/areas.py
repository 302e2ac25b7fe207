"""bench/areas.py — the seed-scale area tree (源城区: 36 communities, 361,876 dwellings)
on PostgreSQL: a scoped subtree query, and the area-browser page at city, district,
street and community level (its data step, then the whole rendered request), each next
to its floor measured in the same run on the same database: the hand-written SQL for the
same answer (asserted equal), and for the page that SQL plus the same template render.

    make bench            # or: python -m bench.areas
    BENCH_DATABASE_URL=postgres://...  to use another database
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

from bench.common import machine, measure, ratio, setup_django, write
from jijie.audit.actors import SYSTEM

FIELDS = ("id", "path", "name", "code", "kind", "depth", "dwelling_count")


def main() -> None:
    url = setup_django()

    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory

    from jijie.accounts.models import User
    from jijie.accounts.services import do_role_assign
    from jijie.areas import access, selectors
    from jijie.areas.access import Action
    from jijie.areas.demo import CITY, build
    from jijie.areas.models import Area, AreaKind
    from jijie.areas.roles import Role

    city = Area.objects.filter(code=CITY[0]).first()
    built_s = None
    if city is None or Area.objects.filter(kind="building").count() < 10_000:
        if city is not None:
            raise SystemExit(
                "the bench database holds a small demo city; drop it "
                f"(DROP DATABASE) or set BENCH_DATABASE_URL: {url}"
            )
        start = time.perf_counter()
        city = build("seed", 2020)
        built_s = round(time.perf_counter() - start, 2)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE areas_area")
    total_nodes = Area.objects.count()
    dwellings = sum(Area.objects.values_list("dwelling_count", flat=True))

    levels = {
        "city": ("441600", Role.COMMAND),
        "district": ("441602", Role.COMMAND),
        "street": ("441602004000", Role.STREET_OFFICE),
        "community": ("441602004001", Role.COMMUNITY_SECRETARY),
    }
    users = {}
    for level, (code, role) in levels.items():
        user, _ = User.objects.get_or_create(username=f"bench_{level}")
        do_role_assign(actor=SYSTEM, user=user, role=role, area=Area.objects.get(code=code))
        users[level] = user

    results: dict[str, dict[str, object]] = {}

    # The floors: the hand-written SQL for the same answer, measured in the same run and
    # asserted equal to the product's. Like is compared with like: the product's data
    # step against the SQL for the same data, and the rendered page against that SQL plus
    # the render of the same template with the same context.
    view_roles = access.roles_with(Action.AREA_VIEW)
    edit_roles = access.roles_with(Action.AREA_EDIT)

    def scope_of(cursor: Any, user: User) -> tuple[list[str], list[str]]:
        """The paths where the user may see areas, and where they may edit them."""
        cursor.execute(
            "SELECT r.role, a.path FROM accounts_roleassignment r "
            "JOIN areas_area a ON a.id = r.area_id WHERE r.user_id = %s",
            [user.pk],
        )
        held = cursor.fetchall()
        return (
            [path for role, path in held if role in view_roles],
            [path for role, path in held if role in edit_roles],
        )

    # 1. The scoped subtree query: every area under the user's street, through access,
    #    against the user's roles read and the subtree read in one index range.
    street = Area.objects.get(code="441602004000")
    street_user = users["street"]

    def scoped_subtree() -> list[tuple[int, str, str]]:
        access.forget(street_user)  # a request reads the user's roles afresh
        return list(access.visible_areas(street_user).values_list("id", "code", "kind"))

    def floor_subtree() -> list[tuple[int, str, str]]:
        with connection.cursor() as cursor:
            paths, _edit = scope_of(cursor, street_user)
            found = []
            for path in paths:
                cursor.execute(
                    "SELECT id, code, kind FROM areas_area WHERE path LIKE %s", [path + "%"]
                )
                found += cursor.fetchall()
            return found

    assert sorted(scoped_subtree()) == sorted(floor_subtree())
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id, code, kind FROM areas_area WHERE path LIKE %s",
            [street.path + "%"],
        )
        plan = [row[0] for row in cursor.fetchall()]
    results["subtree_street"] = {
        "rows": len(floor_subtree()),
        "jijie": measure(scoped_subtree),
        "floor": measure(floor_subtree),
        "plan": plan,
    }

    # 2. The area-browser page. Its data step, as the view does it before rendering
    #    (the area in scope, its children with their subtree counts, the breadcrumb, the
    #    right to edit, a community's compounds) ...
    def product_data(user: User, code: str) -> dict[str, Any]:
        access.forget(user)
        area = access.area_for(user, code)
        table = selectors.area_table(area)
        compounds = (
            list(selectors.compounds_of(area))
            if area.kind in (AreaKind.COMMUNITY, AreaKind.VILLAGE)
            else None
        )
        return {
            "area": area,
            "crumbs": selectors.breadcrumb(user, area),
            "table": table,
            "totals": table.total.below(area.depth),
            "dwellings": table.total.dwellings,
            "may_edit": access.may(user, Action.AREA_EDIT, area),
            "compounds": compounds,
        }

    # ... against the same data by hand: the roles, the area, its children, one grouped
    #    count over its path range, its ancestors, its compounds.
    def floor_data(user: User, code: str) -> dict[str, Any]:
        columns = "SELECT id, path, name, code, kind, depth, dwelling_count FROM areas_area "
        with connection.cursor() as cursor:
            paths, editable = scope_of(cursor, user)
            cursor.execute(columns + "WHERE code = %s", [code])
            area = Area(**dict(zip(FIELDS, cursor.fetchone(), strict=True)))
            if not any(area.path.startswith(p) for p in paths):
                raise LookupError(code)
            cursor.execute(
                columns + "WHERE path LIKE %s AND depth = %s ORDER BY code",
                [area.path + "%", area.depth + 1],
            )
            children = [Area(**dict(zip(FIELDS, row, strict=True))) for row in cursor.fetchall()]
            cursor.execute(
                "SELECT substr(path, 1, %s), depth, count(*), sum(dwelling_count) "
                "FROM areas_area WHERE path LIKE %s AND depth > %s GROUP BY 1, 2",
                [len(area.path) + Area.steplen, area.path + "%", area.depth],
            )
            grouped = cursor.fetchall()
            prefixes = [area.path[:n] for n in range(Area.steplen, len(area.path), Area.steplen)]
            cursor.execute(columns + "WHERE path = ANY(%s) ORDER BY depth", [prefixes])
            ancestors = [Area(**dict(zip(FIELDS, row, strict=True))) for row in cursor.fetchall()]
            compounds = None
            if area.kind in (AreaKind.COMMUNITY, AreaKind.VILLAGE):
                cursor.execute(
                    "SELECT c.id, c.name, c.code, count(b.id) AS building_count "
                    "FROM areas_compound c LEFT JOIN areas_area b ON b.compound_id = c.id "
                    "WHERE c.community_id = %s GROUP BY c.id ORDER BY c.code",
                    [area.pk],
                )
                compounds = [
                    SimpleNamespace(pk=row[0], name=row[1], code=row[2], building_count=row[3])
                    for row in cursor.fetchall()
                ]
        by_child: dict[str, dict[int, int]] = {}
        dwellings_of: dict[str, int] = {}
        below = dict.fromkeys(range(area.depth + 1, selectors.DEEPEST + 1), 0)
        for branch, depth, n, dwellings in grouped:
            by_child.setdefault(branch, {})[depth] = n
            dwellings_of[branch] = dwellings_of.get(branch, 0) + (dwellings or 0)
            below[depth] += n
        depths = range(area.depth + 2, selectors.DEEPEST + 1)
        rows = [
            (c, [by_child.get(c.path, {}).get(d, 0) for d in depths], dwellings_of.get(c.path, 0))
            for c in children
        ]
        return {
            "area": area,
            "crumbs": [
                (node, any(node.path.startswith(p) for p in paths)) for node in [*ancestors, area]
            ],
            "table": SimpleNamespace(
                columns=[selectors.LEVEL_LABELS[d] for d in depths], rows=rows
            ),
            "totals": [(selectors.LEVEL_LABELS[d], n) for d, n in below.items()],
            "dwellings": area.dwelling_count + sum(dwellings_of.values()),
            "may_edit": any(area.path.startswith(p) for p in editable),
            "compounds": compounds,
        }

    def same(mine: dict[str, Any], hand: dict[str, Any]) -> None:
        def rows(table: Any) -> list[tuple[int, list[int], int]]:
            return [(child.pk, counts, dwellings) for child, counts, dwellings in table.rows]

        assert mine["area"].pk == hand["area"].pk
        assert [(a.pk, ok) for a, ok in mine["crumbs"]] == [(a.pk, ok) for a, ok in hand["crumbs"]]
        assert rows(mine["table"]) == rows(hand["table"])
        assert [str(label) for label in mine["table"].columns] == [
            str(label) for label in hand["table"].columns
        ]
        assert [(str(k), v) for k, v in mine["totals"]] == [(str(k), v) for k, v in hand["totals"]]
        assert mine["dwellings"] == hand["dwellings"]
        assert mine["may_edit"] == hand["may_edit"]
        if mine["compounds"] is None:
            assert hand["compounds"] is None
        else:
            assert [(c.pk, c.building_count) for c in mine["compounds"]] == [
                (c.pk, c.building_count) for c in hand["compounds"]
            ]

    factory = RequestFactory()
    for level, (code, _role) in levels.items():
        area = Area.objects.get(code=code)
        user = users[level]
        client = Client()
        client.force_login(user)
        page_url = f"/areas/{code}/"

        def page(client: Client = client, page_url: str = page_url) -> int:
            response = client.get(page_url)
            assert response.status_code == 200, response.status_code
            return len(response.content)

        # The floor's render: the same template and context processors, for a user whose
        # roles are already read (the floor's data step read them).
        request = factory.get(page_url)
        request.user = user
        access.assignments(user)

        def floor_page(user: User = user, code: str = code, request: Any = request) -> int:
            context = floor_data(user, code)
            return len(render_to_string("areas/detail.html", context, request))

        same(product_data(user, code), floor_data(user, code))
        page()
        floor_page()
        results[f"data_{level}"] = {
            "subtree_nodes": Area.objects.filter(path__startswith=area.path).count(),
            "jijie": measure(lambda user=user, code=code: product_data(user, code)),
            "floor": measure(lambda user=user, code=code: floor_data(user, code)),
        }
        results[f"page_{level}"] = {
            "subtree_nodes": results[f"data_{level}"]["subtree_nodes"],
            "jijie": measure(page),
            "floor": measure(floor_page),
        }

    for result in results.values():
        result["ratio"] = ratio(result["jijie"], result["floor"])  # type: ignore[arg-type]

    data = {
        "machine": machine(),
        "tree": {"nodes": total_nodes, "dwellings": dwellings, "built_in_s": built_s},
        "results": results,
    }
    lines = [
        "# bench/areas.py",
        "",
        f"{data['machine']['when']} · {data['machine']['database']} · "
        f"{data['machine']['cpus']} CPUs · Python {data['machine']['python']}",
        "",
        f"Tree: {total_nodes:,} areas, {dwellings:,} dwellings"
        + (f", built in {built_s} s" if built_s else " (already built)"),
        "",
        "Floors: the hand-written SQL for the same answer, asserted equal to the product's "
        "in this run. subtree: access.visible_areas (the user's roles read afresh, then "
        "the subtree) against the roles and the subtree read by hand. data_*: what the "
        "area page's view computes before rendering (the area in scope, children with "
        "their subtree counts, totals, breadcrumb, the right to edit, compounds) against "
        "the same data by hand. page_*: the whole GET (session, middleware, the same "
        "data, the template) against the hand-written data plus the same template "
        "rendered with render_to_string. ratio = Jijie median / floor median.",
        "",
        "| measurement | rows / nodes | Jijie median (p95) ms | floor median (p95) ms | ratio |",
        "|---|---|---|---|---|",
    ]
    for name, result in results.items():
        size = result.get("rows", result.get("subtree_nodes"))
        j, b = result["jijie"], result["floor"]
        lines.append(
            f"| {name} | {size:,} | {j['median_ms']} ({j['p95_ms']}) | "  # type: ignore[index]
            f"{b['median_ms']} ({b['p95_ms']}) | {result['ratio']}× |"  # type: ignore[index]
        )
    lines += ["", "Plan of the subtree query:", "", *[f"    {row}" for row in plan], ""]
    write("areas", data, "\n".join(lines))


if __name__ == "__main__":
    main()
