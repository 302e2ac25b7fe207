"""The lab's results file: a title row, other column names, every kind of bad row named
with nothing stored, the same file twice, and a positive tube's people put into home
isolation in one step. Files are built in the test."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from jijie.audit.models import AuditEvent
from jijie.care.models import IsolationCase
from jijie.testing import imports, services
from jijie.testing.models import Tube, TubeResult
from jijie.testing.tests.conftest import NOW, at

pytestmark = pytest.mark.django_db


def xlsx(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv(*lines: str) -> bytes:
    return "\n".join(lines).encode()


@pytest.fixture
def tubes(site, people, actors):
    """Three tubes: AB-0001 (people 0–2), AB-0002 (3–4), AB-0003 (5)."""
    for n, code in ((0, "AB-0001"), (1, "AB-0001"), (2, "AB-0001"), (3, "AB-0002"),
                    (4, "AB-0002"), (5, "AB-0003")):  # fmt: skip
        services.sample_register(
            actor=actors.grid_worker, site=site, barcode=code, person=people[n], now=NOW
        )
    return {t.barcode: t for t in Tube.objects.all()}


def test_a_lab_workbook_under_a_title_is_stored_whole(round_, tubes, actors):
    data = xlsx(
        ("新港路社区第一轮核酸检测结果",),
        ("序号", "样本编号", "检测结果", "检测机构"),
        (1, "ab-0001", "阳性", "市疾控"),
        (2, "AB-0002", "阴性", "市疾控"),
        (3, "AB-0003", " Negative ", "市疾控"),
    )
    done = imports.results_import(actor=actors.manager, round=round_, data=data, now=at(22))
    assert (done.recorded, done.unchanged) == (3, 0)
    assert [t.barcode for t in done.positives] == ["AB-0001"]
    found = {t.barcode: (t.result, t.result_at) for t in Tube.objects.select_related("lab")}
    assert found == {
        "AB-0001": (TubeResult.POSITIVE, at(22)),
        "AB-0002": (TubeResult.NEGATIVE, at(22)),
        "AB-0003": (TubeResult.NEGATIVE, at(22)),
    }
    assert Tube.objects.filter(sealed_at__isnull=True).count() == 0
    report = imports.check_results(round_, data)
    assert report.ignored_columns == ["序号", "检测机构"]
    # the same file again changes nothing
    again = imports.results_import(actor=actors.manager, round=round_, data=data, now=at(23))
    assert (again.recorded, again.unchanged) == (0, 3)
    assert Tube.objects.get(barcode="AB-0001").result_at == at(22)
    assert AuditEvent.objects.filter(action="testing.results_import").count() == 2


def test_every_bad_row_is_named_in_row_order_and_nothing_is_stored(round_, tubes, actors):
    services.result_record(actor=actors.manager, round=round_, barcode="AB-0003",
                           result="negative", now=at(21))  # fmt: skip
    data = csv(
        "管码,结果",
        "AB-0001,阴性",
        "AB-9999,阴性",  # no such tube
        "AB-0002,待定",  # no such result
        "AB-0001,阳性",  # the same tube twice
        "A\x01B,阴性",  # a control character
        "AB-0003,阳性",  # already negative
        "合计,5",
    )
    with pytest.raises(ValidationError) as refused:
        imports.results_import(actor=actors.manager, round=round_, data=data, now=at(22))
    said = refused.value.message_dict["file"]
    assert [line.split(":")[0] for line in said] == [
        "第 3 行", "第 4 行", "第 5 行", "第 6 行", "第 7 行",
    ]  # fmt: skip
    assert "本轮没有管码 AB-9999" in said[0]
    assert "无法识别的结果" in said[1]
    assert "与第 2 行的管码相同" in said[2]
    assert "控制字符" in said[3]
    assert "已是阴性" in said[4]
    assert Tube.objects.filter(lab__isnull=True).count() == 2
    assert imports.check_results(round_, data).skipped == [(8, "合计行,已跳过。")]


def test_a_long_file_reads_the_round_whole_and_finds_the_same(round_, tubes, actors, monkeypatch):
    # Past SCAN_ROUND_FROM barcodes the round's tubes are read whole instead of looked up:
    # the check finds the same tubes, results and open tubes either way.
    services.result_record(actor=actors.manager, round=round_, barcode="AB-0003",
                           result="negative", now=at(21))  # fmt: skip
    data = csv("管码,结果", "AB-0001,阳性", "AB-0002,阴性", "AB-0003,阴性", "AB-0404,阴性")
    looked_up = imports.check_results(round_, data)
    monkeypatch.setattr(imports, "SCAN_ROUND_FROM", 1)
    read_whole = imports.check_results(round_, data)
    assert looked_up == read_whole
    ids = {code: t.pk for code, t in tubes.items()}
    assert read_whole.rows == [
        (2, "AB-0001", "positive", ids["AB-0001"]),
        (3, "AB-0002", "negative", ids["AB-0002"]),
    ]
    assert read_whole.unsealed == [ids["AB-0001"], ids["AB-0002"]]
    assert (read_whole.unchanged, [p.row for p in read_whole.problems]) == (1, [5])


def test_a_file_without_its_columns_is_refused_saying_which(round_, tubes, actors):
    with pytest.raises(imports.RefusedFile, match="管码"):
        imports.check_results(round_, csv("姓名,结果", "张三,阴性"))


def test_a_positive_tubes_people_go_into_home_isolation_at_once(round_, tubes, people, actors):
    tube = services.result_record(
        actor=actors.manager, round=round_, barcode="AB-0001", result="positive", now=at(22)
    )
    done = services.tube_isolate(
        actor=actors.manager, tube=tube, days=14, supervisor_user=actors.grid_worker,
        now=at(22, 30),
    )  # fmt: skip
    assert [c.person for c in done.opened] == people[:3]
    assert (done.already, done.elsewhere) == ([], [])
    case = done.opened[0]
    assert (case.household, case.days, case.reason) == (
        people[0].household, 14, "核酸混管阳性(管码 AB-0001)",
    )  # fmt: skip
    # once more: everyone is already isolated, nothing opened twice
    again = services.tube_isolate(
        actor=actors.manager, tube=tube, days=14, supervisor_user=actors.grid_worker,
        now=at(23),
    )  # fmt: skip
    assert (again.opened, again.already) == ([], people[:3])
    assert IsolationCase.objects.count() == 3
    # a negative tube is refused
    negative = services.result_record(
        actor=actors.manager, round=round_, barcode="AB-0002", result="negative", now=at(22)
    )
    with pytest.raises(ValidationError, match="阳性管"):
        services.tube_isolate(
            actor=actors.manager, tube=negative, days=14, supervisor_user=actors.grid_worker
        )


def test_the_street_isolates_only_where_it_manages_care(round_, tubes, people, actors):
    # the street reads testing but does not manage care: everyone is listed, none opened
    tube = services.result_record(
        actor=actors.manager, round=round_, barcode="AB-0001", result="positive", now=at(22)
    )
    done = services.tube_isolate(
        actor=actors.street, tube=tube, days=14, supervisor_user=actors.grid_worker,
        now=at(22, 30),
    )  # fmt: skip
    assert (done.opened, done.elsewhere) == ([], people[:3])


def test_a_result_recorded_by_hand_after_the_check_refuses_the_whole_file(round_, tubes, actors):
    data = csv("管码,结果", "AB-0001,阴性", "AB-0002,阴性", "AB-0003,阳性")
    report = imports.check_results(round_, data)
    assert not report.problems
    # between the check and the store, the lab phones AB-0002's result in
    services.do_result_record(
        actor=actors.manager, round=round_, barcode="AB-0002", result="positive", now=at(21)
    )
    with pytest.raises(ValidationError, match="检查之后有结果被修改"):
        imports.do_results_import(actor=actors.manager, round=round_, report=report, now=at(22))
    found = {t.barcode: t.result for t in Tube.objects.all()}
    assert found == {"AB-0001": "pending", "AB-0002": "positive", "AB-0003": "pending"}
    assert not AuditEvent.objects.filter(action="testing.results_import").exists()
