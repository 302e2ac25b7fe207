"""Reading .xlsx, .xls and .csv safely.

What is refused before any parsing, with a message a community worker understands:
files over the size limit, files that are not spreadsheets (by their first bytes, not
their name), macro-enabled workbooks, .xlsx files whose parts would inflate past a
limit or at a suspicious ratio (zip bombs), and sheets over the row, column or cell
limits.

The spreadsheet library (calamine) holds a sheet as one dense rectangle from its first
used cell to its last: two cells at A1 and XFD1000000 would ask for hundreds of GB. So
the cells of the first sheet are located first, streaming, at a cost bounded by the
cells actually present (for .xlsx a scan of the sheet's XML as it inflates, for .xls a
walk of the BIFF records), and a sheet whose rectangle is far larger than what it holds
is refused before calamine sees it.
"""

from __future__ import annotations

import csv
import io
import itertools
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

MAX_FILE_BYTES = 60 * 1024 * 1024
# What the parts of an .xlsx that are read may inflate to, together, and each part's
# ratio of inflated to stored size. A 650,000-person ledger's sheet is ~450 MB of XML
# stored at a ratio of ~10.
MAX_UNZIPPED_BYTES = 600 * 1024 * 1024
MAX_ZIP_RATIO = 120
MAX_ROWS = 1_000_000  # an .xlsx sheet holds 1,048,576 rows
MAX_COLUMNS = 200  # no ledger has more; a cell further right is a stray one
# calamine holds every cell of the rectangle, used or not (30-60 bytes each): the
# rectangle may be at most this many cells, and at most SPARSE_FACTOR times the cells
# present once past SPARSE_FLOOR.
MAX_CELLS = 20_000_000
SPARSE_FLOOR = 1_000_000
SPARSE_FACTOR = 4
CHUNK = 1024 * 1024

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class RefusedFile(Exception):  # noqa: N818 - a refusal, shown to the user as it is
    """The file cannot be imported at all; the message says why."""


@dataclass
class Sheet:
    """The first sheet of a file, read row by row: a district's ledger is never held as
    Python lists all at once."""

    kind: str  # "xlsx", "xls" or "csv"
    total: int  # rows in the sheet (for progress)
    _rows: Callable[[], Iterator[list[Any]]]

    def rows(self) -> Iterator[list[Any]]:
        """Every row from the first, as Python values (str, int, float, date...)."""
        return self._rows()

    def head(self, count: int) -> list[list[Any]]:
        return list(itertools.islice(self.rows(), count))


def _damaged() -> RefusedFile:
    return RefusedFile(_("文件已损坏,无法作为 Excel 表格打开。"))


def _bomb() -> RefusedFile:
    return RefusedFile(_("文件解压后异常巨大,可能是恶意文件,已拒绝。"))


def _macros() -> RefusedFile:
    return RefusedFile(
        _(
            "这是含有宏的工作簿。为了安全,不接受含宏的文件:请在 Excel 中另存为不含宏的 .xlsx 工作簿后重新导入。"
        )
    )


def _too_many_rows() -> RefusedFile:
    return RefusedFile(_("表格超过 %(limit)s 行,请分开导入。") % {"limit": MAX_ROWS})


