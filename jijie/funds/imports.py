"""Importing a party branch's member contributions (党员捐款名单) from a spreadsheet as one
donation: the branch is the donor, with one receipt, and each member's row is kept as a
`Contribution` of it.

The file is read with the registry's reader (size, type and zip-bomb checks; .xlsx,
.xls, .csv in UTF-8 or GBK) and its header is found as the registry finds its own: in
the first 20 rows, under a title, a header cell merged down taking its text from the row
above. Every row is checked before anything is saved; one bad row saves nothing, and
each problem names the row, the column, the value and the reason. A totals row at the
foot is skipped and said so; blank rows are passed over; the columns read neither as a
name nor as an amount are listed.

Amounts are read by `decimals.money`, as typed: a number cell the spreadsheet holds as a
float is read as the cell shows it (100.1, not 100.0999999999999943), and one with more
than two places is refused, never rounded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.core import decimals, text
from jijie.funds import services
from jijie.funds.models import Contribution, Donation, DonorKind, Fund, Holder
from jijie.residents.imports import reader
from jijie.residents.imports.columns import HEADER_SCAN_ROWS, titled_layout
from jijie.residents.imports.plan import TOTALS_WORD, Problem, is_totals_row
from jijie.responses.models import Response

if TYPE_CHECKING:
    from jijie.accounts.models import User

RefusedFile = reader.RefusedFile
# Refuse a file over the reader's size limit; callers check before reading it into memory.
check_size = reader.check_size
MAX_CONTRIBUTION_ROWS = 5_000  # a branch's list; a larger file is a whole organisation's
NAME_LENGTH = Contribution._meta.get_field("name").max_length or 40

# The header texts of each column, after `clean_header` (which drops "(元)") and a unit
# written after a slash ("金额/元"; "金额/万元" is found, then refused for its unit).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "党员姓名", "名字", "捐款人", "捐款人姓名"),
    "amount": (
        "金额", "捐款金额", "捐款", "捐款数额", "捐款额", "捐款数", "捐赠金额", "捐款金额数",
    ),
}  # fmt: skip
_YUAN = re.compile(r"/?[万千]?元$")
# An amount counted in ten-thousands or thousands of yuan: read as yuan, 1 would be 1 yuan.
_LARGE_UNIT = re.compile(r"[万千]元")


@dataclass
class Report:
    """What a contribution list holds, checked: the rows to record (row as the sheet
    numbers it, name, amount) and their total, the problems, the rows skipped with the
    reason, and the titled columns that are read as neither name nor amount."""

    rows: list[tuple[int, str, Decimal]] = field(default_factory=list)
    total: Decimal = Decimal("0.00")
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def _cell(row: list[Any], column: int) -> Any:
    return row[column] if column < len(row) else None


def _name_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def amount_text(value: Any) -> str:
    """An amount cell as the person sees it, for `decimals.money`. A float is the
    shortest text that reads back as it (its repr: 100.1, where Decimal(100.1) would be
    100.0999999999999943…), written without an exponent (0.00001, not 1e-05), so that
    too many places or too large an amount is refused for what it is."""
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _blank(value: Any) -> bool:
    return not str(value if value is not None else "").strip()


def check_contributions(data: bytes) -> Report:
    """Read and check a contribution list; nothing is saved. RefusedFile when the file
    cannot be read, has no name and amount header, is longer than a branch's list, or
    lists nobody."""
    sheet = reader.read(data)
    head = sheet.head(HEADER_SCAN_ROWS)
    layout = titled_layout(head, HEADERS)
    if layout is None:
        raise RefusedFile(
            _("没有找到“姓名”和“金额”列:表头须在前 %(rows)s 行,请检查表头。")
            % {"rows": HEADER_SCAN_ROWS}
        )
    if sheet.total - (layout.header_row + 1) > MAX_CONTRIBUTION_ROWS:
        raise RefusedFile(
            _("名单超过 %(limit)s 行,请按支部分开导入。") % {"limit": MAX_CONTRIBUTION_ROWS}
        )
    name_column, amount_column = layout.columns["name"], layout.columns["amount"]
    name_label, amount_label = layout.labels["name"], layout.labels["amount"]
    if _LARGE_UNIT.search(unicodedata.normalize("NFKC", amount_label)):
        raise RefusedFile(
            _("“%(column)s”不是以元为单位:请把金额换算成元后重新导入。") % {"column": amount_label}
        )
    report = Report(ignored_columns=list(layout.ignored.values()))
    for index, row in enumerate(sheet.rows()):
        if index <= layout.header_row or all(_blank(cell) for cell in row):
            continue
        number = index + 1
        raw_name = _name_text(_cell(row, name_column))
        raw_amount = _cell(row, amount_column)
        if is_totals_row(row) or TOTALS_WORD.match(re.sub(r"\s", "", raw_name)):
            report.skipped.append((number, _("合计行,不计入明细。")))
            continue
        if _blank(raw_name) and _blank(raw_amount):
            report.skipped.append((number, _("这一行没有姓名和金额,已跳过。")))
            continue

        def problem(column: str, value: str, reason: str, number: int = number) -> None:
            report.problems.append(Problem(number, column, value, reason))

        refused = text.refusal(raw_name, field=name_label)
        name = text.tidy(raw_name) if refused is None else ""
        if refused is not None:
            problem(name_label, text.visible(raw_name)[:20], refused.messages[0])
        elif not name:
            problem(name_label, "", _("%(label)s不能为空。") % {"label": name_label})
        elif len(name) > NAME_LENGTH:
            problem(
                name_label,
                name[:20],
                _("%(label)s不能超过 %(n)s 个字。") % {"label": name_label, "n": NAME_LENGTH},
            )
            name = ""
        typed = amount_text(raw_amount)
        try:
            amount: Decimal | None = decimals.money(typed, label=amount_label)
        except ValidationError as error:
            problem(amount_label, text.visible(typed.strip())[:20], " ".join(error.messages))
            amount = None
        if name and amount is not None:
            report.rows.append((number, name, amount))
            report.total += amount
    if not report.rows and not report.problems:
        raise RefusedFile(_("名单中没有党员捐款记录。"))
    return report


def contributions_import(
    *,
    actor: User,
    response: Response,
    holder: Holder,
    fund: Fund,
    branch: str,
    received_on: date,
    disclose: bool,
    data: bytes,
    now: datetime | None = None,
) -> Donation:
    """Record a branch's members' contributions, listed in `data`, as one donation from
    the branch to `holder`, with one receipt, by someone who keeps the holder's books.

    Every row is checked first: any problem raises ValidationError on "file", one
    message per problem in row order, and nothing is saved. RefusedFile when the file
    cannot be read as a list at all."""
    access.require_path(actor, Action.FUND_KEEP, holder.area_path)
    report = check_contributions(data)
    if report.problems:
        raise ValidationError({"file": [p.line() for p in report.problems]})
    return services.do_donation_record(
        actor=actor,
        response=response,
        holder=holder,
        data=services.DonationData(
            donor_kind=DonorKind.BRANCH_MEMBERS,
            donor=branch,
            disclose=disclose,
            amount=report.total,
            fund=fund,
            received_on=received_on,
            contributions=report.rows,
            note=import_note(report),
        ),
        now=now,
    )


def import_note(report: Report) -> str:
    """What the import says of itself on the donation (its note, at most 200 characters):
    how many were listed, the rows skipped and the columns not read."""
    parts = [_("党员捐款名单导入,共 %(count)s 人。") % {"count": len(report.rows)}]
    if report.skipped:
        rows = "、".join(str(row) for row, _reason in report.skipped)
        parts.append(_("跳过第 %(rows)s 行。") % {"rows": rows})
    if report.ignored_columns:
        parts.append(_("未导入的列:%(columns)s。") % {"columns": "、".join(report.ignored_columns)})
    note = "".join(parts)
    return note if len(note) <= 200 else note[:199] + "…"
