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
from jijie.audit.actors import Actor
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
from jijie.mobilization.services.base import (
    area_of,
    check_community,
    require_manage,
    require_member_edit,
)

if TYPE_CHECKING:
    from jijie.accounts.models import User


def organisation_create(
    *,
    actor: User,
    name: str,
    kind: str,
    area: Area,
    parent: Organisation | None = None,
    compound: Compound | None = None,
    project: str = "",
) -> Organisation:
    """`do_organisation_create` by someone who manages `parent`, or mobilization over
    `area` for a root."""
    if parent is not None:
        require_manage(actor, parent)
    else:
        access.require(actor, Action.MOBILIZATION_MANAGE, area)
    return do_organisation_create(
        actor=actor,
        name=name,
        kind=kind,
        area=area,
        parent=parent,
        compound=compound,
        project=project,
    )


@transaction.atomic
def do_organisation_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    area: Area,
    parent: Organisation | None = None,
    compound: Compound | None = None,
    project: str = "",
) -> Organisation:
    """Add an organisation under `parent` (a root is a working committee). Takes no
    lock: the tree's own insert places it."""
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


def organisation_admin_grant(
    *, actor: User, user: User, organisation: Organisation
) -> OrganisationAssignment:
    """`do_organisation_admin_grant` by someone who manages `organisation`."""
    require_manage(actor, organisation)
    return do_organisation_admin_grant(actor=actor, user=user, organisation=organisation)


@transaction.atomic
def do_organisation_admin_grant(
    *, actor: Actor, user: User, organisation: Organisation
) -> OrganisationAssignment:
    """Make `user` the admin of a unit (sees and keeps that unit's members only). Takes
    no lock: granting twice keeps one assignment."""
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


def pairing_create(
    *,
    actor: User,
    organisation: Organisation,
    community: Area,
    starts_on: date,
    ends_on: date | None = None,
) -> Pairing:
    """`do_pairing_create` by someone who manages `organisation`."""
    require_manage(actor, organisation)
    return do_pairing_create(
        actor=actor,
        organisation=organisation,
        community=community,
        starts_on=starts_on,
        ends_on=ends_on,
    )


@transaction.atomic
def do_pairing_create(
    *,
    actor: Actor,
    organisation: Organisation,
    community: Area,
    starts_on: date,
    ends_on: date | None = None,
) -> Pairing:
    """A unit covers a community for a period (包保). Takes no lock."""
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


def organisation_leader_add(
    *, actor: User, organisation: Organisation, member: Member, title: str
) -> OrganisationLeader:
    """`do_organisation_leader_add` by someone who keeps `organisation`'s members."""
    require_member_edit(actor, organisation)
    return do_organisation_leader_add(
        actor=actor, organisation=organisation, member=member, title=title
    )


@transaction.atomic
def do_organisation_leader_add(
    *, actor: Actor, organisation: Organisation, member: Member, title: str
) -> OrganisationLeader:
    """Name one of an organisation's members as one of its leaders. Takes no lock:
    naming a leader again changes their title."""
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
