"""The daily report as .xlsx, in the layout offices submit: a title row, the unit and the
cut-off, two header rows (the line of work merged over its columns, then each figure)
and a units row, one row per community, and a totals row equal to the sum of the rows.
One sheet a day: a day's workbook, or a period's (one sheet for each day, oldest
first). Every cell through `jijie.core.sheets`; the export is audited (figures only, no
personal data, but who took which area's report is kept like every export)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.services import audit_record
from jijie.core import sheets
from jijie.reports import bulletin, documents, tables
from jijie.reports.models import Report
from jijie.responses.models import Response

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from jijie.accounts.models import User

PERIOD_DAYS = 62  # a period's workbook: two months of sheets at most
BOLD = Font(bold=True)
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _sheet(workbook: Workbook, table: tables.Table, name: str, note: str) -> None:
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title=name)
    width = 1 + len(table.columns)
    last = get_column_letter(width)
    sheet.column_dimensions["A"].width = 18
    for n in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(n)].width = 10
    sheet.freeze_panes = "B6"

    def centred(value: object) -> object:
        cell = sheets.text(sheet, value, font=BOLD)
        cell.alignment = CENTRED
        return cell

    sheet.append([sheets.text(sheet, table.title, font=Font(bold=True, size=14))])
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.append([sheets.text(sheet, note)])
    sheet.merged_cells.add(f"A2:{last}2")
    # Row 3: the lines of work, each merged over its columns; row 4: the figures.
    row3: list[object] = [centred(_("单位"))]
    row4: list[object] = [None]
    column = 2
    for group, columns in table.groups:
        row3.extend([centred(group)] + [None] * (len(columns) - 1))
        if len(columns) > 1:
            sheet.merged_cells.add(
                f"{get_column_letter(column)}3:{get_column_letter(column + len(columns) - 1)}3"
            )
        row4.extend(centred(c.name) for c in columns)
        column += len(columns)
    sheet.merged_cells.add("A3:A5")
    sheet.append(row3)
    sheet.append(row4)
    sheet.append([None, *(sheets.text(sheet, c.unit) for c in table.columns)])
    for line in (*table.lines, table.total):
        sheet.append(sheets.cells(sheet, [line.label, *line.values]))


def workbook_bytes(*, actor: User, area: Area, response: Response, start: date, end: date) -> bytes:
    """The report of `area` for each day from `start` to `end` that has been counted,
    one sheet a day; the bulletin of the last day on a sheet of its own."""
    access.require(actor, Action.REPORT_VIEW, area)
    if end < start:
        raise ValidationError(_("开始日期不能晚于结束日期。"))
    if (end - start).days + 1 > PERIOD_DAYS:
        raise ValidationError(
            _("一次最多导出 %(n)s 天,请缩短期间。") % {"n": PERIOD_DAYS}, code="too_long"
        )
    reports = list(
        Report.objects.filter(response=response, day__gte=start, day__lte=end)
        .select_related("response")
        .order_by("day")
    )
    workbook = Workbook(write_only=True)
    last = None
    for report in reports:
        table = tables.day_table(report, area)
        if table is None:
            continue
        _sheet(workbook, table, f"{report.day:%m-%d}", tables.note(area, report))
        last = (report, table)
    if last is None:
        raise ValidationError(_("这段时间还没有统计。"), code="empty")
    report, table = last
    words = workbook.create_sheet(title=str(_("每日通报")))
    words.append([sheets.text(words, bulletin.paragraph(area, report.day, table.total.figures))])
    out = io.BytesIO()
    workbook.save(out)
    audit_record(
        actor=actor,
        action="reports.export",
        target=response,
        area=area,
        data={"start": start.isoformat(), "end": end.isoformat(), "days": len(reports)},
    )
    return out.getvalue()


def printable_bytes(*, actor: User, area: Area, response: Response, day: date) -> bytes | None:
    """The day's report of `area` as a PDF to print (None when the day has no figures
    for it); audited like the workbook."""
    access.require(actor, Action.REPORT_VIEW, area)
    report = Report.objects.filter(response=response, day=day).select_related("response").first()
    table = tables.day_table(report, area) if report is not None else None
    if report is None or table is None:
        return None
    content = documents.report_pdf(
        table, tables.note(area, report), bulletin.paragraph(area, day, table.total.figures)
    )
    audit_record(
        actor=actor,
        action="reports.export",
        target=response,
        area=area,
        data={"start": day.isoformat(), "end": day.isoformat(), "days": 1, "pdf": True},
    )
    return content


def period_of(day: date | None, start: date | None, end: date | None) -> tuple[date, date]:
    if start is None and end is None and day is not None:
        return day, day
    last = end or day or timezone.localdate()
    return start or last - timedelta(days=6), last
