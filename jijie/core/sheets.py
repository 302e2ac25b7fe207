"""The one way a cell leaves in a spreadsheet that Jijie writes.

Every value of every export goes through `cells` (or `text` for a styled one), whatever
its source: a person's name, a door number, an area's name a secretary typed, a
question's label, a heading built from them. Text is written as a text cell that no
spreadsheet evaluates, and text that one would evaluate once edited or saved as CSV
(`=HYPERLINK(...)`, `+cmd`, `@SUM`, a tab, CR, LF or NUL first) gets a leading
apostrophe, the OWASP remedy for formula injection. Control characters and the other
characters that a spreadsheet file may not hold are dropped, so that a stray NUL or
U+0001 in stored text can neither stop an export nor make its file unreadable.
Numbers, dates and empty cells are written as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
# What the file format cannot hold: C0 controls but tab, LF, CR (openpyxl refuses them
# with IllegalCharacterError), and what XML 1.0 excludes beyond them, which openpyxl
# writes and a spreadsheet then cannot open: lone surrogates, U+FFFE and U+FFFF.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def writable(value: str) -> str:
    """`value` without the control characters a spreadsheet file cannot hold: for the
    text that is not a cell (document properties, page headers and footers)."""
    return _UNWRITABLE.sub("", value)


def neutralise(value: str) -> str:
    """`value` as text no spreadsheet will run: without the characters a sheet cannot
    hold, then an apostrophe before a formula start (dropping them first, so that
    U+0001 then "=1+1" cannot come out as a bare "=1+1")."""
    value = writable(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def text(sheet: WriteOnlyWorksheet, value: object, *, font: Font | None = None) -> WriteOnlyCell:
    """A text cell: neutralised, typed as a string (never a number or a formula)."""
    cell = WriteOnlyCell(sheet, value=neutralise(str(value)))
    cell.data_type = "s"
    cell.number_format = "@"
    if font is not None:
        cell.font = font
    return cell


def _as_is(value: object) -> bool:
    if isinstance(value, bool):
        return False  # written as text, not as Excel's TRUE/FALSE
    return value is None or isinstance(value, Cell | int | float | Decimal | date)


def cells(sheet: WriteOnlyWorksheet, values: Iterable[object]) -> list[object]:
    """A row for `sheet.append`: each text a neutralised text cell, each number, date
    or empty value as it is, each cell already made (a styled one from `text`) kept."""
    return [value if _as_is(value) else text(sheet, value) for value in values]
