"""No stored text can stop an export or make its file unreadable: every character a
spreadsheet file cannot hold is dropped by the one writer of cells."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from jijie.core import sheets

UNWRITABLE = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + [
    "\ud800",  # a lone surrogate
    "\udfff",
    "\ufffe",
    "\uffff",
]


def _round_trip(values: list[object]) -> tuple[object, ...]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(sheets.cells(sheet, values))
    book.properties.title = sheets.writable("".join(str(v) for v in values))
    buffer = io.BytesIO()
    book.save(buffer)
    return next(load_workbook(buffer).active.iter_rows(values_only=True))


@pytest.mark.parametrize("char", UNWRITABLE, ids=[f"U+{ord(c):04X}" for c in UNWRITABLE])
def test_a_character_a_sheet_cannot_hold_is_dropped_and_the_file_opens(char):
    assert _round_trip([f"王{char}小明", f"{char}=1+1", 3]) == ("王小明", "'=1+1", 3)


def test_what_a_sheet_can_hold_is_kept():
    kept = "𠮷野家 阿卜杜拉·买买提\u00a0\x85\ue000"
    assert _round_trip([kept]) == (kept,)
