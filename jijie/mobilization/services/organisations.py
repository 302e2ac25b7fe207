"""Organisations in their tree, the admins of units, and the pairing of units with the
communities they cover (包保)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area, Compound
from jijie.audit.services import audit_record
from jijie.mobilization import access as mobilization_access
from jijie.mobilization.models import (
    Member,
    Organisation,
    OrganisationAssignment,
    OrganisationKind,
    OrganisationLeader,
    OrganisationRole,
    Pairing,
)
from jijie.mobilization.services.base import area_of, check_community, require_manage

if TYPE_CHECKING:
    from jijie.accounts.models import User


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    area: Area,
    parent: Organisation | None = None,
    compound: Compound | None = None,
    project: str = "",
) -> Organisation:
    """Add an organisation under `parent` (a root is a working committee)."""
    if actor is not None:
        if parent is not None:
            require_manage(actor, parent)
        else:
            access.require(actor, Action.MOBILIZATION_MANAGE, area)
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("名称不能为空。")
    if kind not in OrganisationKind.values:
        errors["kind"] = _("“%(value)s”不是可选的值。") % {"value": kind}
    if (compound is not None or project.strip()) and kind != OrganisationKind.TEMPORARY_BRANCH:
        errors["kind"] = _("只有临时党支部设在小区或项目上。")
    if kind == OrganisationKind.TEMPORARY_BRANCH and compound is None and not project.strip():
        errors["project"] = _("临时党支部要写明所在的小区或项目。")
    if parent is None and kind != OrganisationKind.WORKING_COMMITTEE:
        errors["kind"] = _("最上级组织应为机关工委。")
    if errors:
        raise ValidationError(errors)
    fields = {
        "name": name,
        "kind": kind,
        "area": area,
        "area_path": area.path,
        "compound": compound,
        "project": project.strip(),
    }
    organisation = (
        Organisation.objects.add_root(create_kwargs=fields)
        if parent is None
        else Organisation.objects.add_child(parent, create_kwargs=fields)
    )
    audit_record(
        actor=actor, action="organisation.create", target=organisation, area=area_of(organisation)
    )
    return organisation


@transaction.atomic
def organisation_admin_grant(
    *, actor: User | None, user: User, organisation: Organisation
) -> OrganisationAssignment:
    """Make `user` the admin of a unit (sees and keeps that unit's members only)."""
    require_manage(actor, organisation)
    assignment, _created = OrganisationAssignment.objects.get_or_create(
        user=user, organisation=organisation, role=OrganisationRole.ADMIN
    )
    mobilization_access.forget(user)
    audit_record(
        actor=actor,
        action="organisation.admin_grant",
        target=assignment,
        area=area_of(organisation),
        data={"user": user.pk},
    )
    return assignment


@transaction.atomic
def pairing_create(
    *,
    actor: User | None,
    organisation: Organisation,
    community: Area,
    starts_on: date,
    ends_on: date | None = None,
) -> Pairing:
    """A unit covers a community for a period (包保)."""
    require_manage(actor, organisation)
    check_community(community, "community")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    pairing = Pairing.objects.create(
        organisation=organisation,
        community=community,
        community_path=community.path,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    audit_record(actor=actor, action="pairing.create", target=pairing, area=community)
    return pairing


@transaction.atomic
def organisation_leader_add(
    *, actor: User | None, organisation: Organisation, member: Member, title: str
) -> OrganisationLeader:
    """Name one of an organisation's members as one of its leaders."""
    if actor is not None:
        mobilization_access.require_organisation(
            actor,
            Action.MEMBER_EDIT,
            path=organisation.path,
            area_path=organisation.area_path,
        )
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("请填写职务,如书记、副书记、负责人。")})
    in_it = member.organisation is not None and member.organisation.path.startswith(
        organisation.path
    )
    if not in_it:
        raise ValidationError(
            {
                "member": _("%(name)s 不是“%(organisation)s”的成员。")
                % {"name": member.name, "organisation": organisation.name}
            }
        )
    leader, _created = OrganisationLeader.objects.update_or_create(
        organisation=organisation, member=member, defaults={"title": title[:20]}
    )
    audit_record(
        actor=actor,
        action="organisation.leader",
        target=leader,
        area=area_of(organisation),
        data={"member": member.pk},
    )
    return leader
