"""bench/areas.py — the seed-scale area tree (源城区: 36 communities, 361,876 dwellings)
on PostgreSQL: a scoped subtree query and the area-browser page at city, district,
street and community level, each next to the bare SQL that returns the same rows,
measured in the same run on the same database.

    make bench            # or: python -m bench.areas
    BENCH_DATABASE_URL=postgres://...  to use another database
"""

from __future__ import annotations

import time

from bench.common import machine, measure, setup_django, write


def main() -> None:
    url = setup_django()

    from django.db import connection
    from django.test import Client

    from jijie.accounts.models import Role, User
    from jijie.accounts.services import role_assign
    from jijie.areas import access
    from jijie.areas.demo import CITY, build
    from jijie.areas.models import Area

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
        role_assign(actor=None, user=user, role=role, area=Area.objects.get(code=code))
        users[level] = user

    results: dict[str, dict[str, object]] = {}

    # 1. The scoped subtree query: every area under the user's street, through access.
    street = Area.objects.get(code="441602004000")
    street_user = users["street"]

    def scoped_subtree() -> int:
        access.forget(street_user)  # a request reads the user's roles afresh
        return len(list(access.visible_areas(street_user).values_list("id", "code", "kind")))

    def bare_subtree() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, code, kind FROM areas_area WHERE path LIKE %s", [street.path + "%"]
            )
            return len(cursor.fetchall())

    assert scoped_subtree() == bare_subtree()
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id, code, kind FROM areas_area WHERE path LIKE %s",
            [street.path + "%"],
        )
        plan = [row[0] for row in cursor.fetchall()]
    results["subtree_street"] = {
        "rows": bare_subtree(),
        "jijie": measure(scoped_subtree),
        "bare_sql": measure(bare_subtree),
        "plan": plan,
    }

    # 2. The area-browser page (full request: session, scoping, template) against the
    #    bare SQL of its content: the children and their grouped subtree counts.
    def bare_page(area: Area) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, name, code, kind FROM areas_area "
                "WHERE path LIKE %s AND depth = %s ORDER BY code",
                [area.path + "%", area.depth + 1],
            )
            children = cursor.fetchall()
            cursor.execute(
                "SELECT substr(path, 1, %s) AS branch, depth, count(*), sum(dwelling_count) "
                "FROM areas_area WHERE path LIKE %s AND depth >= %s GROUP BY 1, 2",
                [len(area.path) + Area.steplen, area.path + "%", area.depth + 1],
            )
            return len(children) + len(cursor.fetchall())

    for level, (code, _role) in levels.items():
        area = Area.objects.get(code=code)
        client = Client()
        client.force_login(users[level])
        page_url = f"/areas/{code}/"

        def page(client: Client = client, page_url: str = page_url) -> int:
            response = client.get(page_url)
            assert response.status_code == 200, response.status_code
            return len(response.content)

        page()
        results[f"page_{level}"] = {
            "subtree_nodes": Area.objects.filter(path__startswith=area.path).count(),
            "jijie": measure(page),
            "bare_sql": measure(lambda area=area: bare_page(area)),
        }

    for result in results.values():
        jijie, bare = result["jijie"], result["bare_sql"]
        result["ratio"] = round(jijie["median_ms"] / max(bare["median_ms"], 1e-6), 2)  # type: ignore[index]

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
        "| measurement | rows / nodes | Jijie median (p95) ms | bare SQL median (p95) ms | ratio |",
        "|---|---|---|---|---|",
    ]
    for name, result in results.items():
        size = result.get("rows", result.get("subtree_nodes"))
        j, b = result["jijie"], result["bare_sql"]
        lines.append(
            f"| {name} | {size:,} | {j['median_ms']} ({j['p95_ms']}) | "  # type: ignore[index]
            f"{b['median_ms']} ({b['p95_ms']}) | {result['ratio']}× |"  # type: ignore[index]
        )
    lines += ["", "Plan of the subtree query:", "", *[f"    {row}" for row in plan], ""]
    write("areas", data, "\n".join(lines))


if __name__ == "__main__":
    main()
