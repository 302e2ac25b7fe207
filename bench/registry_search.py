"""bench/registry_search.py — p50/p95 of each kind of registry search over the seed-scale
registry (361,876 households, 658,787 people) on PostgreSQL, as a community secretary
and as the district command, next to the bare SQL of the same filter in the same run.
Goal (issue 3): p95 ≤ 50 ms.

    make bench   # or: python -m bench.registry_search
"""

from __future__ import annotations

import statistics
import time

from bench.common import machine, setup_django, write

QUERIES_PER_KIND = 60
NAME_SQL = (
    "id IN (SELECT person_id FROM residents_namegram WHERE gram = %s AND area_path LIKE %s)"
    " AND name LIKE %s"
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

    from jijie.accounts.models import Role, User
    from jijie.accounts.services import role_assign
    from jijie.areas.demo import CITY, build
    from jijie.areas.models import Area
    from jijie.core import pii
    from jijie.core.demo import DemoContext
    from jijie.residents import demo as residents_demo
    from jijie.residents.models import Person
    from jijie.residents.selectors import person_search

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
        role_assign(actor=None, user=user, role=role, area=Area.objects.get(code=code))
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

    def bare(path: str, kind: str, query: str) -> None:
        where = {
            # the same index-driven plan Jijie uses: pieces first, then the whole name
            "name": (NAME_SQL, None),
            "name_part": (NAME_SQL, None),
            "initials": ("name_initials LIKE %s", f"{query}%"),
            "phone_tail": ("(phone_tail = %s OR document_tail = %s)", query),
            "id_tail": ("(phone_tail = %s OR document_tail = %s)", query),
            "id_exact": ("document_hash = %s", pii.lookup_hash("id", query)),
            "phone_exact": ("phone_hash = %s", pii.lookup_hash("phone", query)),
        }[kind]
        if kind in ("name", "name_part"):
            params = [query[:2], path + "%", f"%{query}%"]
        else:
            params = [where[1]] * where[0].count("%s")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM residents_person WHERE area_path LIKE %s AND {where[0]} "
                "ORDER BY area_path, name LIMIT 50",
                [path + "%", *params],
            )
            cursor.fetchall()

    results: dict[str, dict[str, object]] = {}
    for scope, (user, area) in actors.items():
        for kind, queries in kinds.items():
            jijie, raw = [], []
            for query in queries:
                start = time.perf_counter()
                person_search(actor=user, query=query)
                jijie.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                bare(area.path, kind, query)
                raw.append((time.perf_counter() - start) * 1000)
            results[f"{scope}/{kind}"] = {
                "jijie": _percentiles(jijie),
                "bare_sql": _percentiles(raw),
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
        "| scope / kind | queries | Jijie p50 / p95 ms | bare SQL p50 / p95 ms | goal p95 ≤ 50 ms |",
        "|---|---|---|---|---|",
    ]
    for name, result in results.items():
        j, b = result["jijie"], result["bare_sql"]
        lines.append(
            f"| {name} | {result['queries']} | {j['p50_ms']} / {j['p95_ms']} | "  # type: ignore[index]
            f"{b['p50_ms']} / {b['p95_ms']} | {'yes' if j['p95_ms'] <= 50 else 'NO'} |"  # type: ignore[index,operator]
        )
    write("registry_search", data, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
