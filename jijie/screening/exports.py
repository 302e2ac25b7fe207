"""The screening ledger (排查台账) as .xlsx, in the columns communities keep by hand: one
row per visit, the householder's phone masked, health answers only for the roles that
follow people up. Every cell through `jijie.core.sheets`. Written in openpyxl's
write-only mode; audited."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from typing import IO, TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.services import audit_record
from jijie.core import sheets
from jijie.residents.models import Person, Relation
from jijie.screening import selectors
from jijie.screening.models import Campaign, Mode, Outcome

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from jijie.accounts.models import User

LEDGER_ROW_LIMIT = 100_000


class LedgerTooLargeError(Exception):
    pass


def _answer(value: object) -> str:
    if value is True:
        return str(_("是"))
    if value is False:
        return str(_("否"))
    return "" if value is None else str(value)


@transaction.atomic
def ledger_file(*, actor: User, campaign: Campaign, area: Area, day: date | None) -> IO[bytes]:
    """Write the ledger of `area` (one day, or the whole campaign) to a temporary file and
    return it open for reading; the file is already unlinked, so no copy stays on disk."""
    access.require(actor, Action.SCREENING_VIEW, area)
    health = access.may(actor, Action.HEALTH_VIEW, area)
    visits = selectors.ledger_rows(campaign=campaign, area=area, day=day)
    total = visits.count()
    if total > LEDGER_ROW_LIMIT:
        raise LedgerTooLargeError(
            _(
                "该区域有 %(count)s 条排查记录,超过单次导出上限 %(limit)s 条,请按社区或日期分别导出。"
            )
            % {"count": total, "limit": LEDGER_ROW_LIMIT}
        )
    questions = [q for q in campaign.questions if health or not campaign.is_health(q["key"])]
    names = dict(
        Area.objects.filter(
            Q(path__in=[area.path[:n] for n in range(Area.steplen, len(area.path) + 1, 4)])
            | Q(path__startswith=area.path, depth__lte=5)
        ).values_list("path", "name")
    )
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title=str(_("排查台账")))
    title = f"{area.name} {campaign.name} {_('排查台账')}" + (f" {day:%Y-%m-%d}" if day else "")
    sheet.append([sheets.text(sheet, title, font=Font(bold=True, size=14))])
    columns = [
        _("序号"), _("街道"), _("社区"), _("网格"), _("楼栋"), _("门牌号"), _("户主"),
        _("联系电话"), _("排查方式"), _("排查结果"), _("在家人数"),
        *[q["label"] for q in questions],
    ]  # fmt: skip
    if health:
        columns.append(_("体温(℃)"))
    columns += [_("标记重点人员"), _("排查人"), _("排查时间"), _("备注")]
    sheet.append(sheets.cells(sheet, columns))
    modes, outcomes = dict(Mode.choices), dict(Outcome.choices)
    # The householder of each household of the area, read once (the first head listed).
    heads: dict[int, tuple[str, str]] = {}
    for household_id, person_name, phone in (
        Person.objects.filter(area_path__startswith=area.path, relation=Relation.HEAD)
        .order_by("-pk")
        .values_list("household_id", "name", "phone_masked")
    ):
        heads[household_id] = (person_name, phone)
    step = Area.steplen
    count = 0
    for count, visit in enumerate(visits.iterator(chunk_size=2000), start=1):
        household = visit.household
        head = heads.get(household.pk)
        path = visit.area_path
        row: list[object] = [
            count,
            names.get(path[: 3 * step], ""),
            names.get(path[: 4 * step], ""),
            names.get(path[: 5 * step], ""),
            household.building.name,
            household.door_number,
            head[0] if head else "",
            head[1] if head else "",
            modes.get(visit.mode, visit.mode),
            outcomes.get(visit.outcome, visit.outcome),
            visit.people_present if visit.outcome == Outcome.DONE else "",
            *[_answer(visit.answers.get(q["key"])) for q in questions],
        ]
        if health:
            row.append(" ".join(str(t.celsius) for t in visit.temperatures.all()))
        row += [
            visit.flags_raised or "",
            visit.worker.get_username() if visit.worker else "",
            timezone.localtime(visit.visited_at).strftime("%Y-%m-%d %H:%M"),
            visit.note,
        ]
        sheet.append(sheets.cells(sheet, row))
    descriptor, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)
    try:
        workbook.save(name)
        handle = open(name, "rb")  # noqa: SIM115 - handed to the response, which closes it
    finally:
        os.unlink(name)
    audit_record(
        actor=actor,
        action="screening.ledger.export",
        target=campaign,
        area=area,
        data={"rows": count, "day": day.isoformat() if day else "", "masked": True},
    )
    return handle
