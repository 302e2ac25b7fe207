"""Importing a branch's member contributions: one donation from the branch with one
receipt and a contribution per member, amounts read as the cells show them, a file with
a bad row saving nothing, totals rows skipped, other columns listed."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from openpyxl import Workbook

from jijie.funds import imports, selectors
from jijie.funds.models import Contribution, Donation, Posting, ReceiptSequence

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY = date(2026, 3, 9)
HEADER = ("序号", "姓名", "捐款金额(元)", "备注")


def contribution_list(rows, *, header=HEADER, title="第一党支部党员捐款名单"):
    """An .xlsx as a branch keeps it: a merged title row above the header."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([title])
    sheet.merge_cells("A1:D1")
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Sheet rows 3 to 8: a float cell, an int cell, a text cell, a blank row, a name shared
# by two members, and the totals at the foot.
GOOD = [
    (1, "王小明", 100.1, "微信转账"),
    (2, "李\u200b小红", 50, None),  # a zero-width space pasted in
    (3, "陈明", "200.00", None),
    (None, None, None, None),
    (4, "陈明", 30.5, None),
    ("合计", None, 380.6, None),
]


def import_list(books, actor, data, **kwargs):
    return imports.contributions_import(
        actor=actor, response=books.response, holder=books.street, fund=books.donations,
        branch="源西街道第一党支部", received_on=DAY, disclose=True, data=data, now=NOW,
        **kwargs,
    )  # fmt: skip


def stored_counts():
    return (
        Donation.objects.count(),
        Contribution.objects.count(),
        Posting.objects.count(),
        ReceiptSequence.objects.filter(last__gt=0).count(),
    )


def test_a_list_is_read_row_by_row_as_the_cells_show_it():
    report = imports.check_contributions(contribution_list(GOOD))
    assert report.rows == [
        (3, "王小明", Decimal("100.10")),  # the float 100.1, not 100.0999999999999943…
        (4, "李小红", Decimal("50.00")),
        (5, "陈明", Decimal("200.00")),
        (7, "陈明", Decimal("30.50")),  # two members may share a name
    ]
    assert report.total == Decimal("380.60")
    assert report.problems == []
    assert report.skipped == [(8, "合计行,不计入明细。")]  # the blank row 6 silently
    assert report.ignored_columns == ["序号", "备注"]


def test_a_branch_list_is_one_donation_with_one_receipt_and_its_members(books, actors):
    before = Posting.objects.count()
    donation = import_list(books, actors.street, contribution_list(GOOD))
    assert (donation.donor_kind, donation.donor, donation.amount, donation.receipt_no) == (
        "branch_members", "源西街道第一党支部", Decimal("380.60"), "2026-000001",
    )  # fmt: skip
    # the donation says what the import skipped and which columns it did not read
    assert donation.note == "党员捐款名单导入,共 4 人。跳过第 8 行。未导入的列:序号、备注。"
    assert list(donation.contributions.order_by("id").values_list("row", "name", "amount")) == [
        (3, "王小明", Decimal("100.10")),
        (4, "李小红", Decimal("50.00")),
        (5, "陈明", Decimal("200.00")),
        (7, "陈明", Decimal("30.50")),
    ]
    assert Posting.objects.count() == before + 1
    assert donation.posting.amount == Decimal("380.60")
    assert selectors.fund_totals(books.donations).received == Decimal("380.60")
    assert selectors.ledger_disagreements() == []


