"""A store's ledger (物资台账) as .xlsx, in the columns stores keep by hand: date,
voucher, item, summary, in, out, balance (of that item in the store), handler; a title
row, the balance brought forward per item when a period starts later than the first
movement, and a totals row. Every cell through `jijie.core.sheets`; audited."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.services import audit_record
from jijie.core import sheets
from jijie.supplies import selectors
from jijie.supplies.models import Item, Movement, MovementKind, Store

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from jijie.accounts.models import User

ROW_LIMIT = 100_000


class LedgerTooLargeError(Exception):
    pass


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _summary(m: Movement) -> str:
    kind = str(MovementKind(m.kind).label)
    if m.kind == MovementKind.RECEIVE:
        source = m.get_source_display()
        donor = m.donor or (str(_("匿名")) if m.source == "donation" else "")
        return " ".join(x for x in (kind, str(source), donor, m.note) if x)
    if m.kind in (MovementKind.ISSUE, MovementKind.TRANSFER_OUT, MovementKind.TRANSFER_IN):
        return " ".join(x for x in (kind, m.recipient, m.note) if x)
    if m.kind == MovementKind.ADJUST:
        return " ".join(x for x in (kind, m.get_adjust_reason_display(), m.note) if x)
    return " ".join(x for x in (kind, m.batch.lot, m.note) if x)


@transaction.atomic
def ledger_file(
    *, actor: User, store: Store, start: date | None = None, end: date | None = None
) -> IO[bytes]:
    """Write the store's ledger (a period, or all of it) to a temporary file and return
    it open for reading; the file is already unlinked, so no copy stays on disk."""
    access.require_path(actor, Action.SUPPLY_VIEW, store.area_path)
    movements = Movement.objects.filter(store=store).select_related("item", "batch")
    before: dict[int, Decimal] = defaultdict(Decimal)
    if start is not None:
        for item_id, total in (
            movements.filter(at__lt=_start(start))
            .values("item_id")
            .annotate(total=selectors.exact_sum())
            .values_list("item_id", "total")
        ):
            before[item_id] = selectors.summed(total)
        movements = movements.filter(at__gte=_start(start))
    if end is not None:
        movements = movements.filter(at__lt=_start(end) + timedelta(days=1))
    total = movements.count()
    if total > ROW_LIMIT:
        raise LedgerTooLargeError(
            _("该仓库这一期间有 %(count)s 条出入库记录,超过单次导出上限 %(limit)s 条,请缩短期间。")
            % {"count": total, "limit": ROW_LIMIT}
        )
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title=str(_("物资台账")))
    period = "–".join(f"{d:%Y-%m-%d}" for d in (start, end) if d is not None)
    title = f"{store.name} {_('物资台账')} {period}".strip()
    sheet.append([sheets.text(sheet, title, font=Font(bold=True, size=14))])
    sheet.append(
        sheets.cells(
            sheet,
            [
                _("日期"),
                _("凭证号"),
                _("物资"),
                _("摘要"),
                _("入库"),
                _("出库"),
                _("结存"),
                _("单位"),
                _("经办人"),
            ],
        )
    )
    balance = dict(before)
    items = {i.pk: i for i in Item.objects.filter(pk__in=set(before))}
    for item_id, held in sorted(before.items(), key=lambda pair: items[pair[0]].name):
        item = items[item_id]
        sheet.append(
            sheets.cells(sheet, ["", "", item.name, _("上期结存"), "", "", held, item.unit, ""])
        )
    received: dict[int, Decimal] = defaultdict(Decimal)
    issued: dict[int, Decimal] = defaultdict(Decimal)
    count = 0
    for m in movements.order_by("at", "pk").iterator(chunk_size=2000):
        count += 1
        items.setdefault(m.item_id, m.item)
        balance[m.item_id] = balance.get(m.item_id, Decimal(0)) + m.quantity
        incoming = m.quantity if m.quantity > 0 else None
        outgoing = -m.quantity if m.quantity < 0 else None
        received[m.item_id] += incoming or 0
        issued[m.item_id] += outgoing or 0
        sheet.append(
            sheets.cells(
                sheet,
                [
                    timezone.localtime(m.at).strftime("%Y-%m-%d %H:%M"),
                    m.voucher,
                    m.item.name,
                    _summary(m),
                    incoming,
                    outgoing,
                    balance[m.item_id],
                    m.item.unit,
                    m.actor_label,
                ],
            )
        )
    # One totals row per item: quantities of different units are never added up.
    for item in sorted(items.values(), key=lambda i: i.name):
        sheet.append(
            sheets.cells(
                sheet,
                [
                    _("合计"),
                    "",
                    item.name,
                    "",
                    received[item.pk],
                    issued[item.pk],
                    balance.get(item.pk, Decimal(0)),
                    item.unit,
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
        action="supplies.ledger_export",
        target=store,
        area=Area(path=store.area_path),
        data={
            "rows": count,
            "start": start.isoformat() if start else "",
            "end": end.isoformat() if end else "",
        },
    )
    return handle
