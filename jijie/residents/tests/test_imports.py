"""Importing ledgers as community workers keep them, and refusing what must be refused."""

import io
import pickle
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.core import pii
from jijie.residents import counts
from jijie.residents.imports import columns, reader
from jijie.residents.imports.commit import import_ledger
from jijie.residents.imports.plan import Planner, Row
from jijie.residents.models import PERSON_DETAIL_FIELDS, BuildingHouseholds, Household, Person
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)
from jijie.residents.tests.fixtures import BAD_CHECK, GOOD, ID1, ID2, ID3, ledger


def test_dry_run_reads_title_and_merged_headers_and_writes_nothing(tree, actors):
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD))
    assert plan.errors == []
    assert plan.summary()["people_new"] == 3
    assert plan.summary()["households_new"] == 2
    assert not Person.objects.exists()
    assert not Household.objects.exists()


def test_commit_then_the_same_file_again_changes_nothing(tree, actors):
    data = ledger(GOOD)
    import_ledger(actor=actors.manager, area=tree.grid, data=data, commit=True)
    assert Person.objects.count() == 3
    wang = Person.objects.get(document_hash=pii.lookup_hash("id", ID1))
    assert (wang.household.door_number, wang.household.building.name, wang.relation) == (
        "502",
        "1栋",
        "head",
    )
    assert wang.phone_masked == "138****8000"
    assert Person.objects.get(document_hash=pii.lookup_hash("id", ID2)).relation == "spouse"
    # the buildings' kept household counts follow the import (a recount finds none wrong)
    assert sum(BuildingHouseholds.objects.values_list("households", flat=True)) == 2
    assert counts.rebuild() == 0
    before = list(Person.objects.order_by("pk").values_list("pk", "version", "document_cipher"))
    again = import_ledger(actor=actors.manager, area=tree.grid, data=data, commit=True)
    assert again.summary()["people_unchanged"] == 3
    assert again.summary()["people_new"] == again.summary()["people_updated"] == 0
    assert (
        list(Person.objects.order_by("pk").values_list("pk", "version", "document_cipher"))
        == before
    )
    assert AuditEvent.objects.filter(action="registry.import").count() == 2


def test_a_corrected_row_updates_the_person(tree, actors):
    import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD), commit=True)
    fixed = [GOOD[0], (*GOOD[1][:3], "13900002222", *GOOD[1][4:]), GOOD[2]]
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=ledger(fixed), commit=True)
    assert plan.summary()["people_updated"] == 1
    li = Person.objects.get(document_hash=pii.lookup_hash("id", ID2))
    assert (li.phone_masked, li.version) == ("139****2222", 2)


def test_damaged_and_bad_cells_are_named_with_masked_values(tree, actors):
    rows = [
        ("张三", 4.41602198001011e17, "身份证", "13800138000", "1栋", "101", "户主"),  # Excel float
        (
            "李四",
            BAD_CHECK,
            "身份证",
            "12345",
            "1栋",
            "102",
            "户主",
        ),  # bad check digit, phone
        ("", ID3, "身份证", "", "9栋", "103", "户主"),  # no name, unknown building
        ("王五", ID1, "身份证", "", "1栋", "104", "户主"),
        ("王六", ID1, "身份证", "", "1栋", "105", "户主"),  # same ID as the row above
    ]
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=ledger(rows))
    problems = {(p.row, p.column): p for p in plan.errors}
    assert "表格软件" in problems[(4, "公民身份号码")].reason
    assert "校验位" in problems[(5, "公民身份号码")].reason
    assert problems[(5, "公民身份号码")].value == pii.mask("id", BAD_CHECK)
    assert problems[(5, "联系电话")].value == "*2345"
    assert "姓名" in problems[(6, "姓名")].reason
    assert "9栋" in problems[(6, "门牌号")].reason
    assert "第 7 行" in problems[(8, "公民身份号码")].reason
    assert plan.summary()["people_new"] == 1
    assert not any(BAD_CHECK in p.value for p in plan.errors)


def test_errors_stop_the_commit_unless_skipped(tree, actors):
    rows = [*GOOD, ("坏行", "123", "身份证", "", "1栋", "999", "户主")]
    with pytest.raises(ValidationError) as info:
        import_ledger(actor=actors.manager, area=tree.grid, data=ledger(rows), commit=True)
    assert "1 行有错误" in info.value.messages[0]
    assert not Person.objects.exists()
    plan = import_ledger(
        actor=actors.manager, area=tree.grid, data=ledger(rows), commit=True, skip_invalid=True
    )
    assert Person.objects.count() == 3
    assert plan.error_rows == 1


