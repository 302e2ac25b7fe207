"""Members: registered by their unit, the committee or themselves (on a sign-up page),
stored like the registry's people and linked to them. Plain ID numbers and phones
pass through here only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area
from jijie.audit.actors import Actor
from jijie.audit.services import audit_record
from jijie.core.identity import DocumentType
from jijie.core.models import check_identity
from jijie.mobilization.models import (
    Availability,
    Fitness,
    Member,
    MemberKind,
    Organisation,
    skills_text,
)
from jijie.mobilization.services.base import require_member_edit
from jijie.residents.models import Person

if TYPE_CHECKING:
    from jijie.accounts.models import User


@dataclass
class MemberData:
    name: str
    kind: str = MemberKind.PARTY_MEMBER
    # None keeps what is stored (an edit never shows the full values); "" clears.
    document_number: str | None = ""
    phone: str | None = ""
    organisation: Organisation | None = None
    residence: Area | None = None
    skills: list[str] = field(default_factory=list)
    fitness: str = Fitness.FIT
    availability: str = Availability.FULL_TIME


@sensitive_variables("data", "document", "phone")
def apply_member_data(member: Member, data: MemberData) -> list[str]:
    """Validate `data` onto `member`, raising one ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    name = data.name.strip()
    if not name:
        errors["name"] = [_("姓名不能为空。")]
    elif len(name) > 50:
        errors["name"] = [_("姓名不能超过 50 个字。")]
    for choice, values, field_name in [
        (data.kind, MemberKind.values, "kind"),
        (data.fitness, Fitness.values, "fitness"),
        (data.availability, Availability.values, "availability"),
    ]:
        if choice not in values:
            errors[field_name] = [_("“%(value)s”不是可选的值。") % {"value": choice}]
    if data.residence is not None and data.residence.kind not in COMMUNITY_KINDS:
        errors["residence"] = [_("居住社区应为社区或村。")]
    identity = check_identity(DocumentType.RESIDENT_ID, data.document_number, data.phone)
    errors.update(identity.errors)
    document, phone = identity.document, identity.phone
    if data.document_number == "" and member.pk is None:
        errors["document_number"] = [_("请填写身份证号,用于核对身份和防止重复报名。")]
    if data.phone == "" and member.pk is None:
        errors["phone"] = [_("请填写联系电话。")]
    if errors:
        raise ValidationError(errors)

    member.name = name
    member.kind = data.kind
    member.organisation = data.organisation
    member.residence = data.residence
    member.residence_path = data.residence.path if data.residence is not None else ""
    member.skills = skills_text(data.skills)
    member.fitness = data.fitness
    member.availability = data.availability
    if document is not None:
        warnings += document.warnings
        member.store_document(document.value)
        member.set_birth_date(document.birth_date)
        member.sex = document.sex or ""
    if phone is not None:
        member.set_phone(phone)
    return warnings


def check_unique_document(member: Member) -> None:
    if member.document_hash is None:
        return
    if Member.objects.filter(document_hash=member.document_hash).exclude(pk=member.pk).exists():
        raise ValidationError(
            {"document_number": _("此身份证号已登记为队员,请勿重复登记;如需修改请联系所在单位。")}
        )


def link_person(member: Member) -> None:
    """Link the member to the registry's person with the same document, if any."""
    if member.document_hash is not None:
        member.person = Person.objects.filter(document_hash=member.document_hash).first()


def _require_member_edit(actor: User, member: Member) -> None:
    """The member themselves, or someone who keeps their unit's records (the area's,
    for a member of no unit)."""
    if access.is_self(actor, member.user_id):
        return
    organisation = member.organisation
    if organisation is None:
        if not access.may(actor, Action.MEMBER_EDIT, Area(path=member.residence_path or "-")):
            raise PermissionDenied(_("您的角色不能修改该队员的信息。"))
        return
    require_member_edit(actor, organisation)


@dataclass
class SavedMember:
    member: Member
    warnings: list[str] = field(default_factory=list)


def member_register(*, actor: User, data: MemberData, user: User | None = None) -> SavedMember:
    """`do_member_register` by someone who keeps the records of the member's unit; a
    member of no unit (a resident volunteer) needs no role."""
    if data.organisation is not None:
        require_member_edit(actor, data.organisation)
    return do_member_register(actor=actor, data=data, user=user)


@transaction.atomic
def do_member_register(*, actor: Actor, data: MemberData, user: User | None = None) -> SavedMember:
    """Register a member, linked to `user`'s account if given. Takes no lock: the unique
    ID number refuses the same person twice."""
    member = Member(user=user)
    warnings = apply_member_data(member, data)
    check_unique_document(member)
    link_person(member)
    member.save()
    audit_record(
        actor=actor,
        action="member.register",
        target=member,
        area=Area(path=member.residence_path),
    )
    return SavedMember(member, warnings)


def member_update(*, actor: User, member: Member, version: int, data: MemberData) -> SavedMember:
    """`do_member_update` by the member themselves or someone who keeps their unit's
    records."""
    _require_member_edit(actor, member)
    return do_member_update(actor=actor, member=member, version=version, data=data)


@transaction.atomic
def do_member_update(
    *, actor: Actor, member: Member, version: int, data: MemberData
) -> SavedMember:
    """Replace a member's details. `version` is the one the editor read; a save in
    between refuses this one. Locks the member's row."""
    current = Member.objects.select_for_update().get(pk=member.pk)
    if current.version != version:
        raise ValidationError(_("此队员信息已被他人修改,请刷新后再改。"), code="conflict")
    before = {
        f: getattr(current, f)
        for f in ("name", "kind", "organisation_id", "residence_id", "phone_hash", "skills")
    }
    warnings = apply_member_data(current, data)
    check_unique_document(current)
    link_person(current)
    current.version += 1
    current.save()
    changed = sorted(f for f, v in before.items() if getattr(current, f) != v)
    audit_record(
        actor=actor,
        action="member.update",
        target=current,
        area=Area(path=current.residence_path),
        data={"changed": changed},
    )
    return SavedMember(current, warnings)
