"""Writes to the registry. Plain ID numbers and phones pass through here only: they are
validated, encrypted, hashed, masked, and dropped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area, AreaKind
from jijie.audit.actors import Actor
from jijie.audit.services import audit_record
from jijie.core import pii
from jijie.core.identity import DocumentType
from jijie.core.models import Sex, check_identity
from jijie.residents import counts, names
from jijie.residents.models import (
    NOTE_LENGTH,
    Household,
    HouseholdKind,
    Person,
    Relation,
    ResidentType,
)
from jijie.residents.names import initials

if TYPE_CHECKING:
    from jijie.accounts.models import User


class ConflictError(ValidationError):
    """Someone else saved the record after this edit began."""


@dataclass
class PersonData:
    name: str
    document_type: str = DocumentType.RESIDENT_ID
    # None keeps what is stored (an edit form never shows the full values); "" clears.
    document_number: str | None = ""
    phone: str | None = ""
    sex: str = ""
    relation: str = Relation.OTHER
    register_place: str = ""
    resident_type: str = ResidentType.REGISTERED
    note: str | None = None  # None keeps what is stored


@dataclass
class Saved:
    person: Person
    warnings: list[str] = field(default_factory=list)


def _require(actor: User, action: Action, area_path: str) -> None:
    access.require_path(actor, action, area_path)


@sensitive_variables("data", "document", "phone")
def _apply(person: Person, data: PersonData) -> list[str]:
    """Validate `data` onto `person`, raising one ValidationError naming every bad field."""
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    name = data.name.strip()
    if not name:
        errors["name"] = [_("姓名不能为空。")]
    elif len(name) > 50:
        errors["name"] = [_("姓名不能超过 50 个字。")]
    for choice, values, field_name in [
        (data.relation, Relation.values, "relation"),
        (data.resident_type, ResidentType.values, "resident_type"),
        (data.document_type, DocumentType.values, "document_type"),
    ]:
        if choice not in values:
            errors[field_name] = [_("“%(value)s”不是可选的值。") % {"value": choice}]
    keep_document = data.document_number is None
    keep_phone = data.phone is None
    identity = check_identity(
        data.document_type,
        data.document_number if "document_type" not in errors else None,
        data.phone,
    )
    errors.update(identity.errors)
    document, phone = identity.document, identity.phone
    if errors:
        raise ValidationError(errors)

    person.name = name
    person.name_initials = initials(name)
    person.relation = data.relation
    person.register_place = data.register_place.strip()[:100]
    person.resident_type = data.resident_type
    if data.note is not None:
        person.note = data.note.strip()[:NOTE_LENGTH]
    person.sex = data.sex if data.sex in ("M", "F") else ""
    if document is not None:
        warnings += document.warnings
        person.set_document(document.document_type, document.value)
        if document.birth_date:
            person.set_birth_date(document.birth_date)
        if document.sex:
            if person.sex and person.sex != document.sex:
                warnings.append(
                    _("性别与证件号码中的性别(%(sex)s)不符,按证件号码登记。")
                    % {"sex": Sex(document.sex).label}
                )
            person.sex = document.sex
    elif not keep_document:
        person.set_document("", None)
    if phone is not None:
        person.set_phone(phone)
    elif not keep_phone:
        person.set_phone(None)
    return warnings


def _check_unique_document(person: Person) -> None:
    if person.document_hash is None:
        return
    taken = Person.objects.filter(document_hash=person.document_hash).exclude(pk=person.pk)
    if taken.exists():
        # Said without saying where: the other record may be outside the actor's scope.
        raise ValidationError(
            {
                "document_number": _(
                    "此证件号码已登记在册,请核对;如本人已迁入,请联系原社区办理迁移。"
                )
            }
        )


def household_register(
    *, actor: User, building: Area, door_number: str, kind: str = HouseholdKind.RESIDENT
) -> Household:
    """Register a door of a building whose registry `actor` keeps."""
    _require(actor, Action.RESIDENT_EDIT, building.path)
    return do_household_register(actor=actor, building=building, door_number=door_number, kind=kind)


@transaction.atomic
def do_household_register(
    *, actor: Actor, building: Area, door_number: str, kind: str = HouseholdKind.RESIDENT
) -> Household:
    """Register a door of a building. Takes no lock: a door registered twice at once is
    refused by the table's unique constraint."""
    if building.kind != AreaKind.BUILDING:
        raise ValidationError({"building": _("住户只能登记在楼栋下:请填写楼栋的代码。")})
    door_number = door_number.strip()
    if not door_number:
        raise ValidationError({"door_number": _("门牌号不能为空。")})
    if kind not in HouseholdKind.values:
        raise ValidationError({"kind": _("“%(value)s”不是可选的值。") % {"value": kind}})
    if Household.objects.filter(building=building, door_number=door_number).exists():
        raise ValidationError(
            {"door_number": _("该楼栋已有门牌号“%(door)s”。") % {"door": door_number}}
        )
    household = Household.objects.create(
        building=building,
        area_path=building.path,
        door_number=door_number,
        kind=kind,
    )
    counts.registered({building.pk: 1})
    audit_record(actor=actor, action="household.register", target=household, area=building)
    return household


def _locked_household(household: Household, version: int) -> Household:
    current = Household.objects.select_for_update().get(pk=household.pk)
    if current.version != version:
        raise ConflictError(_("这户信息已被他人修改,请刷新后再改。"), code="conflict")
    return current


