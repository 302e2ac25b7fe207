"""What the import's reader refuses, and that refusing costs no more memory than the
cells a file holds: every file is built here, by hand or with openpyxl and xlwt."""

from __future__ import annotations

import contextlib
import io
import os
import random
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import xlwt
from django.utils import translation
from openpyxl import Workbook, load_workbook

from jijie.areas.models import Area
from jijie.residents import exports
from jijie.residents.imports import reader
from jijie.residents.imports.commit import import_ledger
from jijie.residents.models import Person
from jijie.residents.tests.fixtures import ID1, ID2, ID3

ROOT = Path(__file__).resolve().parents[3]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def xlsx(
    cells: str, *, main_type: str = SHEET_TYPE, extra: dict[str, bytes] | None = None
) -> bytes:
    """A workbook of one sheet whose <sheetData> is `cells` (raw XML)."""
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><dimension ref="A1"/>'
        f"<sheetData>{cells}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
            '<sheet name="台账" sheetId="1" r:id="rId7"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId7" Type="{DOC}/worksheet"'
            ' Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def cell(ref: str, value: str = "1") -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


def xls(*cells: tuple[int, int, str | float]) -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("台账")
    for row, col, value in cells:
        sheet.write(row, col, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refusal(data: bytes) -> str:
    with pytest.raises(reader.RefusedFile) as refused:
        reader.read(data)
    return str(refused.value)


def rows(data: bytes) -> list[list[object]]:
    return list(reader.read(data).rows())


# 1. A sheet that declares or reaches far more than it holds --------------------------------


def _read_under_a_memory_cap(data: bytes, tmp_path: Path) -> str:
    """reader.read in a process that may map at most 1 GB: 'refused: ...' or 'read'."""
    path = tmp_path / "ledger.bin"
    path.write_bytes(data)
    script = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from django.conf import settings
        settings.configure(USE_I18N=False)
        from jijie.residents.imports import reader
        try:
            reader.read(open({str(path)!r}, "rb").read())
        except reader.RefusedFile as refused:
            print("refused:", refused)
        else:
            print("read")
        """
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (xlsx(f'<row r="1">{cell("A1")}</row><row r="1000000">{cell("XFD1000000")}</row>'), "XFD"),
        (xlsx(f'<row r="1">{cell("A1")}</row><row r="100000">{cell("CV100000")}</row>'), "100000"),
        # a cell that lies about its row (calamine trusts the cell's reference)
        (xlsx(f'<row r="1">{cell("A1")}<c r="GR900000"><v>1</v></c></row>'), "900000"),
        (xls((0, 0, "姓名"), (65535, 255, "x")), "IV"),
        (xls((0, 0, "姓名"), (65535, 150, "x")), "65536"),
    ],
    ids=["xlsx-XFD1000000", "xlsx-CV100000", "xlsx-lying-row", "xls-IV65536", "xls-EU65536"],
)
def test_a_stray_cell_far_away_is_refused_within_a_memory_cap(data, size, tmp_path):
    """calamine builds the whole rectangle up to the last cell: a 15 KB file asked for
    hundreds of GB and the process was killed; CV100000 alone took 300 MB."""
    assert len(data) < 20_000
    out = _read_under_a_memory_cap(data, tmp_path)
    assert out.startswith("refused:"), out
    assert size in out


def test_an_xls_declaring_a_huge_rectangle_is_refused_within_a_memory_cap(tmp_path):
    """calamine reserves room for what the DIMENSIONS record declares: one byte changed
    there asked for 181 GB and aborted the process."""
    data = bytearray(xls((0, 0, "姓名"), (1, 0, "王小明")))
    # DIMENSIONS (0x0200, 14 bytes): rows 0 to 2, columns 0 to 1.
    record = struct.pack("<HHIIHHH", 0x0200, 14, 0, 2, 0, 1, 0)
    at = data.find(record)
    assert at > 0
    data[at : at + len(record)] = struct.pack("<HHIIHHH", 0x0200, 14, 0, 0x36000002, 0, 5, 0)
    out = _read_under_a_memory_cap(bytes(data), tmp_path)
    assert out.startswith("refused:"), out


def test_an_xls_damaged_anywhere_is_refused_or_read():
    """A panic inside calamine is not an Exception (pyo3's PanicException): it went
    past the reader's net."""
    seed = xls((0, 0, "姓名"), (1, 0, "王小明"), (2, 1, 3.5))
    for position in range(512, len(seed)):
        damaged = bytearray(seed)
        damaged[position] ^= 0xFF
        with contextlib.suppress(reader.RefusedFile):
            list(reader.read(bytes(damaged)).rows())


def test_the_refusal_says_where_the_stray_cell_is_and_what_to_do():
    message = refusal(
        xlsx(f'<row r="1">{cell("A1")}</row><row r="100000">{cell("CV100000")}</row>')
    )
    assert "2 个单元格" in message
    assert "第 100000 行、CV 列" in message
    assert "删除" in message


def test_columns_up_to_the_limit_are_read_and_one_more_is_refused():
    assert reader.MAX_COLUMNS == 200
    assert rows(xlsx(f'<row r="1">{cell("A1")}{cell("GR1")}</row>'))[0][199] == 1
    assert "GS 列" in refusal(xlsx(f'<row r="1">{cell("A1")}{cell("GS1")}</row>'))
    assert len(rows(xls((0, 0, "姓名"), (0, 199, "x")))[0]) == 200
    assert "GS 列" in refusal(xls((0, 0, "姓名"), (0, 200, "x")))


def test_an_empty_formatted_cell_far_away_costs_nothing_and_is_not_refused():
    sheet = reader.read(
        xlsx(f'<row r="1">{cell("A1")}</row><row r="900000"><c r="XFD900000" s="1"/></row>')
    )
    assert sheet.total == 0
    assert list(sheet.rows()) == [[1]]


def test_a_sheet_of_cells_without_references_is_placed_as_calamine_places_it():
    # A row or cell without its reference follows the one before (which is legal).
    data = xlsx(f"<row>{cell('C5')}<c><v>2</v></c></row><row><c><v>3</v></c></row>")
    assert rows(data)[1][0] == 3
    far = xlsx(
        '<row r="1"><c><v>1</v></c></row><row r="200000"><c><v>1</v></c><c r="CV200000"><v>1</v></c></row>'
    )
    assert "第 200000 行" in refusal(far)


def test_a_sparse_real_ledger_is_read():
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "备注"])
    for number in range(3000):
        sheet.append([f"王{number}", None, "在家" if number % 3 else None])
    sheet.cell(row=3002, column=30, value="合计")  # a footer further right: small
    buffer = io.BytesIO()
    book.save(buffer)
    read = rows(buffer.getvalue())
    assert len(read) == 3002
    assert read[-1][29] == "合计"


