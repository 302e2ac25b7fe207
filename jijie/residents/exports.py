"""The household ledger as .xlsx, in the column layout community workers already use.

Masked (the one mask), ID numbers as text cells, anything that a spreadsheet would run
as a formula neutralised. Written in openpyxl's write-only mode, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from jijie.accounts.audit import audit_record
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.core.identity import DocumentType
from jijie.residents.models import HouseholdKind, Person, Relation, ResidentType, Sex

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from jijie.accounts.models import User

# A synchronous export serves a street or less; the district-wide ledger waits for the
# background export (with its approval flow for unmasked copies).
EXPORT_ROW_LIMIT = 100_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Text that a spreadsheet would evaluate (=HYPERLINK(...), +cmd...) gets a leading
    apostrophe, the OWASP remedy for formula injection."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _columns() -> list[str]:
    return [
        _("序号"), _("街道"), _("社区"), _("网格"), _("楼栋"), _("门牌号"), _("住户类型"),
        _("姓名"), _("性别"), _("与户主关系"), _("证件类型"), _("证件号码"), _("联系电话"),
        _("户籍地"), _("人口类型"), _("重点户"),
    ]  # fmt: skip


def _text(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    cell.data_type = "s"  # a string, never a number or a formula
    cell.number_format = "@"
    return cell


def _rows(area: Area) -> Iterator[Person]:
    return (
        Person.objects.filter(area_path__startswith=area.path)
        .select_related("household", "household__building")
        .order_by("area_path", "household__door_number", "household_id", "pk")
        .iterator(chunk_size=2000)
    )


class ExportTooLargeError(Exception):
    pass


@transaction.atomic
def ledger_export(*, actor: User, area: Area, path: Path) -> int:
    """Write the masked ledger of everyone under `area` to `path`; return the row count."""
    access.require(actor, Action.RESIDENT_VIEW, area)
    total = Person.objects.filter(area_path__startswith=area.path).count()
    if total > EXPORT_ROW_LIMIT:
        raise ExportTooLargeError(
            _("该区域有 %(count)s 人,超过单次导出上限 %(limit)s 人,请按街道或社区分别导出。")
            % {"count": total, "limit": EXPORT_ROW_LIMIT}
        )
    # Names of the street, community and grid columns: the area's ancestors and the
    # nodes down to grid level beneath it.
    names = dict(
        Area.objects.filter(
            Q(path__in=_ancestor_paths(area)) | Q(path__startswith=area.path, depth__lte=5)
        ).values_list("path", "name")
    )
    labels = {
        **dict(HouseholdKind.choices),
        **dict(Relation.choices),
        **dict(ResidentType.choices),
        **dict(Sex.choices),
        **dict(DocumentType.choices),
    }
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("住户台账")))
    title = WriteOnlyCell(
        sheet, value=f"{area.name} {_('住户台账')} ({timezone.localdate():%Y-%m-%d})"
    )
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    sheet.append([WriteOnlyCell(sheet, value=c) for c in _columns()])
    step = Area.steplen
    count = 0
    for count, person in enumerate(_rows(area), start=1):
        household = person.household
        person_path = person.area_path
        flags = [
            str(label)
            for flag, label in [
                (household.is_party_centre, _("党员中心户")),
                (household.is_home_isolation, _("居家隔离户")),
                (household.is_hardship, _("生活困难户")),
            ]
            if flag
        ]
        sheet.append(
            [
                count,
                names.get(person_path[: 3 * step], ""),
                names.get(person_path[: 4 * step], ""),
                names.get(person_path[: 5 * step], ""),
                _text(sheet, household.building.name),
                _text(sheet, household.door_number),
                str(labels.get(household.kind, household.kind)),
                _text(sheet, person.name),
                str(labels.get(person.sex, "")),
                str(labels.get(person.relation, person.relation)),
                str(labels.get(person.document_type, "")),
                _text(sheet, person.document_masked),
                _text(sheet, person.phone_masked),
                _text(sheet, person.register_place),
                str(labels.get(person.resident_type, person.resident_type)),
                "、".join(flags),
            ]
        )
    workbook.save(path)
    audit_record(
        actor=actor,
        action="registry.export",
        area=area,
        data={"rows": count, "masked": True, "area": area.code},
    )
    return count


def _ancestor_paths(area: Area) -> list[str]:
    return [area.path[:n] for n in range(Area.steplen, len(area.path) + 1, Area.steplen)]
