"""Importing a unit's member list (党员名册) from a spreadsheet, with the registry's
machinery: its reader (size, type and zip-bomb checks; .xlsx, .xls, .csv), its column
finder (title rows, merged headers, the registry's names for 姓名, 身份证号, 联系电话) and
the identity validators. Every row is checked before anything is saved; one bad row
saves nothing, and each problem names the row, the column and the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jijie.areas.models import Area, AreaKind
from jijie.audit.actors import Actor
from jijie.core import pii, text
from jijie.core.identity import check_phone, check_resident_id, normalise
from jijie.mobilization import services
from jijie.mobilization.models import Member, MemberKind, Organisation, Skill
from jijie.residents.imports import reader
from jijie.residents.imports.columns import clean_header, find_layout
from jijie.residents.imports.plan import Problem

if TYPE_CHECKING:
    from jijie.accounts.models import User

RefusedFile = reader.RefusedFile
# Refuse a file over the reader's size limit; callers check before reading it into memory.
check_size = reader.check_size
MAX_MEMBER_ROWS = 20_000

# Columns a member list has beyond the registry's.
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "kind": ("身份", "人员类别", "类别", "政治面貌", "人员身份"),
    "residence": ("居住社区", "现居住社区", "居住地社区", "所在社区", "社区"),
    "skills": ("技能", "特长", "专长"),
}
KIND_WORDS: dict[str, str] = {
    "党员": MemberKind.PARTY_MEMBER, "中共党员": MemberKind.PARTY_MEMBER,
    "预备党员": MemberKind.PROBATIONARY, "中共预备党员": MemberKind.PROBATIONARY,
    "干部": MemberKind.CADRE, "公职人员": MemberKind.CIVIL_SERVANT,
    "公务员": MemberKind.CIVIL_SERVANT, "人大代表": MemberKind.NPC_DEPUTY,
    "政协委员": MemberKind.CPPCC_MEMBER, "志愿者": MemberKind.VOLUNTEER,
    "居民志愿者": MemberKind.VOLUNTEER, "群众": MemberKind.VOLUNTEER,
    "离退休党员": MemberKind.RETIRED_PARTY_MEMBER, "退休党员": MemberKind.RETIRED_PARTY_MEMBER,
}  # fmt: skip
SKILL_WORDS: dict[str, str] = {str(label): code for code, label in Skill.choices} | {
    "医生": Skill.MEDICAL, "护士": Skill.MEDICAL, "司机": Skill.DRIVING, "开车": Skill.DRIVING,
    "客家话": Skill.DIALECT, "电脑": Skill.IT,
}  # fmt: skip


@dataclass
class Report:
    created: int = 0
    existing: int = 0
    problems: list[Problem] = field(default_factory=list)


def _text(row: list[Any], column: int | None) -> str:
    if column is None or column >= len(row) or row[column] is None:
        return ""
    value = row[column]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _extra_columns(header: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = clean_header(cell)
        for name, words in EXTRA_COLUMNS.items():
            if text in words and name not in found:
                found[name] = index
    return found


def _communities(organisation: Organisation) -> dict[str, Area]:
    """Communities of the organisation's city, by code and by name."""
    city = organisation.area_path[: Area.steplen]
    found: dict[str, Area] = {}
    for area in Area.objects.filter(
        path__startswith=city, kind__in=(AreaKind.COMMUNITY, AreaKind.VILLAGE)
    ):
        found[area.code] = area
        found.setdefault(area.name, area)
    return found