def column_name(index: int) -> str:
    """The letters of a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class _Extent:
    """Where the cells holding something lie (0-based), and how many there are."""

    cells: int = 0
    max_row: int = -1
    max_col: int = -1
    min_row: int = 1 << 30
    min_col: int = 1 << 30

    def add(self, row: int, col: int, count: int = 1) -> None:
        self.cells += count
        self.max_row = max(self.max_row, row)
        self.min_row = min(self.min_row, row)
        self.max_col = max(self.max_col, col)
        self.min_col = min(self.min_col, col)

    def check(self) -> None:
        """Refuse a sheet whose rectangle calamine would build is out of bounds."""
        if self.cells == 0:
            return
        if self.max_row >= MAX_ROWS:
            raise _too_many_rows()
        if self.max_col >= MAX_COLUMNS:
            raise RefusedFile(
                _(
                    "表格第一个工作表的 %(column)s 列有内容,超过了 %(limit)s 列。台账不会有这么多列:请删除右侧多余的内容(或只复制台账到新表格)后重新导入。"
                )
                % {"column": column_name(self.max_col), "limit": MAX_COLUMNS}
            )
        rectangle = (self.max_row - self.min_row + 1) * (self.max_col - self.min_col + 1)
        if rectangle > MAX_CELLS or rectangle > max(SPARSE_FLOOR, SPARSE_FACTOR * self.cells):
            raise RefusedFile(
                _(
                    "表格第一个工作表只有 %(cells)s 个单元格有内容,却分布到了第 %(row)s 行、%(column)s 列,读取它会占用过多内存。请删除远处多余的单元格(或只复制台账到新表格)后重新导入。"
                )
                % {
                    "cells": self.cells,
                    "row": self.max_row + 1,
                    "column": column_name(self.max_col),
                }
            )


# .xlsx -----------------------------------------------------------------------------------

# A cell's reference in the sheet's XML, `r="` searched as a literal: the fast scan.
_CELL_REF = re.compile(rb'r="([A-Z]{1,7})([0-9]{1,10})"')
_CELL_TAGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>]")
# The exact walk for a sheet whose cells do not all carry their reference.
_TOKEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)\b([^>]*?)(/?)>")
_ROW_ATTR = re.compile(rb'\sr="([0-9]{1,10})"')
_REF_ATTR = re.compile(rb'\sr="([A-Z]{1,7})([0-9]{1,10})"')


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


class _Budget:
    """The bytes the parts that are read may still inflate to."""

    def __init__(self) -> None:
        self.left = MAX_UNZIPPED_BYTES

    def stream(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The part's bytes as they inflate; refused past the part's ratio or the
        budget, whatever size its header claims."""
        allowed = min(self.left, max(info.compress_size, 1) * MAX_ZIP_RATIO)
        if info.file_size > allowed:
            raise _bomb()
        read = 0
        try:
            with archive.open(info) as part:
                while chunk := part.read(CHUNK):
                    read += len(chunk)
                    if read > allowed:
                        raise _bomb()
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
            raise _damaged() from None
        except (NotImplementedError, RuntimeError):  # a compression or encryption
            raise _damaged() from None  # that no spreadsheet uses
        self.left -= read

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        return b"".join(self.stream(archive, info))


def _attribute(tag: bytes, name: bytes) -> str | None:
    found = re.search(rb"(?:^|\s)(?:[\w.-]+:)?" + name + rb'\s*=\s*"([^"]*)"', tag)
    return found.group(1).decode("utf-8", "replace") if found else None


def _first_sheet(archive: zipfile.ZipFile, budget: _Budget) -> str:
    """The path of the workbook's first sheet, as calamine finds it (read with a regular
    expression, not an XML parser: no entity of the file is ever expanded)."""
    try:
        workbook = budget.read(archive, archive.getinfo("xl/workbook.xml"))
        rels = budget.read(archive, archive.getinfo("xl/_rels/workbook.xml.rels"))
    except KeyError:
        raise _damaged() from None
    sheet = re.search(rb"<(?:[\w.-]+:)?sheet\s([^>]*)>", workbook)
    wanted = _attribute(sheet.group(1), b"id") if sheet else None
    for rel in re.finditer(rb"<(?:[\w.-]+:)?Relationship\s([^>]*)>", rels):
        if wanted is not None and _attribute(rel.group(1), b"Id") == wanted:
            target = _attribute(rel.group(1), b"Target") or ""
            if target.startswith("/"):
                return target[1:]
            return posixpath.normpath(posixpath.join("xl", target))
    raise _damaged()


def _xlsx_extent(chunks: Iterator[bytes]) -> tuple[_Extent, bool]:
    """The reach of the cells of a sheet's XML at C speed, empty cells counted, and
    whether every cell gave its reference: an upper bound of what calamine builds."""
    extent = _Extent()
    every_cell_placed = True
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        cut = data.rfind(b">") + 1
        data, carry = data[:cut], data[cut:]
        if len(carry) > 16 * CHUNK:  # no tag closes: not a sheet
            raise _damaged()
        found = _CELL_REF.findall(data)
        tags = data.count(b"<c ") + data.count(b"<c>")
        if b":c" in data:  # a namespace prefix, maybe: counted the slow way
            tags = len(_CELL_TAGS.findall(data))
        if tags > len(found):
            every_cell_placed = False
        if found:
            rows = list(map(int, set(map(itemgetter(1), found))))
            columns = list(map(_column_index, set(map(itemgetter(0), found))))
            extent.add(max(rows) - 1, max(columns), len(found))
            extent.add(min(rows) - 1, min(columns), 0)
    return extent, every_cell_placed


