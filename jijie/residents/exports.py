"""The household ledger as .xlsx, in the column layout community workers already use.

Masked (the one mask), or unmasked and watermarked for an approved export request
(`export_requests`); every cell through `jijie.core.sheets`, so that ID numbers are
text cells and nothing a spreadsheet would run as a formula stays live, whatever typed it. Written in openpyxl's write-only mode, so memory
stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
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
from jijie.core import pii, sheets
from jijie.core.identity import DocumentType
from jijie.core.models import Sex
from jijie.residents.imports import columns
from jijie.residents.models import HouseholdKind, Person, Relation, ResidentType

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from jijie.accounts.models import User

# A street or less is written during the request; more (a district) is written in the
# background (export_requests.export_masked_start) and fetched from its page.
EXPORT_ROW_LIMIT = 100_000
# People per sheet: a sheet holds 1,048,576 rows, a city's ledger may hold more.
SHEET_ROWS = 1_000_000


def _columns() -> list[str]:
    return [
        _("序号"), _("街道"), _("社区"), _("网格"), _("楼栋"), _("门牌号"), _("住户类型"),
        _("姓名"), _("性别"), _("与户主关系"), _("证件类型"), _("证件号码"), _("联系电话"),
        _("户籍地"), _("人口类型"), _("重点户"), _("备注"),
    ]  # fmt: skip


def _rows(area: Area) -> Iterator[Person]:
    return (
        Person.objects.filter(area_path__startswith=area.path)
        .select_related("household", "household__building")
        .order_by("area_path", "household__door_sort", "household_id", "pk")
        .iterator(chunk_size=2000)
    )


class ExportTooLargeError(Exception):
    pass


@dataclass(frozen=True)
class Watermark:
    """Whom an unmasked copy was made for, printed on every page and in the file."""

    holder: str
    approval: int
    approved_on: date

    def text(self) -> str:
        return _("%(holder)s 专用 · 审批编号 %(approval)s · %(date)s 批准 · 严禁转发") % {
            "holder": sheets.writable(self.holder),
            "approval": self.approval,
            "date": f"{self.approved_on:%Y-%m-%d}",
        }


def too_large_to_write_now(area: Area) -> bool:
    """Over EXPORT_ROW_LIMIT people: written in the background instead (a district's
    ledger takes minutes)."""
    return Person.objects.filter(area_path__startswith=area.path).count() > EXPORT_ROW_LIMIT


@transaction.atomic
def ledger_export(*, actor: User, area: Area, path: Path) -> int:
    """Write the masked ledger of everyone under `area` to `path`; return the row count."""
    access.require(actor, Action.LEDGER_EXPORT, area)
    total = Person.objects.filter(area_path__startswith=area.path).count()
    if total > EXPORT_ROW_LIMIT:
        raise ExportTooLargeError(
            _("该区域有 %(count)s 人,超过单次导出上限 %(limit)s 人,请按街道或社区分别导出。")
            % {"count": total, "limit": EXPORT_ROW_LIMIT}
        )
    count = write_ledger(area=area, target=path)
    audit_record(
        actor=actor,
        action="registry.export",
        area=area,
        data={"rows": count, "masked": True, "area": area.code},
    )
    return count


def write_ledger(
    *, area: Area, target: Path | IO[bytes], unmasked_for: Watermark | None = None
) -> int:
    """Write the ledger of everyone under `area`; return the row count.

    Masked, unless `unmasked_for` names whom the copy is for: then ID numbers and phones
    are decrypted and the watermark goes in the first row of each sheet, in the header
    and footer of every printed page, and in the document's properties. No permission
    check and no audit here: the callers (`ledger_export`, the approved export) do both.
    """
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
    title = f"{area.name} {_('住户台账')} ({timezone.localdate():%Y-%m-%d})"
    _describe(workbook, title, unmasked_for)
    step = Area.steplen
    count = 0
    sheet = None
    for count, person in enumerate(_rows(area), start=1):
        if sheet is None or (count - 1) % SHEET_ROWS == 0:
            sheet = _new_sheet(workbook, title, unmasked_for, part=(count - 1) // SHEET_ROWS)
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
        if unmasked_for is None:
            document, phone = person.document_masked, person.phone_masked
        else:
            document = pii.decrypt(person.document_cipher) if person.document_cipher else ""
            phone = pii.decrypt(person.phone_cipher) if person.phone_cipher else ""
        sheet.append(
            sheets.cells(
                sheet,
                [
                    count,
                    names.get(person_path[: 3 * step], ""),
                    names.get(person_path[: 4 * step], ""),
                    names.get(person_path[: 5 * step], ""),
                    household.building.name,
                    household.door_number,
                    labels.get(household.kind, household.kind),
                    person.name,
                    labels.get(person.sex, ""),
                    labels.get(person.relation, person.relation),
                    labels.get(person.document_type, ""),
                    document,
                    phone,
                    person.register_place,
                    labels.get(person.resident_type, person.resident_type),
                    "、".join(flags),
                    person.note,
                ],
            )
        )
    if sheet is None:  # nobody here: the headings still say what the file is
        _new_sheet(workbook, title, unmasked_for, part=0)
    workbook.save(target)
    return count


def _describe(workbook: Workbook, title: str, unmasked_for: Watermark | None) -> None:
    properties = workbook.properties
    properties.title = sheets.writable(title)
    properties.creator = str(_("集结"))
    if unmasked_for is not None:
        properties.title = sheets.writable(title + str(_("(完整信息)")))
        properties.subject = sheets.writable(unmasked_for.text())
        properties.description = sheets.writable(unmasked_for.text())
        properties.keywords = f"approval-{unmasked_for.approval}"
        properties.lastModifiedBy = sheets.writable(unmasked_for.holder)


def _header_text(text: str) -> str:
    return text.replace("&", "&&")  # "&" starts a header code (&P, &D...)


def _new_sheet(
    workbook: Workbook, title: str, unmasked_for: Watermark | None, *, part: int
) -> WriteOnlyWorksheet:
    """A sheet with its heading rows; a ledger longer than one sheet holds continues on
    the next."""
    name = str(_("住户台账")) + (f" {part + 1}" if part else "")
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title=name)
    headings = [title]
    if unmasked_for is not None:
        headings.insert(0, unmasked_for.text())
        watermark = _header_text(unmasked_for.text())
        sheet.oddHeader.center.text = watermark
        sheet.oddFooter.center.text = f"{watermark}  &P / &N"
    for heading in headings:
        sheet.append([sheets.text(sheet, heading, font=Font(bold=True, size=14))])
    sheet.append(sheets.cells(sheet, _columns()))
    sheet.print_title_rows = f"1:{len(headings) + 1}"  # the headings on every page
    return sheet


def _ancestor_paths(area: Area) -> list[str]:
    return [area.path[:n] for n in range(Area.steplen, len(area.path) + 1, Area.steplen)]


def write_import_template(target: Path | IO[bytes]) -> None:
    """The registry import's template: the columns it understands as its first sheet
    (the one it reads), and a second sheet saying what goes in each."""
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title=str(_("居民台账")))
    sheet.append(sheets.cells(sheet, [columns.SYNONYMS[f][0] for f in columns.TEMPLATE_FIELDS]))
    notes: WriteOnlyWorksheet = workbook.create_sheet(title=str(_("填写说明")))
    notes.append(sheets.cells(notes, [_("列名"), _("必填"), _("说明"), _("也可以写作")]))
    for field_name in columns.TEMPLATE_FIELDS:
        required = field_name in ("name", "door_number")
        notes.append(
            sheets.cells(
                notes,
                [
                    columns.SYNONYMS[field_name][0],
                    _("是") if required else "",
                    str(columns.FIELD_HELP[field_name]),
                    "、".join(columns.SYNONYMS[field_name][1:]),
                ],
            )
        )
    workbook.save(target)