def test_a_list_with_bad_rows_saves_nothing_and_names_each_row_and_column(books, actors):
    data = contribution_list(
        [
            (1, "王小明", 100.1, None),
            (2, "李小红", "abc", None),
            (3, "张三", "1,000", None),
            (4, "李四", "-5", None),
            (5, "王五", "0.001", None),
            (6, None, 20, None),
            (7, "\u200b", 10, None),  # nothing a reader sees
            (8, "钱七", 1e-05, None),  # a float the sheet shows as 0.00001
            ("合计", None, 130.1, None),
        ]
    )
    before = stored_counts()
    with pytest.raises(ValidationError) as refused:
        import_list(books, actors.street, data)
    assert refused.value.message_dict["file"] == [
        "第 4 行:捐款金额(元)“abc”不是数字。",
        "第 5 行:捐款金额(元)中不要用千位分隔符(如 1000.00,而不是 1,000.00)。",
        "第 6 行:捐款金额(元)须为正数,不要带正负号。",
        "第 7 行:捐款金额(元)最多 2 位小数。",
        "第 8 行:姓名不能为空。",
        "第 9 行:姓名不能为空。",
        "第 10 行:捐款金额(元)最多 2 位小数。",
    ]
    assert stored_counts() == before
    report = imports.check_contributions(data)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (4, "捐款金额(元)", "abc"),
        (5, "捐款金额(元)", "1,000"),
        (6, "捐款金额(元)", "-5"),
        (7, "捐款金额(元)", "0.001"),
        (8, "姓名", ""),
        (9, "姓名", ""),
        (10, "捐款金额(元)", "0.00001"),
    ]
    assert report.rows == [(3, "王小明", Decimal("100.10"))]


def test_a_totals_row_with_a_note_beside_it_is_still_skipped():
    data = contribution_list(
        [(1, "王小明", 100, None), (None, "合计", 100, "含现金 1 笔")], title="捐款名单"
    )
    report = imports.check_contributions(data)
    assert report.rows == [(3, "王小明", Decimal("100.00"))]
    assert report.total == Decimal("100.00")
    assert report.skipped == [(4, "合计行,不计入明细。")]


def test_a_gbk_csv_is_read_and_a_control_character_is_refused():
    good = "姓名,金额(元),联系电话\r\n王小明,100.10,13800138000\r\n李小红,50,\r\n小计,150.10,\r\n"
    report = imports.check_contributions(good.encode("gbk"))
    assert report.rows == [(2, "王小明", Decimal("100.10")), (3, "李小红", Decimal("50.00"))]
    assert report.skipped == [(4, "合计行,不计入明细。")]
    assert report.ignored_columns == ["联系电话"]
    bad = "党员姓名,捐款数额\r\n赵\x07六,10\r\n".encode("gbk")
    [problem] = imports.check_contributions(bad).problems
    assert (problem.row, problem.column, problem.value) == (2, "党员姓名", "赵[U+0007]六")
    assert "U+0007" in problem.reason


def test_files_that_are_not_a_list_are_refused():
    with pytest.raises(imports.RefusedFile, match="没有找到“姓名”和“金额”列"):
        imports.check_contributions(contribution_list(GOOD, header=("序号", "姓名", "日期")))
    with pytest.raises(imports.RefusedFile, match="不是以元为单位"):
        imports.check_contributions(
            contribution_list(GOOD, header=("序号", "姓名", "金额(万元)", "备注"))
        )
    with pytest.raises(imports.RefusedFile, match="没有党员捐款记录"):
        imports.check_contributions(contribution_list([]))


def test_a_list_longer_than_a_branch_is_refused():
    def csv(count):
        lines = ["姓名,金额"] + [f"党员{n},1" for n in range(count)]
        return "\n".join(lines).encode()

    assert len(imports.check_contributions(csv(imports.MAX_CONTRIBUTION_ROWS)).rows) == 5000
    with pytest.raises(imports.RefusedFile, match="名单超过 5000 行"):
        imports.check_contributions(csv(imports.MAX_CONTRIBUTION_ROWS + 1))


def test_an_outsider_may_not_import_into_a_holder_s_books(books, actors):
    before = stored_counts()
    with pytest.raises((PermissionDenied, Http404)):
        import_list(books, actors.outsider, contribution_list(GOOD))
    with pytest.raises((PermissionDenied, Http404)):
        import_list(books, actors.lower, contribution_list(GOOD))
    assert stored_counts() == before
