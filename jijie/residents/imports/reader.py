"""Reading .xlsx, .xls and .csv safely.

What is refused before any parsing, with a message a community worker understands:
files over the size limit, files that are not spreadsheets (by their first bytes, not
their name), .xlsx files whose zip would inflate past a limit or at a suspicious ratio
(zip bombs), and sheets over the row limit.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_UNZIPPED_BYTES = 600 * 1024 * 1024
MAX_ZIP_RATIO = 120
MAX_ROWS = 1_000_000  # an .xlsx sheet holds 1,048,576 rows

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


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise RefusedFile(_("文件已损坏,无法作为 Excel 表格打开。")) from None
    total = sum(info.file_size for info in archive.infolist())
    packed = sum(max(info.compress_size, 1) for info in archive.infolist())
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
        raise RefusedFile(_("文件解压后异常巨大,可能是恶意文件,已拒绝。"))
    if "[Content_Types].xml" not in archive.namelist():
        raise RefusedFile(_("这个压缩文件不是 Excel 表格。"))


def _decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RefusedFile(_("无法识别文件的文字编码,请另存为 UTF-8 或 GBK 编码的 CSV,或 Excel 表格。"))


def _too_many_rows() -> RefusedFile:
    return RefusedFile(_("表格超过 %(limit)s 行,请分开导入。") % {"limit": MAX_ROWS})


def _csv_sheet(text: str) -> Sheet:
    if "\x00" in text:
        raise RefusedFile(_("这不是表格文件。请上传 .xlsx、.xls 或 .csv 文件。"))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    total = text.count("\n") + (0 if text.endswith("\n") else 1)
    if total > MAX_ROWS:  # a quoted cell may hold a line break, so this may overcount...
        total = sum(1 for _row in csv.reader(io.StringIO(text), dialect))
        if total > MAX_ROWS:  # ...and only the rows themselves are decisive
            raise _too_many_rows()

    def rows() -> Iterator[list[Any]]:
        yield from csv.reader(io.StringIO(text), dialect)

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
        _check_zip(data)
        kind = "xlsx"
    elif data.startswith(XLS_MAGIC):
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
        raise RefusedFile(_("文件已损坏,无法作为 Excel 表格打开。")) from None
    if sheet.total_height > MAX_ROWS:
        raise _too_many_rows()
    # Rows are numbered from the sheet's first row; columns from its first used column,
    # so the empty columns to its left are put back.
    pad = [""] * sheet.start[1] if sheet.start else []

    def rows() -> Iterator[list[Any]]:
        for row in sheet.iter_rows():
            yield pad + row if pad else row

    return Sheet(kind, sheet.total_height, rows)
