"""bench/registry_import.py — the seed-scale ledger (658,787 people of 源城区) imported
into PostgreSQL and SQLite, each run in a fresh process, against floors measured in the
same run.

- **naive limit** (kept for continuity with earlier runs): reading the .xlsx with
  python-calamine and a text COPY of its cells into an unindexed temporary table. Not a
  floor: it stores none of what the import must store.
- **fair floor**: what any import must do to give the same answer — read the same file
  with python-calamine, then write the import's own final rows (households, people,
  name pieces, dumped from the product's run) into the real tables, indexes and
  constraints included, in one transaction, and commit. On PostgreSQL a binary COPY per
  table; on SQLite one prepared INSERT per table (executemany). For a first load the
  floor does as the import does (`imports.bulk`): the tables' secondary indexes (and
  PostgreSQL's keys) set aside, the rows copied, everything rebuilt — the best by hand
  into an empty registry, which the plain copy is not.
- **work floor** (first loads): the fair floor, plus what each row needs for the answer
  and the dumped rows already hold, done alongside the copy by as many forked processes
  as the import's workers: the sheet's extent checked as the import checks it, then
  each row's text cleaned, ID number and phone checked, encrypted, hashed and masked,
  birth date encrypted, name initials and pieces made, building found and door's sort
  key made, with the project's own functions in the leanest loop this ledger allows.
  What a person would at least have to write to give the same answer from this file;
  it leaves out the import's checking of columns, its report and the rows' handoff
  between processes.
- **first load**: the whole district into an empty registry (PostgreSQL and SQLite).
- **district load into a populated registry**: the registry already holds the people of
  the first half of the streets; the ledger of the other half is imported (PostgreSQL).

Memory is the largest sum, sampled once a second, of the proportional set size (PSS) of
the importing process and all its children (forked workers' shared pages counted once).

Goals (issue 19): first load ≤ 1.5× its fair floor and the full 658,787 people in
≤ 45 s; a district's load into a populated registry ≤ 2× its fair floor; peak memory
≤ 1.5 GB, all processes counted.

    python -m bench.registry_import [--people N]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import RESULTS, write

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
PG = "postgres://postgres@127.0.0.1:5432"
BASE_DB = "jijie_bench_import_base"
SQLITE_BASE = WORK / "import-base.sqlite3"
COLUMNS = ["序号", "姓名", "公民身份号码", "联系电话", "楼栋代码", "门牌号", "与户主关系", "户籍地"]
DISTRICT = "441602"
FIRST_LOAD_SECONDS = 45
FIRST_LOAD_RATIO = 1.5
POPULATED_RATIO = 2.0
MEMORY_MB = 1536


# Measuring in the child --------------------------------------------------------------


class PeakMemory:
    """The largest total PSS of this process and its descendants, sampled in a thread.

    Each sample reads the kernel's own sum (`/proc/<pid>/smaps_rollup`, its `Pss:` line),
    once a second. Sampling four times a second, through psutil's full memory info,
    took 18 ms of CPU a sample for the import's three processes (measured): 7% of a
    core, on a machine whose two cores the import keeps busy; now 14 ms a second. The
    import's memory is a plateau (the sheet held while its rows stream), which a sample
    a second does not miss."""

    def __init__(self, every: float = 1.0) -> None:
        import psutil

        self._psutil = psutil
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _pss(pid: int) -> int:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _total(self) -> int:
        me = self._psutil.Process()
        total = 0
        for process in [me, *me.children(recursive=True)]:
            try:
                total += self._pss(process.pid)
            except OSError:  # gone meanwhile
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._total())
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._total())

    @property
    def mb(self) -> float:
        return round(self.peak / 2**20, 1)


def _tables() -> list[str]:
    """The tables an import writes, parents first."""
    from jijie.residents.models import Household, NameGram, Person

    return [m._meta.db_table for m in (Household, Person, NameGram)]


def _new_rows(table: str, after: dict[str, int]) -> str:
    """The condition of the rows added after `after` (each table's highest id): the
    name pieces, which have no id, by their person's."""
    if table.endswith("namegram"):
        return f"person_id > {int(after[table.replace('namegram', 'person')])}"
    return f"id > {int(after[table])}"


def _max_ids() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        found = {}
        for table in _tables():
            if not table.endswith("namegram"):
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                found[table] = cursor.fetchone()[0]
        return found


def _dump(prefix: str, after: dict[str, int]) -> dict[str, int]:
    """The rows the import added (ids above `after`), per table, to files: PostgreSQL's
    binary COPY format, or the SQLite rows pickled."""
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in _tables():
            order = "person_id, gram" if table.endswith("namegram") else "id"
            select = f"SELECT * FROM {table} WHERE {_new_rows(table, after)} ORDER BY {order}"
            path = Path(f"{prefix}.{table}")
            if connection.vendor == "postgresql":
                with (
                    path.open("wb") as out,
                    cursor.cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT BINARY)") as copy,
                ):
                    for block in copy:
                        out.write(block)
                cursor.execute(f"SELECT count(*) FROM ({select}) q")
                counts[table] = cursor.fetchone()[0]
            else:
                cursor.execute(select)
                rows = cursor.fetchall()
                columns = [c[0] for c in cursor.description]
                path.write_bytes(pickle.dumps((columns, rows)))
                counts[table] = len(rows)
    return counts