def test_commit_is_atomic(tree, actors, monkeypatch):
    from jijie.residents.imports import writer

    insert = writer._insert

    def fail_on_people(planner, model, columns, rows):
        if model is Person:
            raise RuntimeError("disk full")
        insert(planner, model, columns, rows)

    monkeypatch.setattr(writer, "_insert", fail_on_people)
    with pytest.raises(RuntimeError):
        import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD), commit=True)
    assert not Household.objects.exists()
    assert not AuditEvent.objects.filter(action="registry.import").exists()


def test_someone_registered_elsewhere_is_an_error(tree, actors):
    from jijie.areas.models import Area

    far = do_household_register(
        actor=SYSTEM, building=Area.objects.get(code="441602004002-01-001"), door_number="1"
    )
    do_person_add(actor=SYSTEM, household=far, data=PersonData(name="王小明", document_number=ID1))
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD))
    assert any("以外" in p.reason for p in plan.errors)


def test_csv_in_gbk_and_utf8(tree, actors):
    text = (
        "姓名,身份证号,手机号码,楼栋,门牌号,与户主关系\n王小明,"
        + ID1
        + ",13800138000,1栋,502,户主\n"
    )
    for data in (text.encode("gb18030"), text.encode("utf-8-sig"), text.encode("utf-8")):
        plan = import_ledger(actor=actors.manager, area=tree.grid, data=data)
        assert plan.errors == []
        assert plan.summary()["people_new"] == 1


def test_address_column_is_split_into_building_and_door(tree, actors):
    text = "姓名,身份证号,住址\n王小明," + ID1 + ",新港路1栋502\n"
    plan = import_ledger(actor=actors.manager, area=tree.community, data=text.encode())
    assert plan.errors == []
    assert plan.households_new == 1
    import_ledger(actor=actors.manager, area=tree.community, data=text.encode(), commit=True)
    assert Household.objects.get().building == tree.building
    assert Household.objects.get().door_number == "502"


def _zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7 not a sheet", "不是表格"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "不是表格"),
        (b"", "空"),
        (b"PK\x03\x04garbage", "损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1garbage", "损坏"),
        ("标题\n随便,什么\n".encode(), "表头"),
    ],
)
def test_files_that_are_refused(tree, actors, data, reason):
    with pytest.raises(reader.RefusedFile) as info:
        import_ledger(actor=actors.manager, area=tree.grid, data=data)
    assert reason in str(info.value)


def test_zip_bomb_is_refused(tree, actors):
    with pytest.raises(reader.RefusedFile) as info:
        import_ledger(actor=actors.manager, area=tree.grid, data=_zip_bomb())
    assert "解压" in str(info.value)


def test_size_and_row_limits(tree, actors, monkeypatch):
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 1000)
    with pytest.raises(reader.RefusedFile, match="太大"):
        import_ledger(actor=actors.manager, area=tree.grid, data=b"x" * 2000)
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 10**8)
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    with pytest.raises(reader.RefusedFile, match="行"):
        import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD))


@pytest.mark.parametrize(("who", "error"), [("guard", PermissionDenied), ("outsider", Http404)])
def test_only_registry_keepers_of_the_area_import(tree, actors, who, error):
    with pytest.raises(error):
        import_ledger(actor=getattr(actors, who), area=tree.grid, data=ledger(GOOD))


def test_an_edit_between_check_and_import_stops_the_import(tree, actors):
    from jijie.residents.services import person_update

    import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD), commit=True)
    fixed = [GOOD[0], (*GOOD[1][:3], "13900002222", *GOOD[1][4:]), GOOD[2]]
    checked = import_ledger(actor=actors.manager, area=tree.grid, data=ledger(fixed))
    person = Person.objects.get(document_hash=pii.lookup_hash("id", ID2))
    assert checked.versions == {person.pk: person.version}
    # A colleague corrects her name after the check...
    person_update(
        actor=actors.lower,
        person=person,
        data=PersonData(name="李晓红", document_number=ID2, phone="13900001111"),
        version=person.version,
    )
    # ...so the import, which would put the old name back, stops and says why.
    with pytest.raises(ValidationError, match="修改"):
        import_ledger(
            actor=actors.manager,
            area=tree.grid,
            data=ledger(fixed),
            commit=True,
            expected_versions=checked.versions,
        )
    person.refresh_from_db()
    assert (person.name, person.phone_masked) == ("李晓红", "139****1111")


def test_an_unchanged_person_edited_after_the_check_is_not_overwritten(tree, actors):
    from jijie.residents.services import person_update

    import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD), commit=True)
    checked = import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD))
    assert checked.versions == {}
    assert checked.unchanged == 3
    person = Person.objects.get(document_hash=pii.lookup_hash("id", ID1))
    person_update(
        actor=actors.lower,
        person=person,
        data=PersonData(name="王晓明", document_number=ID1),
        version=person.version,
    )
    with pytest.raises(ValidationError, match="第 4 行"):
        import_ledger(
            actor=actors.manager,
            area=tree.grid,
            data=ledger(GOOD),
            commit=True,
            expected_versions=checked.versions,
        )
    person.refresh_from_db()
    assert person.name == "王晓明"