def plan_rows(
    sheet: reader.Sheet, organisation: Organisation
) -> tuple[list[tuple[int, services.MemberData]], Report]:
    """Check every row; return the rows to register and the report so far."""
    report = Report()
    if sheet.total > MAX_MEMBER_ROWS:
        raise RefusedFile(
            _("名册超过 %(limit)s 行,请按支部分开导入。") % {"limit": MAX_MEMBER_ROWS}
        )
    head = sheet.head(20)
    layout = find_layout(head)
    if layout is None or not {"name", "document_number"} <= set(layout.columns):
        raise RefusedFile(_("没有找到“姓名”和“身份证号”列,请检查表头。"))
    columns: dict[str, int] = {**layout.columns, **_extra_columns(head[layout.header_row])}
    labels = {**layout.labels, "kind": _("身份"), "residence": _("居住社区"), "skills": _("技能")}
    communities = _communities(organisation)
    seen: dict[str, int] = {}
    rows: list[tuple[int, services.MemberData]] = []
    for index, row in enumerate(sheet.rows()):
        if index <= layout.header_row or not any(str(c or "").strip() for c in row):
            continue
        number = index + 1

        def problem(name: str, value: str, reason: str, number: int = number) -> None:
            report.problems.append(Problem(number, labels.get(name, name), value, reason))

        name = _text(row, columns.get("name"))
        refused = text.refusal(name, field=labels.get("name", "name"))
        if refused is not None:
            problem("name", text.visible(name)[:20], refused.messages[0])
        name = text.tidy(name)  # as the forms clean it (jijie.core.text)
        if not name and refused is None:
            problem("name", "", _("姓名不能为空。"))
        raw_id = _text(row, columns.get("document_number"))
        try:
            document = check_resident_id(raw_id).value
        except ValidationError as error:
            problem("document_number", pii.mask("id", normalise(raw_id)), " ".join(error.messages))
            document = None
        raw_phone = _text(row, columns.get("phone"))
        phone = ""
        if raw_phone:
            try:
                phone = check_phone(raw_phone)
            except ValidationError as error:
                problem("phone", pii.mask("phone", normalise(raw_phone)), " ".join(error.messages))
        else:
            problem("phone", "", _("请填写联系电话。"))
        kind_text = _text(row, columns.get("kind"))
        kind = KIND_WORDS.get(kind_text, MemberKind.PARTY_MEMBER if not kind_text else "")
        if not kind:
            problem(
                "kind",
                kind_text,
                _(
                    "不认识的身份,可填:党员、预备党员、干部、公职人员、人大代表、政协委员、志愿者、离退休党员。"
                ),
            )
        residence_text = _text(row, columns.get("residence"))
        residence = communities.get(residence_text) if residence_text else None
        if residence_text and residence is None:
            problem("residence", residence_text, _("没有找到这个社区。"))
        skills = [
            SKILL_WORDS[word]
            for word in _text(row, columns.get("skills"))
            .replace(",", "、")
            .replace(",", "、")
            .split("、")
            if word.strip() in SKILL_WORDS
        ]
        if document is not None:
            hashed = pii.lookup_hash("id", document)
            if hashed in seen:
                problem(
                    "document_number",
                    pii.mask("id", document),
                    _("与第 %(row)s 行的身份证号重复。") % {"row": seen[hashed]},
                )
            seen[hashed] = number
        if document is not None and name and phone and kind and (residence or not residence_text):
            rows.append(
                (
                    number,
                    services.MemberData(
                        name=name,
                        kind=kind,
                        document_number=document,
                        phone=phone,
                        organisation=organisation,
                        residence=residence,
                        skills=skills,
                    ),
                )
            )
    return rows, report


def member_import(*, actor: User, organisation: Organisation, data: bytes) -> Report:
    """`do_member_import` by someone who keeps `organisation`'s members."""
    services.require_member_edit(actor, organisation)
    return do_member_import(actor=actor, organisation=organisation, data=data)


@transaction.atomic
def do_member_import(*, actor: Actor, organisation: Organisation, data: bytes) -> Report:
    """Register the members a file lists under `organisation`; members already registered
    (same ID number) are counted and left as they are. Takes no lock: the unique ID
    number refuses a member registered meanwhile, and then nothing is saved."""
    rows, report = plan_rows(reader.read(data), organisation)
    if report.problems:
        return report
    known = set(
        Member.objects.filter(
            document_hash__in=[pii.lookup_hash("id", d.document_number or "") for _n, d in rows]
        ).values_list("document_hash", flat=True)
    )
    for _number, member in rows:
        if pii.lookup_hash("id", member.document_number or "") in known:
            report.existing += 1
            continue
        services.do_member_register(actor=actor, data=member)
        report.created += 1
    return report