def _loader(prefix: str) -> Any:
    """What writes the dumped rows into the tables, as they are, in the caller's
    transaction. The SQLite rows are unpickled here, before any clock starts."""
    from django.db import connection

    tables = _tables()
    if connection.vendor != "postgresql":
        # Our own dump of this run, written by `_dump` a moment ago.
        dumped = {t: pickle.loads(Path(f"{prefix}.{t}").read_bytes()) for t in tables}  # noqa: S301

    def load() -> None:
        with connection.cursor() as cursor:
            for table in tables:
                if connection.vendor == "postgresql":
                    path = Path(f"{prefix}.{table}")
                    with (
                        path.open("rb") as data,
                        cursor.cursor.copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy,
                    ):
                        while block := data.read(1 << 20):
                            copy.write(block)
                    continue
                columns, rows = dumped[table]
                names = ", ".join(columns)
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
                cursor.executemany(sql, rows)

    return load


def _sequences() -> None:
    """PostgreSQL: each table's id sequence past the rows loaded as they were."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in _tables()[:2]:  # the name pieces have no id
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1)) FROM {table}",
                [table],
            )


def _read_ledger(data: bytes) -> int:
    """Every cell of the first sheet as Python values, as the import's reader reads it."""
    import io

    from python_calamine import CalamineWorkbook

    rows = 0
    for _row in CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).iter_rows():
        rows += 1
    return rows - 1


# The rows of the work floor's ledger, read before its workers fork (they inherit them).
_ROWS: list[list[Any]] = []


def _answer_work(start: int, stop: int) -> None:
    """What the answer needs of each row, which the dumped final rows already hold: the
    cells' text cleaned, the ID number and phone checked, encrypted, hashed and masked,
    the birth date encrypted, the name's initials and pieces, the building found, the
    door's sort key (once a household, as the import makes it), the relation's word.
    The project's own functions, in the leanest loop this ledger allows (its columns
    are known), nothing collected or reported."""
    from datetime import date

    from jijie.areas.models import Area
    from jijie.core import text
    from jijie.core.identity import check_phone, check_resident_id
    from jijie.core.models import stored, stored_birth_date
    from jijie.residents.doors import door_sort
    from jijie.residents.imports.plan import RELATION_WORDS
    from jijie.residents.names import grams, initials

    buildings = dict(Area.objects.filter(kind="building").values_list("code", "pk"))
    today = date.today()
    doors: set[tuple[Any, Any]] = set()
    for row in _ROWS[start:stop]:
        _number, name, document, phone, code, door, relation, place = row[:8]
        name = (name if text.is_plain(name) else text.tidy(name)).strip()
        place = (place if text.is_plain(place) else text.tidy(place)).strip()[:100]
        checked = check_resident_id(document, today=today)
        stored("id", checked.value)
        stored_birth_date(checked.birth_date)
        stored("phone", check_phone(phone))
        initials(name)
        tuple(grams(name))
        if (buildings[code], door) not in doors:
            doors.add((buildings[code], door))
            door_sort(str(door))
        RELATION_WORDS.get(relation)


