"""A holder's cash statement (资金台账) as .xlsx, in the columns offices keep by hand:
date, voucher, summary, income, expenditure, balance, handler; a title row and the
period, the balance brought forward when the period has a start, and a totals row.
Money is written as the books' own `Decimal`s, never recomputed here; every cell
through `jijie.core.sheets`; audited."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from decimal import Decimal
from typing import IO, TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.services import audit_record
from jijie.core import sheets
from jijie.funds import selectors
from jijie.funds.models import Account, Posting, PostingKind

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from jijie.accounts.models import User

ROW_LIMIT = 100_000
MONEY_FORMAT = "#,##0.00"
CENT = Decimal("0.01")


class StatementTooLargeError(Exception):
    pass


def _period(start: date | None, end: date | None) -> str:
    if start is not None and end is not None:
        return _("期间:%(start)s 至 %(end)s") % {
            "start": f"{start:%Y-%m-%d}",
            "end": f"{end:%Y-%m-%d}",
        }
    if start is not None:
        return _("期间:%(start)s 起") % {"start": f"{start:%Y-%m-%d}"}
    if end is not None:
        return _("期间:截至 %(end)s") % {"end": f"{end:%Y-%m-%d}"}
    return _("期间:全部")


def _money(sheet: WriteOnlyWorksheet, value: Decimal | None) -> Cell | None:
    """A money cell: the Decimal to the cent (quantizing is exact, no float is made),
    shown with thousands separators and two places."""
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value.quantize(CENT))
    cell.number_format = MONEY_FORMAT
    return cell


def _summary(posting: Posting, account: Account, givers: dict[int, str]) -> str:
    """The posting's summary and, as a paper ledger names them, who the money went to
    (an expenditure's payee, the holder an allocation passed it to) or, in the taking
    holder's own ledger, who an allocation came from."""
    extra = ""
    if posting.kind == PostingKind.ALLOCATION:
        if posting.credit_id == account.pk:
            extra = _("拨付 %(payee)s") % {"payee": posting.payee}
        else:
            extra = _("%(giver)s 拨入") % {"giver": givers.get(posting.credit_id, "")}
    elif posting.kind == PostingKind.EXPENDITURE:
        extra = posting.payee
    return " ".join(x for x in (posting.summary, extra) if x)


@transaction.atomic
def statement_file(
    *, actor: User, account: Account, start: date | None = None, end: date | None = None
) -> IO[bytes]:
    """Write the holder's cash statement in one fund (a period, or all of it) to a
    temporary file and return it open for reading; the file is already unlinked, so no
    copy stays on disk."""
    access.require_path(actor, Action.FUND_VIEW, account.area_path)
    # Counted before the statement is read into memory, over the same postings.
    postings = Posting.objects.filter(Q(debit=account) | Q(credit=account))
    if start is not None:
        postings = postings.filter(on__gte=start)
    if end is not None:
        postings = postings.filter(on__lte=end)
    total = postings.count()
    if total > ROW_LIMIT:
        raise StatementTooLargeError(
            _("该账户这一期间有 %(count)s 笔收支,超过单次导出上限 %(limit)s 笔,请缩短期间。")
            % {"count": total, "limit": ROW_LIMIT}
        )
    found = selectors.statement(account, start, end)
    taken = {
        line.posting.credit_id
        for line in found.lines
        if line.posting.kind == PostingKind.ALLOCATION and line.posting.debit_id == account.pk
    }
    givers = dict(Account.objects.filter(pk__in=taken).values_list("pk", "holder__name"))
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title=str(_("资金台账")))
    holder_name = account.holder.name if account.holder is not None else ""
    title = f"{holder_name} {account.fund.name} {_('资金台账')}".strip()
    sheet.append([sheets.text(sheet, title, font=Font(bold=True, size=14))])
    sheet.append([sheets.text(sheet, _period(start, end))])
    sheet.append(
        sheets.cells(
            sheet,
            [_("日期"), _("凭证号"), _("摘要"), _("收入"), _("支出"), _("余额"), _("经办人")],
        )
    )
    if start is not None:
        sheet.append(
            sheets.cells(
                sheet,
                [
                    f"{start:%Y-%m-%d}",
                    "",
                    _("上期结转"),
                    None,
                    None,
                    _money(sheet, found.opening),
                    "",
                ],
            )
        )
    for line in found.lines:
        posting = line.posting
        sheet.append(
            sheets.cells(
                sheet,
                [
                    f"{posting.on:%Y-%m-%d}",
                    posting.voucher,
                    _summary(posting, account, givers),
                    _money(sheet, line.income),
                    _money(sheet, line.expenditure),
                    _money(sheet, line.balance),
                    posting.actor_label,
                ],
            )
        )
    sheet.append(
        sheets.cells(
            sheet,
            [
                _("合计"),
                "",
                "",
                _money(sheet, found.income),
                _money(sheet, found.expenditure),
                _money(sheet, found.closing),
                "",
            ],
        )
    )
    descriptor, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)
    try:
        workbook.save(name)
        handle = open(name, "rb")  # noqa: SIM115 - handed to the response, which closes it
    finally:
        os.unlink(name)
    audit_record(
        actor=actor,
        action="funds.statement_export",
        target=account,
        area=Area(path=account.area_path),
        data={
            "rows": len(found.lines),
            "start": start.isoformat() if start else "",
            "end": end.isoformat() if end else "",
        },
    )
    return handle