def _xlsx_extent_exact(chunks: Iterator[bytes]) -> _Extent:
    """The cells of a sheet's XML placed as calamine places them: a row or cell without
    its reference follows the one before it."""
    extent = _Extent()
    row, col = -1, -1
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        cut = data.rfind(b">") + 1
        data, carry = data[:cut], data[cut:]
        if len(carry) > 16 * CHUNK:
            raise _damaged()
        for match in _TOKEN.finditer(data):
            kind, attributes, empty = match.groups()
            if kind == b"row":
                number = _ROW_ATTR.search(attributes)
                row = int(number.group(1)) - 1 if number else row + 1
                col = -1
                continue
            ref = _REF_ATTR.search(attributes)
            if ref:
                col, at = _column_index(ref.group(1)), int(ref.group(2)) - 1
            else:
                col, at = col + 1, row  # the row element's row, not the last cell's
            if not empty:
                extent.add(max(at, 0), col)
    return extent


def _check_xlsx(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        raise _damaged() from None
    names = [info.filename for info in infos]
    if "[Content_Types].xml" not in names:
        raise RefusedFile(_("这个压缩文件不是 Excel 表格。"))
    if len(set(names)) != len(names):  # which one a reader takes is its own choice
        raise _damaged()
    # What the headers claim, all members together: the cheap first look. It is not
    # enough (a member that is not read can pad the ratio, a header can lie), so the
    # parts that are read are then measured as they inflate.
    total = sum(info.file_size for info in infos)
    packed = sum(max(info.compress_size, 1) for info in infos)
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
        raise _bomb()
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _macros()
    budget = _Budget()
    types = budget.read(archive, archive.getinfo("[Content_Types].xml"))
    if b"macroenabled" in types.lower():
        raise _macros()
    sheet = _first_sheet(archive, budget)
    for name in ("xl/sharedStrings.xml", "xl/styles.xml"):
        if name in names:
            for _chunk in budget.stream(archive, archive.getinfo(name)):
                pass
    try:
        sheet_info = archive.getinfo(sheet)
    except KeyError:
        raise _damaged() from None
    left = budget.left
    extent, every_cell_placed = _xlsx_extent(budget.stream(archive, sheet_info))
    if every_cell_placed:
        try:
            extent.check()
            return
        except RefusedFile:
            pass  # an empty cell far away may be what reached so far: walk it exactly
    budget.left = left
    _xlsx_extent_exact(budget.stream(archive, sheet_info)).check()


# .xls ------------------------------------------------------------------------------------

_END = 0xFFFFFFFE
# BIFF records that place one cell (row and column are their first two 16-bit fields),
# and the two that place a run of cells in one row. BLANK and MULBLANK hold no value.
_CELL_RECORDS = frozenset({0x0006, 0x0203, 0x00FD, 0x0204, 0x027E, 0x0205, 0x00D6, 0x0406})
_MULRK = 0x00BD
_BLANK, _MULBLANK, _DIMENSIONS = 0x0201, 0x00BE, 0x0200


class _Compound:
    """Just enough of the compound file format (MS-CFB) to read one stream."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise _damaged()
        self.data = data
        self.sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mini_sector = 1 << struct.unpack_from("<H", data, 0x20)[0]
        if self.sector not in (512, 4096) or self.mini_sector != 64:
            raise _damaged()
        first_dir, _x, cutoff, first_mini, _y, first_difat, difat_count = struct.unpack_from(
            "<7I", data, 0x30
        )
        self.cutoff = cutoff
        per_sector = self.sector // 4
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _END]
        sector = first_difat
        for _step in range(min(difat_count, len(data) // self.sector + 1)):
            if sector >= _END:
                break
            entries = struct.unpack_from(f"<{per_sector}I", self._sector(sector))
            fat_sectors += [s for s in entries[:-1] if s < _END]
            sector = entries[-1]
        self.fat: list[int] = []
        for fat_sector in fat_sectors:
            self.fat += struct.unpack_from(f"<{per_sector}I", self._sector(fat_sector))
        self.directory = self._chain(first_dir, self.fat, self._sector)
        root_start, root_size = self._entry(0)[2:]
        self.mini_stream = self._chain(root_start, self.fat, self._sector)[:root_size]
        minifat_bytes = self._chain(first_mini, self.fat, self._sector)
        self.minifat = list(struct.unpack_from(f"<{len(minifat_bytes) // 4}I", minifat_bytes))

    def _sector(self, number: int) -> bytes:
        start = (number + 1) * self.sector
        if start + self.sector > len(self.data):
            raise _damaged()
        return self.data[start : start + self.sector]

    def _mini(self, number: int) -> bytes:
        start = number * self.mini_sector
        if start + self.mini_sector > len(self.mini_stream):
            raise _damaged()
        return self.mini_stream[start : start + self.mini_sector]

    def _chain(self, start: int, table: list[int], read: Callable[[int], bytes]) -> bytes:
        parts: list[bytes] = []
        sector = start
        for _step in range(len(table) + 1):  # a chain that loops is damage
            if sector >= _END or sector >= len(table):
                return b"".join(parts)
            parts.append(read(sector))
            sector = table[sector]
        raise _damaged()

    def _entry(self, index: int) -> tuple[str, int, int, int]:
        entry = self.directory[index * 128 : index * 128 + 128]
        if len(entry) < 128:
            raise _damaged()
        length = min(struct.unpack_from("<H", entry, 64)[0], 64)
        name = entry[: max(length - 2, 0)].decode("utf-16-le", "replace")
        kind = entry[66]
        start, size = struct.unpack_from("<II", entry, 116)
        return name, kind, start, size

    def names(self) -> list[str]:
        return [self._entry(i)[0] for i in range(len(self.directory) // 128)]

    def stream(self, wanted: tuple[str, ...]) -> bytes:
        for index in range(len(self.directory) // 128):
            name, kind, start, size = self._entry(index)
            if kind == 2 and name in wanted:
                if size < self.cutoff:
                    return self._chain(start, self.minifat, self._mini)[:size]
                return self._chain(start, self.fat, self._sector)[:size]
        raise _damaged()


def _check_xls(data: bytes) -> None:
    try:
        _check_biff(data)
    except (struct.error, IndexError):
        raise _damaged() from None


def _check_biff(data: bytes) -> None:
    try:
        compound = _Compound(data)
        if any(name.upper() == "_VBA_PROJECT_CUR" for name in compound.names()):
            raise _macros()
        book = compound.stream(("Workbook", "Book"))
    except struct.error:
        raise _damaged() from None
    # The first sheet's substream starts where the first BOUNDSHEET record says.
    position = 0
    first_sheet = None
    while position + 4 <= len(book):
        kind, length = struct.unpack_from("<HH", book, position)
        if kind == 0x0085 and length >= 4:
            first_sheet = struct.unpack_from("<I", book, position + 4)[0]
            break
        if kind == 0x000A:  # the globals' EOF
            break
        position += 4 + length
    if first_sheet is None:
        return  # no sheet: calamine will say so
    extent = _Extent()
    blanks = 0
    declared = 0
    position, depth = first_sheet, 0
    while position + 4 <= len(book):
        kind, length = struct.unpack_from("<HH", book, position)
        body = position + 4
        if kind == _DIMENSIONS and length in (10, 14):
            declared = max(declared, _declared_cells(book[body : body + length]))
        elif kind == _BLANK:
            blanks += 1
        elif kind == _MULBLANK and length >= 6:
            blanks += max((length - 6) // 2, 0)
        elif kind in _CELL_RECORDS and length >= 4:
            row, col = struct.unpack_from("<HH", book, body)
            extent.add(row, col)
        elif kind == _MULRK and length >= 6:
            row, first = struct.unpack_from("<HH", book, body)
            last = struct.unpack_from("<H", book, body + length - 2)[0]
            if last >= first:
                extent.add(row, first)
                extent.add(row, last, last - first)
        elif kind == 0x0809:
            depth += 1
        elif kind == 0x000A:
            depth -= 1
            if depth <= 0:
                break
        position = body + length
    extent.check()
    # calamine reserves room for the rectangle the DIMENSIONS record declares: a byte
    # changed there asked for 181 GB. Blank formatted cells, which it covers, count.
    if declared > MAX_CELLS or declared > max(
        SPARSE_FLOOR, SPARSE_FACTOR * (extent.cells + blanks)
    ):
        raise _damaged()


def _declared_cells(record: bytes) -> int:
    """The cells of the rectangle a DIMENSIONS record declares (BIFF8 or BIFF5);
    an end before its start, which calamine would wrap around, counts as endless."""
    if len(record) == 14:
        first_row, end_row, first_col, end_col = struct.unpack_from("<IIHH", record)
    else:
        first_row, end_row, first_col, end_col = struct.unpack_from("<HHHH", record)
    if end_row < first_row or end_col < first_col:
        return 1 << 62
    return int((end_row - first_row) * (end_col - first_col))


# .csv ------------------------------------------------------------------------------------


def _decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RefusedFile(_("无法识别文件的文字编码,请另存为 UTF-8 或 GBK 编码的 CSV,或 Excel 表格。"))


def _delimiter(text: str) -> str:
    """Comma, unless the first lines use tabs or semicolons more (counted outside
    quotes, so a comma inside a quoted cell does not count)."""
    head = text[:65536].split("\n")[:20]
    counts = dict.fromkeys(",\t;", 0)
    for line in head:
        quoted = False
        for char in line:
            if char == '"':
                quoted = not quoted
            elif not quoted and char in counts:
                counts[char] += 1
    best = max("\t;", key=counts.__getitem__)
    return best if counts[best] > counts[","] else ","


def _csv_sheet(text: str) -> Sheet:
    """RFC 4180, whatever the first lines look like: cells in double quotes may hold the
    delimiter, line breaks and doubled quotes."""
    if "\x00" in text:
        raise RefusedFile(_("这不是表格文件。请上传 .xlsx、.xls 或 .csv 文件。"))
    delimiter = _delimiter(text)

    def reader() -> Iterator[list[str]]:
        return csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', doublequote=True)

    total = text.count("\n") + (0 if text.endswith("\n") else 1)
    if total > MAX_ROWS:  # a quoted cell may hold a line break, so this may overcount...
        total = sum(1 for _row in reader())
        if total > MAX_ROWS:  # ...and only the rows themselves are decisive
            raise _too_many_rows()

    def rows() -> Iterator[list[Any]]:
        yield from reader()

    return Sheet("csv", total, rows)


def check_size(size: int) -> None:
    """Refuse a file over the size limit (callers may check before reading it)."""
    if size > MAX_FILE_BYTES:
        raise RefusedFile(
            _("文件太大(%(size)s MB),单个文件不能超过 %(limit)s MB,请分开导入。")
            % {"size": size // (1024 * 1024), "limit": MAX_FILE_BYTES // (1024 * 1024)}
        )


def read(data: bytes) -> Sheet:
    """The first sheet of a file, checked and ready to be read row by row."""
    check_size(len(data))
    if not data.strip():
        raise RefusedFile(_("文件是空的。"))
    if data.startswith(XLSX_MAGIC):
        _check_xlsx(data)
        kind = "xlsx"
    elif data.startswith(XLS_MAGIC):
        _check_xls(data)
        kind = "xls"
    else:
        head = data[:2048]
        if b"\x00" in head or head.lstrip().startswith(
            (b"%PDF", b"<", b"{", b"\x89PNG", b"\xff\xd8")
        ):
            raise RefusedFile(_("这不是表格文件。请上传 .xlsx、.xls 或 .csv 文件。"))
        return _csv_sheet(_decode_csv(data))
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
    except Exception:  # calamine reports many kinds of damage; all mean the same here
        raise _damaged() from None
    except BaseException as error:  # a panic in calamine is pyo3's PanicException
        if type(error).__name__ == "PanicException":
            raise _damaged() from None
        raise
    if sheet.total_height > MAX_ROWS:
        raise _too_many_rows()
    # Rows are numbered from the sheet's first row; columns from its first used column,
    # so the empty columns to its left are put back.
    pad = [""] * sheet.start[1] if sheet.start else []
    if not pad:
        return Sheet(kind, sheet.total_height, sheet.iter_rows)

    def rows() -> Iterator[list[Any]]:
        for row in sheet.iter_rows():
            yield pad + row

    return Sheet(kind, sheet.total_height, rows)
