"""bench/registry_search.py — p50/p95 of each kind of registry search over the seed-scale
registry (361,876 households, 658,787 people) on PostgreSQL, as a community secretary
and as the district command, next to its floor in the same run: the hand-written SQL for
the same answer (same people, order and limit), asserted equal to person_search's.
Goal (issue 3): p95 ≤ 50 ms.

    make bench   # or: python -m bench.registry_search
"""

from __future__ import annotations

import statistics
import time

from bench.common import machine, ratio, setup_django, write
from jijie.audit.actors import SYSTEM

QUERIES_PER_KIND = 60
# The floors: the hand-written SQL for the answer person_search gives, the same people
# (with the household and building the result list shows) in the same order, to the same
# limit. A name is looked up as person_search does: a batch of its piece's entries in
# scope, read in key order so that the scan stops at the batch's size (200, then, if
# fewer than 50 matched, 10,000) in the index's order (area path, person); the whole name
# checked on those people; the first 50 by area then name.
COLUMNS = (
    "SELECT p.id, p.name, p.area_path, h.door_number, b.name FROM residents_person p "
    "JOIN residents_household h ON h.id = p.household_id "
    "JOIN areas_area b ON b.id = h.building_id "
)
NAME_FLOOR = (
    "WITH c AS MATERIALIZED (SELECT person_id FROM residents_namegram "
    "WHERE gram = %s AND area_path LIKE %s ORDER BY area_path, person_id LIMIT %s) "
    "SELECT p.id, p.name, p.area_path, h.door_number, b.name, (SELECT count(*) FROM c) "
    "FROM c JOIN residents_person p ON p.id = c.person_id "
    "JOIN residents_household h ON h.id = p.household_id "
    "JOIN areas_area b ON b.id = h.building_id "
    "WHERE p.area_path LIKE %s AND p.name LIKE %s ORDER BY p.area_path, p.name LIMIT %s"
)


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
        "max_ms": round(samples[-1], 2),
    }


