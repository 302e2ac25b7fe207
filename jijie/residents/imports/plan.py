"""Checking every row of a ledger and planning the writes, without writing anything.

Each problem names the row (as the spreadsheet numbers it), the column (as the file
titles it), the value (masked when personal) and the reason. Rows are matched to what
is already registered, so that importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jijie.areas.models import Area, AreaKind
from jijie.core import pii
from jijie.core.identity import DocumentType, check_document, check_phone, normalise
from jijie.residents.imports.columns import Layout
from jijie.residents.models import (
    PERSON_DETAIL_FIELDS,
    Household,
    HouseholdKind,
    Person,
    Relation,
    ResidentType,
)
from jijie.residents.names import initials

RELATION_WORDS: dict[str, str] = {
    "户主": Relation.HEAD, "本人": Relation.HEAD, "配偶": Relation.SPOUSE, "妻": Relation.SPOUSE,
    "妻子": Relation.SPOUSE, "夫": Relation.SPOUSE, "丈夫": Relation.SPOUSE, "子": Relation.CHILD,
    "女": Relation.CHILD, "儿子": Relation.CHILD, "女儿": Relation.CHILD, "子女": Relation.CHILD,
    "长子": Relation.CHILD, "长女": Relation.CHILD, "次子": Relation.CHILD, "次女": Relation.CHILD,
    "父": Relation.PARENT, "母": Relation.PARENT, "父亲": Relation.PARENT, "母亲": Relation.PARENT,
    "父母": Relation.PARENT, "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD,
    "外孙": Relation.GRANDCHILD, "外孙女": Relation.GRANDCHILD, "祖父": Relation.GRANDPARENT,
    "祖母": Relation.GRANDPARENT, "兄": Relation.SIBLING, "弟": Relation.SIBLING,
    "姐": Relation.SIBLING, "妹": Relation.SIBLING, "兄弟姐妹": Relation.SIBLING,
    "租客": Relation.TENANT, "租户": Relation.TENANT, "员工": Relation.EMPLOYEE,
    "其他": Relation.OTHER,
}  # fmt: skip
DOCUMENT_WORDS: dict[str, str] = {
    "居民身份证": DocumentType.RESIDENT_ID, "身份证": DocumentType.RESIDENT_ID,
    "港澳通行证": DocumentType.HK_MO_PERMIT, "港澳居民来往内地通行证": DocumentType.HK_MO_PERMIT,
    "台胞证": DocumentType.TW_PERMIT, "台湾居民来往大陆通行证": DocumentType.TW_PERMIT,
    "护照": DocumentType.PASSPORT,
}  # fmt: skip
ADDRESS = re.compile(r"(\d+)\s*(?:栋|号楼|幢|座)\s*[-—]?\s*(\S+)")
PERSON_FIELDS = ("name", "relation", "register_place", "resident_type", "sex", "phone_hash",
                 "document_type", "document_hash", "household_id")  # fmt: skip


@dataclass
class Problem:
    row: int  # as the spreadsheet numbers it (1 = first row)
    column: str
    value: str  # masked when personal
    reason: str


@dataclass
class PersonRow:
    row: int
    household_key: tuple[int, str]
    person: Person  # unsaved values (new) or the existing record with new values
    expected_version: int = 0  # an update applies only to the version it was planned on


@dataclass
class Plan:
    households_new: dict[tuple[int, str], Household] = field(default_factory=dict)
    households_existing: dict[tuple[int, str], Household] = field(default_factory=dict)
    creates: list[PersonRow] = field(default_factory=list)
    updates: list[PersonRow] = field(default_factory=list)
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows_read: int = 0

    @property
    def error_rows(self) -> int:
        return len({p.row for p in self.errors})

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows_read,
            "households_new": len(self.households_new),
            "people_new": len(self.creates),
            "people_updated": len(self.updates),
            "people_unchanged": self.unchanged,
            "error_rows": self.error_rows,
            "warnings": len(self.warnings),
        }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # a door number Excel stored as 502.0
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _building_number(text: str) -> str | None:
    match = re.search(r"\d+", text)
    return match.group() if match else None


class Planner:
    """Plans the import of a sheet's rows into the buildings under `area`."""

    def __init__(self, *, area: Area, layout: Layout) -> None:
        self.area = area
        self.layout = layout
        buildings = list(
            Area.objects.filter(path__startswith=area.path, kind=AreaKind.BUILDING).order_by("path")
        )
        self.only_building = buildings[0] if area.kind == AreaKind.BUILDING else None
        self.by_name = {b.name: b for b in buildings}
        self.by_code = {b.code: b for b in buildings}
        numbers: dict[str, list[Area]] = {}
        for building in buildings:
            number = _building_number(building.name)
            if number:
                numbers.setdefault(number, []).append(building)
        self.by_number = {n: bs[0] for n, bs in numbers.items() if len(bs) == 1}
        self.ambiguous_numbers = {n for n, bs in numbers.items() if len(bs) > 1}
        self.households = {
            (h.building_id, h.door_number): h
            for h in Household.objects.filter(area_path__startswith=area.path)
        }

    def cell(self, row: list[Any], field_name: str) -> Any:
        col = self.layout.columns.get(field_name)
        return row[col] if col is not None and col < len(row) else None

    def label(self, field_name: str) -> str:
        return self.layout.labels.get(field_name, field_name)

    def _where(self, row: list[Any]) -> tuple[Area | None, str, str | None]:
        """(building, door number, reason when not found)."""
        building_text = _text(self.cell(row, "building"))
        door = _text(self.cell(row, "door_number"))
        if not door and self.cell(row, "address") is not None:
            address = _text(self.cell(row, "address"))
            match = ADDRESS.search(address)
            if match:
                building_text = building_text or match.group(1)
                door = match.group(2)
        if not door:
            return None, "", _("缺少门牌号(或无法从住址中识别楼栋和门牌号)。")
        if self.only_building is not None and not building_text:
            return self.only_building, door, None
        code = _text(self.cell(row, "building_code"))
        if code:
            by_code = self.by_code.get(code)
            if by_code is None:
                return None, door, _("所选区域中没有代码为“%(b)s”的楼栋。") % {"b": code}
            return by_code, door, None
        building = self.by_name.get(building_text)
        if building is None:
            number = _building_number(building_text)
            if number in self.ambiguous_numbers:
                return (
                    None,
                    door,
                    _("楼栋“%(b)s”在所选区域中不止一栋,请写全楼栋名称或按网格导入。")
                    % {"b": building_text},
                )
            building = self.by_number.get(number or "")
        if building is None:
            return None, door, _("所选区域中没有楼栋“%(b)s”。") % {"b": building_text or "—"}
        return building, door, None

    def plan(
        self, rows: list[list[Any]], progress: Callable[[int, int], None] | None = None
    ) -> Plan:
        plan = Plan()
        data_rows = rows[self.layout.header_row + 1 :]
        total = len(data_rows)
        parsed: list[tuple[int, Person, tuple[int, str], Area]] = []
        seen_documents: dict[str, int] = {}
        for offset, row in enumerate(data_rows):
            number = self.layout.header_row + 2 + offset
            if not any(_text(v) for v in row):
                continue
            plan.rows_read += 1
            if progress is not None and plan.rows_read % 1000 == 0:
                progress(offset, total)
            result = self._row(plan, number, row, seen_documents)
            if result is not None:
                parsed.append(result)
        self._match(plan, parsed)
        return plan

    def _problem(self, plan: Plan, number: int, field_name: str, value: str, reason: str) -> None:
        plan.errors.append(Problem(number, self.label(field_name), value, reason))

    def _row(
        self, plan: Plan, number: int, row: list[Any], seen: dict[str, int]
    ) -> tuple[int, Person, tuple[int, str], Area] | None:
        errors_before = len(plan.errors)
        name = _text(self.cell(row, "name"))
        if not name:
            self._problem(plan, number, "name", "", _("姓名不能为空。"))
        elif len(name) > 50:
            self._problem(plan, number, "name", name[:10] + "…", _("姓名不能超过 50 个字。"))
        building, door, reason = self._where(row)
        if reason:
            field_name = "door_number" if "door_number" in self.layout.columns else "address"
            self._problem(plan, number, field_name, door, reason)
        person = Person(name=name)
        raw_type = _text(self.cell(row, "document_type"))
        document_type = DOCUMENT_WORDS.get(raw_type, DocumentType.RESIDENT_ID)
        raw_document = self.cell(row, "document_number")
        if _text(raw_document):
            shown = pii.mask(
                "id",
                normalise(
                    _text(raw_document)
                    if not isinstance(raw_document, float)
                    else f"{raw_document:.5E}"
                ),
            )
            try:
                checked = check_document(document_type, raw_document)
            except ValidationError as error:
                self._problem(plan, number, "document_number", shown, " ".join(error.messages))
            else:
                if checked.value in seen:
                    self._problem(
                        plan,
                        number,
                        "document_number",
                        shown,
                        _("与第 %(row)s 行的证件号码重复。") % {"row": seen[checked.value]},
                    )
                seen[checked.value] = number
                for warning in checked.warnings:
                    plan.warnings.append(
                        Problem(number, self.label("document_number"), shown, warning)
                    )
                person.set_document(checked.document_type, checked.value)
                person.birth_date = checked.birth_date
                person.sex = checked.sex or ""
        raw_phone = _text(self.cell(row, "phone"))
        if raw_phone:
            try:
                phone = check_phone(raw_phone)
            except ValidationError as error:
                self._problem(
                    plan,
                    number,
                    "phone",
                    pii.mask("phone", normalise(raw_phone)),
                    " ".join(error.messages),
                )
            else:
                person.set_phone(phone)
        relation_text = _text(self.cell(row, "relation"))
        person.relation = RELATION_WORDS.get(relation_text, Relation.OTHER)
        if relation_text and relation_text not in RELATION_WORDS:
            plan.warnings.append(
                Problem(
                    number,
                    self.label("relation"),
                    relation_text,
                    _("无法识别的关系,按“其他”登记。"),
                )
            )
        sex_text = _text(self.cell(row, "sex"))
        if not person.sex and sex_text in ("男", "女"):
            person.sex = "M" if sex_text == "男" else "F"
        person.register_place = _text(self.cell(row, "register_place"))[:100]
        type_text = _text(self.cell(row, "resident_type"))
        person.resident_type = (
            ResidentType.FLOATING
            if any(w in type_text for w in ("流动", "外来", "暂住"))
            else ResidentType.REGISTERED
        )
        if len(plan.errors) > errors_before or building is None:
            return None
        person.name_initials = initials(name)
        kind_text = _text(self.cell(row, "household_kind"))
        key = (building.pk, door)
        if key not in self.households and key not in plan.households_new:
            kind = (
                HouseholdKind.RENTAL
                if "出租" in kind_text
                else HouseholdKind.SHOP
                if any(w in kind_text for w in ("商", "店"))
                else HouseholdKind.RESIDENT
            )
            plan.households_new[key] = Household(
                building=building, area_path=building.path, door_number=door, kind=kind
            )
        elif key in self.households:
            plan.households_existing[key] = self.households[key]
        return number, person, key, building

    def _match(self, plan: Plan, parsed: list[tuple[int, Person, tuple[int, str], Area]]) -> None:
        hashes = [p.document_hash for _n, p, _k, _b in parsed if p.document_hash]
        existing: dict[str, Person] = {}
        for start in range(0, len(hashes), 5000):
            for person in Person.objects.filter(document_hash__in=hashes[start : start + 5000]):
                existing[person.document_hash or ""] = person
        by_name: dict[tuple[int, str], Person] = {}
        known_households = {h.pk for h in plan.households_existing.values()}
        if known_households:
            for person in Person.objects.filter(
                household_id__in=known_households, document_hash__isnull=True
            ):
                by_name[(person.household_id, person.name)] = person
        for number, new, key, building in parsed:
            household = self.households.get(key)
            current = existing.get(new.document_hash or "") if new.document_hash else None
            if current is None and household is not None and not new.document_hash:
                current = by_name.get((household.pk, new.name))
            if current is not None and not current.area_path.startswith(self.area.path):
                plan.errors.append(
                    Problem(
                        number,
                        self.label("document_number"),
                        new.document_masked,
                        _("此证件号码已登记在所选区域以外,请联系原社区办理迁移。"),
                    )
                )
                continue
            if current is None:
                new.area_path = building.path
                plan.creates.append(PersonRow(number, key, new))
                continue
            if household is not None:
                new.household_id = household.pk
            else:
                new.household_id = None  # type: ignore[assignment]  # moves to a new household
            if all(getattr(current, f) == getattr(new, f) for f in PERSON_FIELDS):
                plan.unchanged += 1
                continue
            for attribute in PERSON_DETAIL_FIELDS:
                setattr(current, attribute, getattr(new, attribute))
            expected = current.version
            current.area_path = building.path
            plan.updates.append(PersonRow(number, key, current, expected))
