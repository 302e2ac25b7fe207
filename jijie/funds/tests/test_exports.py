"""The 资金台账 as a spreadsheet: the paper layout, money to the cent as numbers, the
balance brought forward, a summary typed as a formula kept as text, who may export it,
and the audit row it leaves."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from openpyxl import load_workbook

from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.funds import exports, services
from jijie.funds.models import Account, AccountKind
from jijie.funds.tests.fixtures import income

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY = date(2026, 3, 5)
HEADER = ["日期", "凭证号", "摘要", "收入", "支出", "余额", "经办人"]


def cash(books, holder) -> Account:
    return Account.objects.get(fund=books.party_fees, holder=holder, kind=AccountKind.CASH)


def allocate(books, to, amount, *, voucher="记-001"):
    entry = services.Entry(amount=amount, on=DAY, summary="拨付防疫经费", voucher=voucher)
    return services.do_allocate(
        actor=SYSTEM, fund=books.party_fees, holder=books.committee, to=to, entry=entry, now=NOW
    )


def expend(books, holder, amount, *, summary="购买口罩"):
    expense = services.Expense(
        amount=amount, on=DAY, summary=summary, voucher="付-001", payee="康泰医疗器械公司"
    )
    return services.do_expend(
        actor=SYSTEM, fund=books.party_fees, holder=holder, expense=expense, now=NOW
    )


def read(handle) -> list[list[object]]:
    with handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def money(value: object) -> Decimal | None:
    """A money cell read back, as the exact decimal its text in the file says."""
    return None if value is None else Decimal(str(value))


def figures(row: list[object]) -> tuple[Decimal | None, ...]:
    return tuple(money(value) for value in row[3:6])


def test_the_statement_reads_as_the_paper_ledger(books, actors):
    # given
    income(books, "1000", on=date(2026, 3, 1))
    allocate(books, books.street, "300")
    expend(books, books.committee, "99.99")
    # when
    rows = read(exports.statement_file(actor=actors.command, account=cash(books, books.committee)))
    # then
    assert rows[0][0] == "区委组织部 党费专项 资金台账"
    assert rows[1][0] == "期间:全部"
    assert rows[2] == HEADER
    assert rows[3][:3] == ["2026-03-01", None, "区委拨付党费"]
    assert rows[4][:3] == ["2026-03-05", "记-001", "拨付防疫经费 拨付 源西街道"]
    assert rows[5][:3] == ["2026-03-05", "付-001", "购买口罩 康泰医疗器械公司"]
    assert [figures(row) for row in rows[3:6]] == [
        (Decimal("1000.00"), None, Decimal("1000.00")),
        (None, Decimal("300.00"), Decimal("700.00")),
        (None, Decimal("99.99"), Decimal("600.01")),
    ]
    assert [row[6] for row in rows[3:6]] == ["system"] * 3
    assert rows[6][0] == "合计"
    assert figures(rows[6]) == (Decimal("1000.00"), Decimal("399.99"), Decimal("600.01"))
    assert len(rows) == 7


def test_money_is_written_as_numbers_to_the_cent(books, actors):
    income(books, "1000")
    with exports.statement_file(actor=actors.command, account=cash(books, books.committee)) as f:
        sheet = load_workbook(io.BytesIO(f.read())).active
    line, totals = list(sheet.iter_rows(min_row=4, max_row=5))
    for cell in (line[3], line[5], totals[3], totals[4], totals[5]):
        assert isinstance(cell.value, int | float)
        assert cell.number_format == "#,##0.00"
    assert line[4].value is None  # no expenditure: an empty cell, not a zero


def test_an_allocation_names_the_giver_in_the_taking_holders_ledger(books, actors):
    income(books, "1000")
    allocate(books, books.street, "300")
    rows = read(exports.statement_file(actor=actors.command, account=cash(books, books.street)))
    assert rows[0][0] == "源西街道 党费专项 资金台账"
    assert rows[3][2] == "拨付防疫经费 区委组织部 拨入"
    assert figures(rows[3]) == (Decimal("300.00"), None, Decimal("300.00"))


def test_ten_times_ten_cents_total_exactly_one_yuan(books, actors):
    # A balance near a billion leaves no digit to spare: a float summed in Python would
    # show in the sixth or seventh place after the point.
    income(books, "999999999.99")
    for _ in range(10):
        income(books, "0.10")
    for n in range(10):
        allocate(books, books.street, "0.10", voucher=f"记-{n:03}")
    giving = read(
        exports.statement_file(actor=actors.command, account=cash(books, books.committee))
    )
    taking = read(exports.statement_file(actor=actors.command, account=cash(books, books.street)))
    big = Decimal("999999999.99")
    assert [money(row[5]) for row in giving[3:24]] == (
        [big]
        + [big + Decimal("0.10") * n for n in range(1, 11)]
        + [big + Decimal("1.00") - Decimal("0.10") * n for n in range(1, 11)]
    )
    assert giving[24][0] == "合计"
    assert figures(giving[24]) == (Decimal("1000000000.99"), Decimal("1.00"), big)
    assert [money(row[3]) for row in taking[3:13]] == [Decimal("0.10")] * 10
    assert [money(row[5]) for row in taking[3:13]] == [Decimal("0.10") * n for n in range(1, 11)]
    assert taking[13][0] == "合计"
    assert figures(taking[13]) == (Decimal("1.00"), Decimal("0.00"), Decimal("1.00"))
    assert len(giving) == len(taking) + 11


def test_a_period_starts_with_the_balance_brought_forward(books, actors):
    income(books, "1000", on=date(2026, 3, 1))
    allocate(books, books.street, "300")
    expend(books, books.committee, "99.99")
    account = cash(books, books.committee)
    rows = read(
        exports.statement_file(
            actor=actors.command, account=account, start=date(2026, 3, 2), end=date(2026, 3, 31)
        )
    )
    assert rows[0][0] == "区委组织部 党费专项 资金台账"
    assert rows[1][0] == "期间:2026-03-02 至 2026-03-31"
    assert rows[3][:3] == ["2026-03-02", None, "上期结转"]
    assert figures(rows[3]) == (None, None, Decimal("1000.00"))
    assert [figures(row) for row in rows[4:6]] == [
        (None, Decimal("300.00"), Decimal("700.00")),
        (None, Decimal("99.99"), Decimal("600.01")),
    ]
    # The period's totals: what came in and went out within it, and the balance after.
    assert rows[6][0] == "合计"
    assert figures(rows[6]) == (Decimal("0.00"), Decimal("399.99"), Decimal("600.01"))
    assert len(rows) == 7


def test_a_period_before_any_posting_brings_nothing_forward(books, actors):
    income(books, "1000", on=date(2026, 3, 1))
    rows = read(
        exports.statement_file(
            actor=actors.command, account=cash(books, books.committee), end=date(2026, 2, 28)
        )
    )
    assert rows[1][0] == "期间:截至 2026-02-28"
    assert rows[3][0] == "合计"
    assert figures(rows[3]) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))


def test_a_summary_typed_as_a_formula_stays_text(books, actors):
    income(books, "1000")
    expend(books, books.committee, "10", summary='=HYPERLINK("http://x")')
    rows = read(exports.statement_file(actor=actors.command, account=cash(books, books.committee)))
    assert rows[4][2] == '\'=HYPERLINK("http://x") 康泰医疗器械公司'


def test_the_export_is_audited_with_its_period(books, actors):
    income(books, "1000")
    account = cash(books, books.committee)
    exports.statement_file(
        actor=actors.command, account=account, start=date(2026, 3, 1), end=date(2026, 3, 31)
    ).close()
    event = AuditEvent.objects.get(action="funds.statement_export")
    assert event.actor == actors.command
    assert (event.target_type, event.target_id) == ("funds.account", str(account.pk))
    assert event.area_path == account.area_path
    assert event.data == {"rows": 1, "start": "2026-03-01", "end": "2026-03-31"}


def test_only_those_who_may_read_the_books_export_them(books, actors):
    income(books, "1000")
    allocate(books, books.community, "100")
    account = cash(books, books.community)
    with pytest.raises(Http404):
        exports.statement_file(actor=actors.outsider, account=account)
    with pytest.raises(PermissionDenied):  # a community worker sees the area, not its books
        exports.statement_file(actor=actors.lower, account=account)
    assert not AuditEvent.objects.filter(action="funds.statement_export").exists()
    exports.statement_file(actor=actors.manager, account=account).close()
    assert AuditEvent.objects.filter(action="funds.statement_export").count() == 1


def test_a_period_with_too_many_postings_is_refused(books, actors, monkeypatch):
    income(books, "1000")
    allocate(books, books.street, "300")
    monkeypatch.setattr(exports, "ROW_LIMIT", 1)
    with pytest.raises(exports.StatementTooLargeError, match="超过单次导出上限 1 笔"):
        exports.statement_file(actor=actors.command, account=cash(books, books.committee))
    assert not AuditEvent.objects.filter(action="funds.statement_export").exists()
