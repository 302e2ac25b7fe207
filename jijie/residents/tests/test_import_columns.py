"""Every column of a ledger's header is read as a field or said to be ignored; the
uploader can say what an ignored column holds; a person's category and a note are
imported, shown, edited and exported."""

import io

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jijie.core import pii
from jijie.residents.imports.commit import import_ledger
from jijie.residents.models import ImportJob, ImportStatus, Person
from jijie.residents.tests.fixtures import ID1, ID2, ID3


def xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CATEGORIES = xlsx(
    [
        ["序号", "姓名", "身份证号", "楼栋", "门牌号", "人员类别", "备注", "工作单位"],
        [1, "王小明", ID1, "1栋", "502", "户籍", "独居老人", "市一中"],
        [2, "李小红", ID2, "1栋", "502", "流动人口", "", "个体"],
        [3, "王小宝", ID3, "2栋", "301", "境外人员", "持护照入境", None],
    ]
)


def _person(document):
    return Person.objects.get(document_hash=pii.lookup_hash("id", document))


def test_every_header_column_is_mapped_or_listed_as_ignored(tree, actors):
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=CATEGORIES)
    assert [(c["letter"], c["header"], c["field"]) for c in plan.columns] == [
        ("A", "序号", ""),
        ("B", "姓名", "name"),
        ("C", "身份证号", "document_number"),
        ("D", "楼栋", "building"),
        ("E", "门牌号", "door_number"),
        ("F", "人员类别", "resident_type"),
        ("G", "备注", "note"),
        ("H", "工作单位", ""),
    ]


def test_category_and_note_are_imported(tree, actors):
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=CATEGORIES, commit=True)
    assert plan.errors == plan.warnings == []
    wang, li, bao = _person(ID1), _person(ID2), _person(ID3)
    assert (wang.resident_type, wang.note) == ("registered", "独居老人")
    assert (li.resident_type, li.note) == ("floating", "")
    assert (bao.resident_type, bao.note) == ("foreign", "持护照入境")


def test_csv_type_and_explanation_columns(tree, actors):
    text = f"姓名,身份证号,楼栋,门牌号,类型,情况说明\n王小明,{ID1},1栋,502,流动,租住三个月\n"
    import_ledger(actor=actors.manager, area=tree.grid, data=text.encode(), commit=True)
    assert (_person(ID1).resident_type, _person(ID1).note) == ("floating", "租住三个月")


def test_a_category_it_does_not_know_is_a_warning(tree, actors):
    text = f"姓名,身份证号,楼栋,门牌号,人员类别\n王小明,{ID1},1栋,502,其他人员\n"
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=text.encode())
    assert [(w.row, w.column, w.value) for w in plan.warnings] == [(2, "人员类别", "其他人员")]


def test_a_ledger_without_the_columns_keeps_what_is_registered(tree, actors):
    import_ledger(actor=actors.manager, area=tree.grid, data=CATEGORIES, commit=True)
    bare = f"姓名,身份证号,楼栋,门牌号\n李小红,{ID2},1栋,502\n王小宝,{ID3},2栋,301\n"
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=bare.encode(), commit=True)
    assert plan.summary()["people_unchanged"] == 2
    assert (_person(ID3).resident_type, _person(ID3).note) == ("foreign", "持护照入境")
    assert _person(ID2).resident_type == "floating"


def test_an_unknown_column_read_as_the_field_the_user_chose(tree, actors):
    data = xlsx(
        [
            ["姓名", "身份证号", "楼栋", "门牌号", "户口性质"],
            ["王小明", ID1, "1栋", "502", "流动"],
        ]
    )
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=data)
    assert plan.columns[4]["field"] == ""
    import_ledger(
        actor=actors.manager, area=tree.grid, data=data, commit=True, mapping={4: "resident_type"}
    )
    assert _person(ID1).resident_type == "floating"


def test_the_check_page_maps_a_column_and_checks_again(
    client, tree, actors, django_capture_on_commit_callbacks
):
    data = xlsx(
        [
            ["姓名", "身份证号", "楼栋", "门牌号", "户口性质", "情况"],
            ["王小明", ID1, "1栋", "502", "流动", "新租户"],
        ]
    )
    client.force_login(actors.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("residents:import_new"),
            {"area_code": tree.grid.code, "file": _upload(data)},
        )
    job = ImportJob.objects.get()
    page = client.get(response.url).content.decode()
    assert "import-column-map" in page
    assert "E · 户口性质" in page
    assert 'name="column_4"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("residents:import_columns", args=[job.pk]),
            {"column_4": "resident_type", "column_5": "note"},
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert job.column_map == {"4": "resident_type", "5": "note"}
    assert [c["field"] for c in job.report["columns"]][4:] == ["resident_type", "note"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("residents:import_confirm", args=[job.pk]))
    assert (_person(ID1).resident_type, _person(ID1).note) == ("floating", "新租户")


def test_only_the_uploader_maps_columns(client, tree, actors, django_capture_on_commit_callbacks):
    client.force_login(actors.manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("residents:import_new"),
            {"area_code": tree.grid.code, "file": _upload(CATEGORIES)},
        )
    job = ImportJob.objects.get()
    client.force_login(actors.lower)
    url = reverse("residents:import_columns", args=[job.pk])
    assert client.post(url, {"column_7": "note"}).status_code == 404
    job.refresh_from_db()
    assert job.column_map == {}


def test_the_person_page_shows_and_edits_category_and_note(client, tree, actors):
    import_ledger(actor=actors.manager, area=tree.grid, data=CATEGORIES, commit=True)
    wang = _person(ID1)
    client.force_login(actors.manager)
    page = client.get(reverse("residents:household", args=[wang.household_id])).content.decode()
    assert "独居老人" in page
    assert "户籍人口" in page
    form = client.get(reverse("residents:person_edit", args=[wang.pk])).content.decode()
    assert "独居老人" in form
    response = client.post(
        reverse("residents:person_edit", args=[wang.pk]),
        {
            "version": wang.version,
            "name": "王小明",
            "relation": "head",
            "document_type": "resident_id",
            "resident_type": "foreign",
            "note": "已返乡",
        },
    )
    assert response.status_code == 302
    wang.refresh_from_db()
    assert (wang.resident_type, wang.note) == ("foreign", "已返乡")


def test_the_ledger_export_carries_category_and_note(client, tree, actors):
    import_ledger(actor=actors.manager, area=tree.grid, data=CATEGORIES, commit=True)
    client.force_login(actors.manager)
    response = client.get(reverse("residents:export"), {"area": tree.community.code})
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    header = rows[1]
    by_name = {row[header.index("姓名")]: row for row in rows[2:]}
    assert by_name["王小宝"][header.index("人口类型")] == "境外人员"
    assert by_name["王小宝"][header.index("备注")] == "持护照入境"
    # and the export reads back in: the same people, unchanged
    again = import_ledger(actor=actors.manager, area=tree.grid, data=_masked_free(rows))
    assert again.summary()["people_unchanged"] == 3


def _masked_free(rows):
    """The exported rows with the full ID numbers put back (the export masks them)."""
    header = list(rows[1])
    ids = {"王小明": ID1, "李小红": ID2, "王小宝": ID3}
    body = []
    for row in rows[2:]:
        row = list(row)
        row[header.index("证件号码")] = ids[row[header.index("姓名")]]
        row[header.index("联系电话")] = None
        body.append(row)
    return xlsx([header, *body])


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("台账.xlsx", data)