def test_building_code_column_is_exact_and_unambiguous(tree, actors):
    text = (
        "姓名,身份证号,楼栋代码,门牌号\n"
        f"王小明,{ID1},441602004001-01-001,502\n"
        f"李小红,{ID2},441602004001-99-999,1\n"
    )
    plan = import_ledger(actor=actors.manager, area=tree.community, data=text.encode())
    assert plan.households_new == 1
    assert [p.row for p in plan.errors] == [3]
    import_ledger(
        actor=actors.manager,
        area=tree.community,
        data=text.encode(),
        commit=True,
        skip_invalid=True,
    )
    assert Person.objects.get().household.building == tree.building
    assert "441602004001-99-999" in plan.errors[0].reason


def test_old_excel_xls_with_a_title_row_and_a_number_id(tree, actors):
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("台账")
    rows: list[list[object]] = [
        ["新港路社区居民登记表"],
        ["姓名", "身份证号", "联系电话", "楼栋", "门牌号", "与户主关系"],
        ["王小明", ID1, "13800138000", "1栋", "502", "户主"],
        ["张三", 441602198001010000.0, "", "1栋", "503", "户主"],  # typed as a number
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=buffer.getvalue())
    assert plan.summary()["people_new"] == 1
    assert [(p.row, p.column) for p in plan.errors] == [(4, "身份证号")]
    assert "表格软件" in plan.errors[0].reason


def test_large_files_are_checked_by_worker_processes_with_the_same_result(
    tree, actors, monkeypatch, settings
):
    from jijie.residents.imports import commit, plan

    rows = [*GOOD, ("坏行", "123", "身份证", "", "1栋", "999", "户主"), GOOD[0]]
    alone = import_ledger(actor=actors.manager, area=tree.grid, data=ledger(rows))
    monkeypatch.setattr(commit, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(plan, "SLICE_ROWS", 2)  # several slices, more than the workers
    settings.IMPORT_WORKERS = 2
    forked = import_ledger(actor=actors.manager, area=tree.grid, data=ledger(rows))
    assert forked.summary() == alone.summary()
    assert forked.errors == alone.errors
    assert [p.reason for p in forked.errors if p.row == 8] == ["与第 4 行的证件号码重复。"]
    done = import_ledger(
        actor=actors.manager, area=tree.grid, data=ledger(rows), commit=True, skip_invalid=True
    )
    assert done.summary()["people_new"] == 3
    assert Person.objects.count() == 3


def test_checked_rows_cross_between_processes_as_plain_values(tree, actors):
    # Rows checked in a worker are unpickled by the importing process, which every row
    # waits for: an enum member, a list or a set in a row costs it more than the rest.
    import pickle
    import pickletools

    from jijie.residents.imports import columns
    from jijie.residents.imports.plan import Planner, Row

    sheet = reader.read(ledger(GOOD))
    rows = list(sheet.rows())
    layout = columns.find_layout(rows[:20])
    assert layout is not None
    planner = Planner(area=tree.grid, layout=layout)
    checked = planner.check([(n, row) for n, row in enumerate(rows[3:], start=4)])
    assert [Row(*r).detail("relation") for r in checked.rows] == ["head", "spouse", "child"]
    for row in checked.rows:
        ops = [op.name for op, _arg, _pos in pickletools.genops(pickle.dumps(row, protocol=5))]
        # No class to call (not even the row's own) and no list, set or dict to rebuild.
        assert not any("GLOBAL" in op or "REDUCE" in op or "NEWOBJ" in op for op in ops)
        assert not set(ops) & {"EMPTY_LIST", "EMPTY_SET", "EMPTY_DICT", "APPENDS", "ADDITEMS"}


def test_a_checked_batch_crosses_between_processes_whole(tree, actors):
    # The rows and documents go as one marshal blob inside the pickle: every row, its
    # problems and the totals row's note arrive as they were.
    rows = [
        *GOOD,
        ("合计", "", "", "", "", "", "3人"),
        ("钱七", "1234", "身份证", "", "1栋", "101", "户主"),
    ]
    sheet = reader.read(ledger(rows))
    cells = list(sheet.rows())
    layout = columns.find_layout(cells[:20])
    assert layout is not None
    planner = Planner(area=tree.grid, layout=layout)
    checked = planner.check(list(enumerate(cells[3:], start=4)))
    assert len(checked.rows) == 3
    assert checked.read == 4
    assert [p.row for p in checked.errors] == [8]
    assert [p.row for p in checked.notes] == [7]
    crossed = pickle.loads(pickle.dumps(checked))  # noqa: S301 - made just above
    assert crossed == checked
    assert len(crossed.documents) == 3


def test_a_checked_rows_details_are_in_the_registrys_order(tree, actors):
    # The check builds a row's details by position: each lands in its own field.
    sheet = reader.read(ledger(GOOD[:1]))
    cells = list(sheet.rows())
    layout = columns.find_layout(cells[:20])
    assert layout is not None
    planner = Planner(area=tree.grid, layout=layout)
    (row,) = planner.check([(4, cells[3])]).rows
    details = Row(*row).details()
    assert list(details) == list(PERSON_DETAIL_FIELDS)
    assert details["name"] == "王小明"
    assert details["name_initials"] == "wxm"
    assert details["relation"] == "head"
    assert details["resident_type"] == "registered"
    assert details["document_type"] == "resident_id"
    assert details["document_masked"] == pii.mask("id", ID1)
    assert details["document_tail"] == ID1[-4:]
    assert details["document_hash"] == pii.lookup_hash("id", ID1)
    assert details["phone_masked"] == "138****8000"
    assert details["phone_tail"] == "8000"
    assert details["phone_hash"] == pii.lookup_hash("phone", "13800138000")
    assert details["birth_year"] == int(ID1[6:10])
    assert details["sex"] == ("M" if int(ID1[16]) % 2 else "F")
    assert pii.decrypt(details["document_cipher"]) == ID1
    assert pii.decrypt(details["phone_cipher"]) == "13800138000"
    assert pii.decrypt(details["birth_date_cipher"]).startswith(ID1[6:10])
    assert details["register_place"] == ""
    assert details["note"] == ""


def test_problems_are_reported_in_row_order(tree, actors):
    # given a person registered outside the area (found while matching, after the rows'
    # own checks) in row 4, and a bad ID number in row 5
    far = do_household_register(
        actor=SYSTEM, building=Area.objects.get(code="441602004002-01-001"), door_number="1"
    )
    do_person_add(actor=SYSTEM, household=far, data=PersonData(name="王小明", document_number=ID1))
    rows = [GOOD[0], ("李四", BAD_CHECK, "身份证", "", "1栋", "102", "户主")]
    # when
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=ledger(rows))
    # then
    assert [p.row for p in plan.errors] == [4, 5]


