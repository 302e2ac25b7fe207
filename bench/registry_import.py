"""bench/registry_import.py — the seed-scale ledger (658,787 people of 源城区) as one
.xlsx, imported into PostgreSQL and into SQLite, each in its own process: total time and
peak memory, next to the limit measured in the same run (reading the same file with
python-calamine, the fastest reader here, plus a PostgreSQL COPY of the same rows).
Goal (issue 3): import ≤ 2.5× the limit, peak memory ≤ 1.5 GB.

    python -m bench.registry_import [--people N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.common import RESULTS, write

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
PG_URL = "postgres://postgres@127.0.0.1:5432/jijie_bench_import"
SQLITE_URL = f"sqlite:///{WORK / 'import.sqlite3'}"
COLUMNS = ["序号", "姓名", "公民身份号码", "联系电话", "楼栋代码", "门牌号", "与户主关系", "户籍地"]


def _child(mode: str, url: str, path: str) -> dict[str, float]:
    """Run one measurement in a fresh process; return what it printed as JSON."""
    env = {**os.environ, "BENCH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "bench.registry_import", "--child", mode, path],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} on {url} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _worker_peak_mb() -> float:
    """The largest of the import's worker processes (forked: pages shared with the
    importer count in both)."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def child(mode: str, path: str) -> None:
    from bench.common import setup_django

    setup_django()
    from jijie.areas.models import Area

    if mode == "prepare":
        from jijie.areas.demo import build

        if not Area.objects.exists():
            build("seed", 2020)
        print(json.dumps({"areas": Area.objects.count()}))
        return
    if mode == "ledger":
        print(json.dumps({"rows": make_ledger(Path(path), int(os.environ["BENCH_PEOPLE"]))}))
        return
    data = Path(path).read_bytes()
    if mode == "jijie":
        from jijie.residents.imports.commit import import_ledger

        start = time.perf_counter()
        plan = import_ledger(
            actor=None, area=Area.objects.get(code="441602"), data=data, commit=True
        )
        seconds = time.perf_counter() - start
        print(
            json.dumps(
                {
                    "seconds": round(seconds, 1),
                    "rows": plan.rows_read,
                    "errors": len(plan.errors),
                    "peak_mb": _peak_mb(),
                    "worker_peak_mb": _worker_peak_mb(),
                }
            )
        )
        return
    if mode == "limit":
        import io

        import psycopg
        from python_calamine import CalamineWorkbook

        start = time.perf_counter()
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        with psycopg.connect(os.environ["BENCH_DATABASE_URL"]) as conn, conn.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE ledger (n text, name text, id text, phone text,"
                " building text, door text, relation text, place text)"
            )
            with cursor.copy("COPY ledger FROM STDIN") as copy:
                for row in rows[1:]:
                    copy.write_row([str(v) for v in row])
        seconds = time.perf_counter() - start
        print(
            json.dumps({"seconds": round(seconds, 1), "rows": len(rows) - 1, "peak_mb": _peak_mb()})
        )


def make_ledger(path: Path, people: int) -> int:
    """The seed district's people as a ledger, one row each, deterministic."""
    import random
    from datetime import date, timedelta

    from openpyxl import Workbook

    from jijie.areas.models import Area
    from jijie.residents.demo import (
        PLACES,
        RELATIONS_AFTER_HEAD,
        IdMaker,
        _name,
        _people_per_household,
    )

    rng = random.Random(2020)
    doors = [
        (b.code, d)
        for b in Area.objects.filter(kind="building").order_by("path")
        for d in range(1, b.dwelling_count + 1)
    ]
    doors = doors[:people]  # a smaller run fills the first doors, one person or more each
    sizes = _people_per_household(len(doors), people, rng)
    ids = IdMaker(rng)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    sheet.append(COLUMNS)
    number = 0
    for (code, door), size in zip(doors, sizes, strict=True):
        floor, unit = divmod(door - 1, 4)
        for index in range(size):
            number += 1
            born = date(2020, 2, 1) - timedelta(days=rng.randint(1, 90) * 365 + rng.randrange(365))
            relation = (
                "户主"
                if index == 0
                else {
                    "spouse": "配偶",
                    "child": "子女",
                    "parent": "父母",
                    "grandchild": "孙子",
                    "sibling": "兄弟姐妹",
                }.get(RELATIONS_AFTER_HEAD[index - 1], "其他")
            )
            sheet.append(
                [
                    number,
                    _name(rng),
                    ids.make(born, rng.random() < 0.5),
                    f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                    code,
                    f"{floor + 1}{unit + 1:02d}",
                    relation,
                    rng.choice(PLACES),
                ]
            )
    workbook.save(path)
    return number


def _fresh_postgres() -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS jijie_bench_import")
        conn.execute("CREATE DATABASE jijie_bench_import")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2)
    parser.add_argument("--people", type=int, default=658_787)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    ledger = WORK / f"ledger-{args.people}-v2.xlsx"
    os.environ["BENCH_PEOPLE"] = str(args.people)
    _fresh_postgres()
    _child("prepare", PG_URL, "")
    if not ledger.exists():
        start = time.perf_counter()
        _child("ledger", PG_URL, str(ledger))
        print(f"ledger written in {time.perf_counter() - start:.0f} s")
    limit = _child("limit", PG_URL, str(ledger))
    postgres = _child("jijie", PG_URL, str(ledger))
    sqlite_file = WORK / "import.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    _child("prepare", SQLITE_URL, "")
    sqlite = _child("jijie", SQLITE_URL, str(ledger))
    data = {
        "people": args.people,
        "file_mb": round(ledger.stat().st_size / 2**20, 1),
        "limit": limit,
        "postgresql": postgres,
        "sqlite": sqlite,
        "ratio_postgresql": round(postgres["seconds"] / limit["seconds"], 2),
        "ratio_sqlite": round(sqlite["seconds"] / limit["seconds"], 2),
    }
    lines = [
        "# bench/registry_import.py",
        "",
        f"{args.people:,} people in one .xlsx ({data['file_mb']} MB), imported into the seed district.",
        "",
        "Peak memory is the importing process; its worker processes peaked at "
        f"{postgres.get('worker_peak_mb', 0)} MB (PostgreSQL run) and {sqlite.get('worker_peak_mb', 0)} MB "
        "(SQLite run) each, most of it pages shared with the importer by fork.",
        "",
        "| run | seconds | × limit | peak memory MB | goal |",
        "|---|---|---|---|---|",
        f"| limit: calamine read + COPY | {limit['seconds']} | 1.00 | {limit['peak_mb']} | |",
        f"| Jijie import, PostgreSQL | {postgres['seconds']} | {data['ratio_postgresql']} | {postgres['peak_mb']} | "
        f"{'yes' if data['ratio_postgresql'] <= 2.5 and postgres['peak_mb'] <= 1536 else 'NO'} |",
        f"| Jijie import, SQLite | {sqlite['seconds']} | {data['ratio_sqlite']} | {sqlite['peak_mb']} | "
        f"{'yes' if data['ratio_sqlite'] <= 2.5 and sqlite['peak_mb'] <= 1536 else 'NO'} |",
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    write("registry_import", data, "\n".join(lines))


if __name__ == "__main__":
    main()