# 2. Zip bombs: the parts that are read, measured as they inflate ---------------------------


def _rows_xml(count: int) -> bytes:
    row = "".join(cell(f"{col}{{n}}", "7") for col in "ABCDE")
    return "".join(
        f'<row r="{n}">' + row.replace("{n}", str(n)) + "</row>" for n in range(1, count + 1)
    ).encode()


def test_a_sheet_inflating_at_a_bomb_s_ratio_is_refused_even_beside_padding():
    """A large random member kept the whole archive's ratio under the cap while the
    sheet inflated at hundreds to one."""
    padding = random.Random(19).randbytes(2 * 1024 * 1024)  # stored at a ratio of ~1
    sheet = b"<row>" + b"<c><v>0</v></c>" * 1_000_000 + b"</row>"  # 15 MB, ~1000:1
    data = xlsx("", extra={"xl/media/image1.bin": padding})
    # the sheet written in place of the small one
    data = _with_member(
        data,
        "xl/worksheets/sheet1.xml",
        b"<worksheet><sheetData>" + sheet + b"</sheetData></worksheet>",
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    total = sum(i.file_size for i in archive.infolist())
    packed = sum(i.compress_size for i in archive.infolist())
    assert total / packed < reader.MAX_ZIP_RATIO  # the old guard let it through
    assert "解压" in refusal(data)


def test_the_parts_read_are_bounded_together(monkeypatch):
    monkeypatch.setattr(reader, "MAX_UNZIPPED_BYTES", 2 * 1024 * 1024)
    strings = random.Random(7).randbytes(1024 * 1024).hex().encode()  # 2 MB, ratio ~2
    data = xlsx(f'<row r="1">{cell("A1")}</row>', extra={"xl/sharedStrings.xml": strings})
    assert "解压" in refusal(data)


def test_a_part_whose_header_lies_about_its_size_is_refused():
    data = _with_member(
        xlsx(""),
        "xl/worksheets/sheet1.xml",
        b"<worksheet><sheetData>" + _rows_xml(20_000) + b"</sheetData></worksheet>",
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    real = struct.pack("<I", info.file_size)
    # The uncompressed size as the central directory and the local header give it.
    lying = data.replace(real, struct.pack("<I", 1000))
    assert lying != data
    assert "损坏" in refusal(lying)


def test_a_member_that_appears_twice_is_refused():
    data = xlsx(f'<row r="1">{cell("A1")}</row>')
    with pytest.warns(UserWarning, match="Duplicate"):
        data = _with_member(data, "xl/worksheets/sheet1.xml", b"<worksheet/>", replace=False)
    assert "损坏" in refusal(data)


def _with_member(data: bytes, name: str, content: bytes, *, replace: bool = True) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if not (replace and info.filename == name):
                archive.writestr(info.filename, source.read(info.filename))
        archive.writestr(name, content)
    return buffer.getvalue()


# 8. CSV per RFC 4180, whatever its first lines look like -----------------------------------


def test_a_doubled_quote_after_the_first_4_kb_stays_in_its_cell():
    plain = "".join(f"王{n},110101199001011234,新港路1栋{n}\n" for n in range(300))
    assert len(plain.encode()) > 4096
    text = (
        "姓名,身份证号,住址\n" + plain + '"阿卜杜拉""小明""",110101199001011234,"新港路1栋,502"\n'
    )
    last = rows(text.encode())[-1]
    assert last == ['阿卜杜拉"小明"', "110101199001011234", "新港路1栋,502"]


@pytest.mark.parametrize("delimiter", ["\t", ";", ","])
def test_the_delimiter_is_the_one_the_header_uses(delimiter):
    header = delimiter.join(["姓名", "身份证号", "住址"])
    body = delimiter.join(['"王,小明"', "110101199001011234", "新港路1栋502"])
    assert rows(f"{header}\n{body}\n".encode())[1] == [
        "王,小明",
        "110101199001011234",
        "新港路1栋502",
    ]


def test_a_comma_inside_quotes_in_the_header_does_not_choose_the_delimiter():
    text = '"姓名,全称";身份证号;住址\n王小明;110101199001011234;502\n'
    assert rows(text.encode())[0] == ["姓名,全称", "身份证号", "住址"]


# 9. Macro-enabled workbooks ----------------------------------------------------------------


def test_a_workbook_carrying_macros_is_refused_with_the_reason():
    with_vba = xlsx(
        f'<row r="1">{cell("A1")}</row>', extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}
    )
    message = refusal(with_vba)
    assert "宏" in message
    assert ".xlsx" in message


def test_a_macro_enabled_content_type_is_refused_even_without_its_project():
    assert "宏" in refusal(xlsx(f'<row r="1">{cell("A1")}</row>', main_type=MACRO_TYPE))


def test_an_xls_carrying_a_vba_project_is_refused():
    data = bytearray(xls((0, 0, "姓名")))
    root = data.find("Root Entry".encode("utf-16-le"))
    assert root > 0
    unused = root + 2 * 128  # the directory's third entry, unused: made a storage
    vba = "_VBA_PROJECT_CUR".encode("utf-16-le") + b"\x00\x00"
    data[unused : unused + 64] = vba.ljust(64, b"\x00")
    data[unused + 64 : unused + 67] = struct.pack("<HB", len(vba), 1)
    assert "宏" in refusal(bytes(data))


def test_a_plain_workbook_and_xls_are_still_read():
    book = Workbook()
    book.active.append(["姓名", "身份证号"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert rows(buffer.getvalue()) == [["姓名", "身份证号"]]
    assert rows(xls((0, 0, "姓名"), (1, 0, "王小明"))) == [["姓名"], ["王小明"]]


# 4. Names through the import: the one cleaning, and exports that cannot break ---------------


def test_imported_names_are_cleaned_and_found_by_search(tree, actors):
    from jijie.residents.selectors import person_search

    text = (
        "姓名,身份证号,住址\n"
        f"陈\u200b明\ufeff,{ID1},新港路1栋502\n"
        f"阿卜杜拉•买买提,{ID2},新港路1栋502\n"
        f"\u00a0𠮷野\u00a0\u00a0家,{ID3},新港路1栋502\n"
    )
    plan = import_ledger(actor=actors.manager, area=tree.community, data=text.encode(), commit=True)
    assert plan.errors == []
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(
        ["陈明", "阿卜杜拉·买买提", "𠮷野 家"]
    )
    assert [p.name for p in person_search(actor=actors.manager, query="陈明")] == ["陈明"]


def test_a_control_character_in_an_imported_name_is_an_error_naming_row_and_field(tree, actors):
    text = f"姓名,身份证号,住址\n陈\x01明,{ID1},新港路1栋502\n"
    plan = import_ledger(actor=actors.manager, area=tree.community, data=text.encode())
    [problem] = plan.errors
    assert problem.row == 2
    assert problem.column == "姓名"
    assert "U+0001" in problem.reason
    assert not Person.objects.exists()


def test_a_control_character_already_stored_cannot_break_the_export(tree, actors):
    text = f"姓名,身份证号,住址\n陈明,{ID1},新港路1栋502\n"
    import_ledger(actor=actors.manager, area=tree.community, data=text.encode(), commit=True)
    # as a row stored before the cleaning, or written behind its back
    Person.objects.update(name="\x01=陈\x1f明\ufffe")
    Area.objects.filter(pk=tree.community.pk).update(name="新港路\x02社区")
    buffer = io.BytesIO()
    assert exports.write_ledger(area=Area.objects.get(pk=tree.community.pk), target=buffer) == 1
    values = [v for row in load_workbook(buffer).active.iter_rows(values_only=True) for v in row]
    assert "'=陈明" in values
    assert not any(isinstance(v, str) and "\x01" in v for v in values)