def _work_alongside(workers: int) -> list[Any]:
    """Forked processes doing `_answer_work` over equal parts of `_ROWS`, started."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each process opens its own
    size = -(-len(_ROWS) // workers)
    context = multiprocessing.get_context("fork")
    processes = [
        context.Process(target=_answer_work, args=(i * size, (i + 1) * size))
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    return processes


def _read_rows(data: bytes) -> list[list[Any]]:
    """The data rows of the first sheet, as Python values (the header left out)."""
    import io

    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).iter_rows()
    next(rows)
    return list(rows)


def child(mode: str, args: list[str]) -> dict[str, Any]:
    from bench.common import setup_django

    setup_django()
    from django.db import transaction

    from jijie.areas.models import Area

    if mode == "prepare":
        from jijie.areas.demo import build

        if not Area.objects.exists():
            build("seed", 2020)
        return {"areas": Area.objects.count()}
    if mode == "ledger":
        return make_ledgers(Path(args[0]), int(args[1]))
    if mode == "preload":  # untimed: a registry that already holds these rows
        load = _loader(args[0])
        with transaction.atomic():
            load()
        _sequences()
        return {}
    data = Path(args[0]).read_bytes()
    if mode == "import":
        from jijie.audit.actors import SYSTEM
        from jijie.residents.imports.commit import do_import_ledger

        before = _max_ids()
        with PeakMemory() as memory:
            start = time.perf_counter()
            plan = do_import_ledger(
                actor=SYSTEM, area=Area.objects.get(code=DISTRICT), data=data, commit=True
            )
            seconds = time.perf_counter() - start
        written = _dump(args[1], before)
        return {
            "seconds": round(seconds, 2),
            "rows": plan.rows_read,
            "errors": len(plan.errors),
            "written": written,
            "peak_mb": memory.mb,
        }
    if mode == "floor":
        from contextlib import nullcontext

        from django.conf import settings

        from jijie.residents.imports import bulk, reader

        load = _loader(args[1])
        first_load = "first" in args[2:]
        # The work floor: also the work each row needs for the answer, done alongside
        # the copy by as many processes as the import has (IMPORT_WORKERS), and the
        # sheet's extent checked as the import checks it before reading.
        work = "work" in args[2:]
        with PeakMemory() as memory:
            start = time.perf_counter()
            if work:
                reader._check_xlsx(data)
                _ROWS[:] = _read_rows(data)
                rows = len(_ROWS)
                workers = _work_alongside(settings.IMPORT_WORKERS)
            else:
                rows = _read_ledger(data)
            # Into an empty registry the best one can do is what the import does: the
            # tables' indexes and keys set aside, the rows copied, all rebuilt.
            with (
                transaction.atomic(),
                bulk.indexes_set_aside() if first_load else nullcontext(),
            ):
                load()
                if work:
                    for process in workers:
                        process.join()
                        if process.exitcode:
                            raise SystemExit("the work floor's worker failed")
            seconds = time.perf_counter() - start
        return {"seconds": round(seconds, 2), "rows": rows, "peak_mb": memory.mb}
    if mode == "limit":
        import io

        import psycopg
        from python_calamine import CalamineWorkbook

        with PeakMemory() as memory:
            start = time.perf_counter()
            cells = (
                CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
            )
            url = os.environ["BENCH_DATABASE_URL"]
            with psycopg.connect(url) as conn, conn.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMP TABLE ledger (n text, name text, id text, phone text,"
                    " building text, door text, relation text, place text)"
                )
                with cursor.copy("COPY ledger FROM STDIN") as copy:
                    for row in cells[1:]:
                        copy.write_row([str(v) for v in row])
            seconds = time.perf_counter() - start
        return {"seconds": round(seconds, 2), "rows": len(cells) - 1, "peak_mb": memory.mb}
    raise SystemExit(f"unknown mode {mode}")


# The ledgers ----------------------------------------------------------------------------


def _ledger_rows(people: int) -> Iterator[tuple[str, list[Any]]]:
    """The seed district's people, one row each, deterministic, with their building's
    street code."""
    import random
    from datetime import date, timedelta

    from jijie.areas.models import Area
    from jijie.residents.demo import (
        PLACES,
        RELATIONS_AFTER_HEAD,
        IdMaker,
        _name,
        _people_per_household,
    )

    rng = random.Random(2020)
    streets = {a.path: a.code for a in Area.objects.filter(kind__in=["street", "town"])}
    doors = [
        (b.code, next(c for p, c in streets.items() if b.path.startswith(p)), d)
        for b in Area.objects.filter(kind="building").order_by("path")
        for d in range(1, b.dwelling_count + 1)
    ]
    doors = doors[:people]  # a smaller run fills the first doors, one person or more each
    sizes = _people_per_household(len(doors), people, rng)
    ids = IdMaker(rng)
    number = 0
    relations = {
        "spouse": "配偶",
        "child": "子女",
        "parent": "父母",
        "grandchild": "孙子",
        "sibling": "兄弟姐妹",
    }
    for (code, street, door), size in zip(doors, sizes, strict=True):
        floor, unit = divmod(door - 1, 4)
        for index in range(size):
            number += 1
            born = date(2020, 2, 1) - timedelta(days=rng.randint(1, 90) * 365 + rng.randrange(365))
            relation = (
                "户主" if index == 0 else relations.get(RELATIONS_AFTER_HEAD[index - 1], "其他")
            )
            yield (
                street,
                [
                    number,
                    _name(rng),
                    ids.make(born, rng.random() < 0.5),
                    f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                    code,
                    f"{floor + 1}{unit + 1:02d}",
                    relation,
                    rng.choice(PLACES),
                ],
            )


def make_ledgers(path: Path, people: int) -> dict[str, Any]:
    """Three ledgers: the whole district (`path`), and its first and second halves by
    street (`path` with -a and -b), each with the header row. A run smaller than the
    district fills the first streets only, so it is cut in half by its rows instead."""
    from openpyxl import Workbook

    rows = list(_ledger_rows(people))
    streets = sorted({street for street, _row in rows})
    if len(streets) < 4:  # by building: the 5th cell
        rows = [(str(row[4]), row) for _street, row in rows]
    parts = list(dict.fromkeys(part for part, _row in rows))
    first_half = set(parts[: len(parts) // 2])
    books = {part: Workbook(write_only=True) for part in ("all", "a", "b")}
    sheets = {part: book.create_sheet("台账") for part, book in books.items()}
    counts = dict.fromkeys(books, 0)
    for sheet in sheets.values():
        sheet.append(COLUMNS)
    for street, row in rows:
        half = "a" if street in first_half else "b"
        for part in ("all", half):
            sheets[part].append(row)
            counts[part] += 1
    for part, book in books.items():
        book.save(_part(path, part))
    return counts


def _part(path: Path, part: str) -> Path:
    return path if part == "all" else path.with_name(f"{path.stem}-{part}{path.suffix}")


# The run --------------------------------------------------------------------------------


def _child(mode: str, url: str, *args: str) -> dict[str, Any]:
    """Run one step in a fresh process; return what it printed as JSON."""
    env = {**os.environ, "BENCH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "bench.registry_import", "--child", mode, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} on {url} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {mode:8} {' '.join(Path(a).name for a in args):40} {result}", flush=True)
    return result


def _admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _fresh_postgres(name: str) -> str:
    """A new database copied from the migrated one that holds the areas."""
    _admin(f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name} TEMPLATE {BASE_DB}")
    return f"{PG}/{name}"


def _fresh_sqlite(name: str) -> str:
    target = WORK / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(SQLITE_BASE, target)
    return f"sqlite:///{target}"


def _ratio(run: dict[str, Any], floor: dict[str, Any]) -> float:
    return round(run["seconds"] / floor["seconds"], 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--people", type=int, default=658_787)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1:])))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    ledger = WORK / f"ledger-{args.people}-v3.xlsx"
    dumps = WORK / "dump"
    dumps.mkdir(exist_ok=True)
    # The databases every run starts from: migrated, with the seed district's areas.
    _admin(f"DROP DATABASE IF EXISTS {BASE_DB}", f"CREATE DATABASE {BASE_DB}")
    _child("prepare", f"{PG}/{BASE_DB}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_BASE}{suffix}").unlink(missing_ok=True)
    _child("prepare", f"sqlite:///{SQLITE_BASE}")
    if not ledger.exists():
        _child("ledger", f"{PG}/{BASE_DB}", str(ledger), str(args.people))
    half_a, half_b = str(_part(ledger, "a")), str(_part(ledger, "b"))

    limit = _child("limit", _fresh_postgres("jijie_bench_import_limit"), str(ledger))
    # First load, PostgreSQL: the import, then the floor with its rows.
    first = _child(
        "import", _fresh_postgres("jijie_bench_import_first"), str(ledger), f"{dumps}/all"
    )
    first_floor = _child(
        "floor", _fresh_postgres("jijie_bench_import_floor"), str(ledger), f"{dumps}/all", "first"
    )
    first_work = _child(
        "floor",
        _fresh_postgres("jijie_bench_import_floor"),
        str(ledger),
        f"{dumps}/all",
        "first",
        "work",
    )
    # A district's load into a registry holding the other half of the streets.
    url = _fresh_postgres("jijie_bench_import_populated")
    held = _child("import", url, half_a, f"{dumps}/a")
    populated = _child("import", url, half_b, f"{dumps}/b")
    url = _fresh_postgres("jijie_bench_import_populated_floor")
    _child("preload", url, f"{dumps}/a")
    populated_floor = _child("floor", url, half_b, f"{dumps}/b")
    # First load, SQLite.
    sqlite = _child("import", _fresh_sqlite("import-first"), str(ledger), f"{dumps}/sqlite")
    sqlite_floor = _child(
        "floor", _fresh_sqlite("import-floor"), str(ledger), f"{dumps}/sqlite", "first"
    )
    sqlite_work = _child(
        "floor", _fresh_sqlite("import-floor"), str(ledger), f"{dumps}/sqlite", "first", "work"
    )

    data = {
        "people": args.people,
        "file_mb": round(ledger.stat().st_size / 2**20, 1),
        "people_held": held["rows"],
        "people_added": populated["rows"],
        "naive_limit": limit,
        "first_load": {
            **first,
            "floor": first_floor,
            "ratio": _ratio(first, first_floor),
            "work_floor": first_work,
            "work_ratio": _ratio(first, first_work),
        },
        "populated": {
            **populated,
            "floor": populated_floor,
            "ratio": _ratio(populated, populated_floor),
        },
        "sqlite_first_load": {
            **sqlite,
            "floor": sqlite_floor,
            "ratio": _ratio(sqlite, sqlite_floor),
            "work_floor": sqlite_work,
            "work_ratio": _ratio(sqlite, sqlite_work),
        },
        "first_load_vs_naive_limit": _ratio(first, limit),
    }

    def goal(ok: bool) -> str:
        return "yes" if ok else "NO"

    full = args.people == 658_787
    lines = [
        "# bench/registry_import.py",
        "",
        f"{args.people:,} people in one .xlsx ({data['file_mb']} MB) of the seed district; "
        f"the populated run adds {populated['rows']:,} people (the second half of the streets) "
        f"to a registry holding {held['rows']:,}.",
        "",
        "Floors: the same file read with python-calamine, then the import's own final rows "
        "written into the real tables (indexes and constraints included) in one transaction "
        "and committed — binary COPY on PostgreSQL, executemany on SQLite; for a first "
        "load, as the import does it, with the tables' secondary indexes (and on PostgreSQL "
        "keys) set aside and rebuilt after the copy. The naive limit "
        "(read + text COPY into an unindexed temporary table) is kept for continuity. Memory: "
        "the largest total PSS of the process and its workers.",
        "",
        "| run | seconds | floor s | × floor | peak MB (floor) | goal |",
        "|---|---|---|---|---|---|",
        f"| naive limit: calamine read + text COPY | {limit['seconds']} | | | {limit['peak_mb']} | |",
        f"| first load, PostgreSQL | {first['seconds']} | {first_floor['seconds']} | "
        f"{data['first_load']['ratio']} | {first['peak_mb']} ({first_floor['peak_mb']}) | "
        f"≤ {FIRST_LOAD_RATIO}×: {goal(data['first_load']['ratio'] <= FIRST_LOAD_RATIO)}"
        + (
            f"; ≤ {FIRST_LOAD_SECONDS} s: {goal(first['seconds'] <= FIRST_LOAD_SECONDS)}"
            if full
            else ""
        )
        + f"; ≤ {MEMORY_MB} MB: {goal(first['peak_mb'] <= MEMORY_MB)} |",
        f"| district into a populated registry, PostgreSQL | {populated['seconds']} | "
        f"{populated_floor['seconds']} | {data['populated']['ratio']} | "
        f"{populated['peak_mb']} ({populated_floor['peak_mb']}) | "
        f"≤ {POPULATED_RATIO}×: {goal(data['populated']['ratio'] <= POPULATED_RATIO)}"
        f"; ≤ {MEMORY_MB} MB: {goal(populated['peak_mb'] <= MEMORY_MB)} |",
        f"| first load, SQLite | {sqlite['seconds']} | {sqlite_floor['seconds']} | "
        f"{data['sqlite_first_load']['ratio']} | {sqlite['peak_mb']} ({sqlite_floor['peak_mb']}) | |",
        "",
        "Work floors: the fair floor and, alongside its copy, the work each row needs for "
        "the answer and that the dumped rows already hold — the sheet's extent checked as "
        "the import checks it, then every row's text cleaned, ID number and phone checked, "
        "encrypted, hashed and masked, birth date encrypted, initials and name pieces made, "
        "building found, door's sort key made — by the project's own functions in the "
        "leanest loop this ledger allows, in as many processes as the import's workers "
        "(`IMPORT_WORKERS`), from rows they inherit: no checking of columns, no report, no "
        "handoff between processes.",
        "",
        "| first load | import s | work floor s | × work floor | peak MB (work floor) |",
        "|---|---|---|---|---|",
        f"| PostgreSQL | {first['seconds']} | {first_work['seconds']} | "
        f"{data['first_load']['work_ratio']} | {first_work['peak_mb']} |",
        f"| SQLite | {sqlite['seconds']} | {sqlite_work['seconds']} | "
        f"{data['sqlite_first_load']['work_ratio']} | {sqlite_work['peak_mb']} |",
        "",
        f"First load against the naive limit: {data['first_load_vs_naive_limit']}×.",
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    # A smaller run is a check, kept beside the full run's results, not over them.
    write("registry_import" if full else f"registry_import_{args.people}", data, "\n".join(lines))


if __name__ == "__main__":
    main()
