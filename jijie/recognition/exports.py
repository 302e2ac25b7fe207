"""The unit's recognition list (评先评优 / 年度考核参考) as a spreadsheet: one row a
member, the approved figures, sorted as the page shows them. Every cell leaves through
the one neutralising writer (`jijie.core.sheets`)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jijie.core import sheets
from jijie.recognition.models import Approval, ApprovedRecord


def list_xlsx(approval: Approval, rows: Sequence[ApprovedRecord]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("服务记录")))
    title = _("%(unit)s 一线服务记录(%(start)s 至 %(end)s)") % {
        "unit": approval.organisation.name,
        "start": f"{approval.starts_on:%Y-%m-%d}",
        "end": f"{approval.ends_on:%Y-%m-%d}",
    }
    sheet.append([sheets.text(sheet, title, font=Font(bold=True, size=14))])
    sheet.append(
        sheets.cells(
            sheet,
            [_("序号"), _("姓名"), _("身份"), _("值守班次"), _("值守小时"), _("代办次数"),
             _("代办小时"), _("合计小时"), _("督查表扬"), _("督查问题"), _("证书编号")],
        )
    )  # fmt: skip
    for n, row in enumerate(rows, start=1):
        certificate = getattr(row, "certificate", None)
        sheet.append(
            sheets.cells(
                sheet,
                [n, row.member.name, row.member.get_kind_display(), row.shifts,
                 round(row.shift_minutes / 60, 1), row.errands, round(row.errand_minutes / 60, 1),
                 round(row.minutes / 60, 1), row.commendations, row.incidents,
                 certificate.number if certificate else ""],
            )
        )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