def main() -> None:
    setup_django()
    from django.db import connection

    from jijie.accounts.models import User
    from jijie.accounts.services import do_role_assign
    from jijie.areas.demo import CITY, build
    from jijie.areas.models import Area
    from jijie.areas.roles import Role
    from jijie.core import pii
    from jijie.core.demo import DemoContext
    from jijie.residents import demo as residents_demo
    from jijie.residents.models import Person
    from jijie.residents.names import search_gram
    from jijie.residents.selectors import NAME_CANDIDATES, SEARCH_LIMIT, person_search

    city = Area.objects.filter(code=CITY[0]).first() or build("seed", 2020)
    built_s = None
    if not Person.objects.exists():
        start = time.perf_counter()
        ctx = DemoContext(scale="seed", seed=2020, out=print)
        buildings = list(
            Area.objects.filter(path__startswith=city.path, kind="building").order_by("path")
        )
        residents_demo.build(ctx, buildings, None)
        built_s = round(time.perf_counter() - start, 1)
    from django.core.management import call_command

    from jijie.residents.models import NameGram

    if not NameGram.objects.exists():
        start = time.perf_counter()
        call_command("reindex_names")
        print(f"name index built in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE residents_namegram")
        cursor.execute("ANALYZE residents_person")
        cursor.execute("ANALYZE residents_household")
    people = Person.objects.count()

    actors = {}
    for label, code, role in [
        ("community", "441602004001", Role.COMMUNITY_SECRETARY),
        ("district", "441602", Role.COMMAND),
    ]:
        user, _ = User.objects.get_or_create(username=f"bench_search_{label}")
        do_role_assign(actor=SYSTEM, user=user, role=role, area=Area.objects.get(code=code))
        actors[label] = (user, Area.objects.get(code=code))

    community_path = actors["community"][1].path
    sample = list(
        Person.objects.filter(area_path__startswith=community_path).order_by("?")[:QUERIES_PER_KIND]
    )
    kinds = {
        "name": [p.name for p in sample],
        "name_part": [p.name[1:] or p.name for p in sample],
        "initials": [p.name_initials[:3] for p in sample],
        "phone_tail": [p.phone_tail for p in sample],
        "id_tail": [p.document_tail for p in sample],
        "id_exact": [pii.decrypt(p.document_cipher) for p in sample if p.document_cipher],
        "phone_exact": [pii.decrypt(p.phone_cipher) for p in sample if p.phone_cipher],
    }

    def floor(path: str, kind: str, query: str) -> list[tuple[int, str, str]]:
        if kind in ("name", "name_part"):
            with connection.cursor() as cursor:
                for batch in NAME_CANDIDATES:
                    gram, scope, name = search_gram(query), path + "%", f"%{query}%"
                    cursor.execute(NAME_FLOOR, [gram, scope, batch, scope, name, SEARCH_LIMIT])
                    rows = cursor.fetchall()
                    if len(rows) >= SEARCH_LIMIT or (rows and rows[0][5] < batch):
                        break
                    if not rows:  # how many candidates there were, when none matched
                        cursor.execute(
                            "SELECT count(*) FROM (SELECT 1 FROM residents_namegram "
                            "WHERE gram = %s AND area_path LIKE %s LIMIT %s) c",
                            [search_gram(query), path + "%", batch],
                        )
                        if cursor.fetchone()[0] < batch:
                            break
            return [(row[0], row[2], row[1]) for row in rows]
        else:
            where, value = {
                "initials": ("p.name_initials LIKE %s", f"{query.lower()}%"),
                "phone_tail": ("p.phone_tail = %s", query),
                "id_tail": ("p.document_tail = %s", query),
                "id_exact": ("p.document_hash = %s", pii.lookup_hash("id", query)),
                "phone_exact": ("p.phone_hash = %s", pii.lookup_hash("phone", query)),
            }[kind]
            params = [path + "%", value, SEARCH_LIMIT]
            sql = f"{COLUMNS}WHERE p.area_path LIKE %s AND {where} ORDER BY p.area_path, p.name LIMIT %s"
            if kind in ("phone_tail", "id_tail"):
                # a tail is a phone's or an ID's: each branch on its own index
                other = (
                    where.replace("phone_tail", "document_tail")
                    if kind == "phone_tail"
                    else where.replace("document_tail", "phone_tail")
                )
                sql = (
                    f"({COLUMNS}WHERE p.area_path LIKE %s AND {where}) UNION "
                    f"({COLUMNS}WHERE p.area_path LIKE %s AND {other}) "
                    "ORDER BY 3, 2 LIMIT %s"
                )
                params = [path + "%", value, path + "%", value, SEARCH_LIMIT]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(row[0], row[2], row[1]) for row in cursor.fetchall()]

    results: dict[str, dict[str, object]] = {}
    for scope, (user, area) in actors.items():
        for kind, queries in kinds.items():
            for query in queries:  # the floor gives the product's answer
                found = person_search(actor=user, query=query)
                hand = floor(area.path, kind, query)
                # the same people in the same order (namesakes in one building in either)
                assert [(p.area_path, p.name) for p in found] == [r[1:] for r in hand], query
                assert {p.pk for p in found} == {r[0] for r in hand}, (scope, kind, query)
            jijie, raw = [], []
            for query in queries:
                start = time.perf_counter()
                person_search(actor=user, query=query)
                jijie.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                floor(area.path, kind, query)
                raw.append((time.perf_counter() - start) * 1000)
            product, hand = _percentiles(jijie), _percentiles(raw)
            results[f"{scope}/{kind}"] = {
                "jijie": product,
                "floor": hand,
                "ratio_p50": ratio(product, hand, "p50_ms"),
                "queries": len(queries),
            }

    data = {"machine": machine(), "people": people, "built_in_s": built_s, "results": results}
    lines = [
        "# bench/registry_search.py",
        "",
        f"{data['machine']['when']} · {data['machine']['database']} · {data['machine']['cpus']} CPUs",
        "",
        f"Registry: {people:,} people" + (f", generated in {built_s} s" if built_s else ""),
        "",
        "Floor: the hand-written SQL for person_search's answer (the same people, with "
        "household and building, in the same order, to the same limit of "
        f"{SEARCH_LIMIT}), asserted equal to it for every query of this run. "
        "× floor = Jijie p50 / floor p50.",
        "",
        "| scope / kind | queries | Jijie p50 / p95 ms | floor p50 / p95 ms | × floor | goal p95 ≤ 50 ms |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        j, b = result["jijie"], result["floor"]
        lines.append(
            f"| {name} | {result['queries']} | {j['p50_ms']} / {j['p95_ms']} | "  # type: ignore[index]
            f"{b['p50_ms']} / {b['p95_ms']} | {result['ratio_p50']}× | "  # type: ignore[index]
            f"{'yes' if j['p95_ms'] <= 50 else 'NO'} |"  # type: ignore[index,operator]
        )
    write("registry_search", data, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