@pytest.mark.parametrize(
    "totals",
    [
        ("合计", None, None, None, None, None, None),
        ("合 计:3人", None, None, None, None, None, None),
        (None, None, None, None, "总计", "3", "2户"),
        ("小计", "", "", "3", "", "", ""),
        ("共计", 3, None, None, None, None, None),
    ],
)
def test_a_totals_row_is_skipped_with_a_note(tree, actors, totals):
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=ledger([*GOOD, totals]))
    assert plan.errors == []
    assert plan.summary()["rows"] == 3
    assert [(n.row, n.reason) for n in plan.notes] == [(7, "合计行,已跳过。")]


def test_a_row_that_only_mentions_a_total_is_still_checked(tree, actors):
    row = ("合计", ID1, "身份证", "", "1栋", "101", "户主")  # a name, then a person's cells
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=ledger([row]))
    assert plan.notes == []
    assert plan.summary()["rows"] == 1


def test_a_sex_cell_contradicting_the_id_number_is_a_warning(tree, actors):
    # ID1's sex digit says male; the cell says female
    text = f"姓名,身份证号,性别,楼栋,门牌号\n王小明,{ID1},女,1栋,502\n李小红,{ID2},女,1栋,502\n"
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=text.encode(), commit=True)
    assert plan.errors == []
    assert [(w.row, w.column, w.value) for w in plan.warnings] == [(2, "性别", "女")]
    assert "证件号码" in plan.warnings[0].reason
    assert plan.summary()["people_new"] == 2  # still imported, with the ID's sex
    assert Person.objects.get(document_hash=pii.lookup_hash("id", ID1)).sex == "M"
    assert Person.objects.get(document_hash=pii.lookup_hash("id", ID2)).sex == "F"


def test_the_buildings_people_follow_an_import_that_adds_and_moves(tree, actors):
    import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD), commit=True)

    def people() -> dict[str, int]:
        return {
            Area.objects.get(pk=pk).name: n
            for pk, n in BuildingHouseholds.objects.values_list("pk", "people")
        }

    assert people() == {"1栋": 2, "2栋": 1}
    # the same file with 王小宝 now at 1栋 502: one person moves between buildings
    moved = [*GOOD[:2], ("王小宝", ID3, "身份证", "", "1栋", "502", "子")]
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=ledger(moved), commit=True)
    assert plan.summary()["people_updated"] == 1
    assert people() == {"1栋": 3, "2栋": 0}
    assert counts.rebuild() == 0