def _locked_person(person: Person, version: int) -> Person:
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.version != version:
        raise ConflictError(_("此人信息已被他人修改,请刷新后再改。"), code="conflict")
    return current


def household_flags_set(
    *,
    actor: User,
    household: Household,
    version: int,
    kind: str,
    is_party_centre: bool,
    is_home_isolation: bool,
    is_hardship: bool,
) -> Household:
    """`do_household_flags_set` by someone who keeps the household's registry."""
    _require(actor, Action.RESIDENT_EDIT, household.area_path)
    return do_household_flags_set(
        actor=actor,
        household=household,
        version=version,
        kind=kind,
        is_party_centre=is_party_centre,
        is_home_isolation=is_home_isolation,
        is_hardship=is_hardship,
    )


@transaction.atomic
def do_household_flags_set(
    *,
    actor: Actor,
    household: Household,
    version: int,
    kind: str,
    is_party_centre: bool,
    is_home_isolation: bool,
    is_hardship: bool,
) -> Household:
    """Set a household's kind and its 联三户 flags. Locks the household's row; refused
    when its version is no longer `version` (someone else changed it meanwhile)."""
    current = _locked_household(household, version)
    if kind not in HouseholdKind.values:
        raise ValidationError({"kind": _("“%(value)s”不是可选的值。") % {"value": kind}})
    changes = {
        name: [getattr(current, name), value]
        for name, value in [
            ("kind", kind),
            ("is_party_centre", is_party_centre),
            ("is_home_isolation", is_home_isolation),
            ("is_hardship", is_hardship),
        ]
        if getattr(current, name) != value
    }
    for name, (_old, new) in changes.items():
        setattr(current, name, new)
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action="household.update",
        target=current,
        area=Area(path=current.area_path),
        data=changes,
    )
    return current


def person_add(*, actor: User, household: Household, data: PersonData) -> Saved:
    """Add a person to a household whose registry `actor` keeps."""
    _require(actor, Action.RESIDENT_EDIT, household.area_path)
    return do_person_add(actor=actor, household=household, data=data)


@transaction.atomic
def do_person_add(*, actor: Actor, household: Household, data: PersonData) -> Saved:
    """Add a person to a household. Takes no lock: an ID number registered twice at once
    is refused by the table's unique constraint."""
    person = Person(household=household, area_path=household.area_path)
    warnings = _apply(person, data)
    _check_unique_document(person)
    person.save()
    names.reindex([person])
    counts.people_added({household.building_id: 1})
    audit_record(actor=actor, action="person.add", target=person, area=Area(path=person.area_path))
    return Saved(person, warnings)


@transaction.atomic
def person_update(*, actor: User, person: Person, version: int, data: PersonData) -> Saved:
    """Replace a person's details. `version` is the one the editor read: if someone saved
    in between, this raises ConflictError and changes nothing."""
    _require(actor, Action.RESIDENT_EDIT, person.area_path)
    current = _locked_person(person, version)
    before = {f: getattr(current, f) for f in ("name", "document_hash", "phone_hash", "relation")}
    warnings = _apply(current, data)
    _check_unique_document(current)
    current.version += 1
    current.save()
    names.reindex([current])
    # Which fields changed, never their values.
    changed = sorted(f for f, v in before.items() if getattr(current, f) != v)
    audit_record(
        actor=actor,
        action="person.update",
        target=current,
        area=Area(path=current.area_path),
        data={"changed": changed},
    )
    return Saved(current, warnings)


@transaction.atomic
def person_move(*, actor: User, person: Person, version: int, household: Household) -> Person:
    """Move a person to another household; the actor must keep both."""
    _require(actor, Action.RESIDENT_EDIT, person.area_path)
    _require(actor, Action.RESIDENT_EDIT, household.area_path)
    current = _locked_person(person, version)
    origin = current.household_id
    left = Household.objects.values_list("building_id", flat=True).get(pk=origin)
    if left != household.building_id:
        counts.people_added({household.building_id: 1, left: -1})
    current.household = household
    current.area_path = household.area_path
    current.version += 1
    current.save()
    names.reindex([current])
    audit_record(
        actor=actor,
        action="person.move",
        target=current,
        area=Area(path=current.area_path),
        data={"from_household": origin, "to_household": household.pk},
    )
    return current


REVEAL_REASON_MIN = 4


@sensitive_variables()
@transaction.atomic
def person_reveal(
    *, actor: User, person: Person, field: Literal["document", "phone"], reason: str
) -> str:
    """The full ID number or phone of one person, for a stated reason, audited."""
    area = Area(path=person.area_path)
    access.require_path(actor, Action.RESIDENT_VIEW, person.area_path)
    if not access.may(actor, Action.PII_REVEAL, area):
        raise PermissionDenied(_("您的角色不能查看完整的证件号码或电话。"))
    reason = reason.strip()
    if len(reason) < REVEAL_REASON_MIN:
        raise ValidationError({"reason": _("请写明查看完整信息的事由(至少 4 个字)。")})
    cipher = person.document_cipher if field == "document" else person.phone_cipher
    if cipher is None:
        raise ValidationError({"field": _("没有登记这项信息。")})
    audit_record(actor=actor, action=f"pii.reveal.{field}", target=person, area=area, reason=reason)
    return pii.decrypt(cipher)
