"""Writes to the area tree, in two steps (docs/architecture.md): the checked entry
(`area_create`) takes a user and checks `access` once; the write (`do_area_create`)
checks nothing, writes and audits in one transaction, and is what the system
(`SYSTEM`) and other services that already checked call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jijie.areas import access, codes
from jijie.areas.models import CHILD_KINDS, Area, AreaKind, Compound
from jijie.audit.actors import Actor, SystemActor
from jijie.audit.services import audit_record

if TYPE_CHECKING:
    from jijie.accounts.models import User


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("名称不能为空。")})
    if len(name) > 100:
        raise ValidationError({"name": _("名称不能超过 100 个字。")})
    return name


def area_create(
    *,
    actor: User,
    parent: Area,
    kind: str,
    name: str,
    code: str,
    dwelling_count: int = 0,
    compound: Compound | None = None,
) -> Area:
    """Add an area under `parent`, where `actor` may edit the tree (404 out of sight, 403
    with too low a role). Cities are the system's (`do_area_create`)."""
    access.require(actor, access.Action.AREA_EDIT, parent)
    return do_area_create(
        actor=actor,
        parent=parent,
        kind=kind,
        name=name,
        code=code,
        dwelling_count=dwelling_count,
        compound=compound,
    )


@transaction.atomic
def do_area_create(
    *,
    actor: Actor,
    parent: Area | None,
    kind: str,
    name: str,
    code: str,
    dwelling_count: int = 0,
    compound: Compound | None = None,
) -> Area:
    """Add an area under `parent`, or a city at the root (`parent` None: the system
    only). Locks the parent row (treebeard's `add_child`), so two adds never compute the
    same child path."""
    if parent is None:
        if not isinstance(actor, SystemActor):
            raise ValidationError(_("只有系统可以创建市级区域。"))
        if kind != AreaKind.CITY:
            raise ValidationError({"kind": _("根节点必须是市。")})
    elif kind not in CHILD_KINDS[parent.kind]:
        raise ValidationError(
            {
                "kind": _("“%(parent)s”下不能添加“%(kind)s”。")
                % {"parent": parent.name, "kind": dict(AreaKind.choices).get(kind, kind)}
            }
        )
    name = _check_name(name)
    code = codes.validate_child_code(
        kind=kind, code=code, parent_code=parent.code if parent else None
    )
    if dwelling_count and kind != AreaKind.BUILDING:
        raise ValidationError({"dwelling_count": _("只有楼栋有户数。")})
    if dwelling_count < 0:
        raise ValidationError({"dwelling_count": _("户数不能为负数。")})
    if compound is not None and (
        kind != AreaKind.BUILDING
        or parent is None
        or compound.community_id != parent.community_id_above()
    ):
        raise ValidationError({"compound": _("楼栋只能归入本社区的小区。")})
    if Area.objects.filter(code=code).exists():
        raise ValidationError({"code": _("代码“%(code)s”已被使用。") % {"code": code}})
    fields = {
        "kind": kind,
        "name": name,
        "code": code,
        "dwelling_count": dwelling_count,
        "compound": compound,
    }
    if parent is None:
        area = Area.objects.add_root(create_kwargs=fields)
    else:
        # add_child locks the parent row first, so two concurrent adds never compute the
        # same child path (tests/test_concurrency.py holds it to that on PostgreSQL).
        area = Area.objects.add_child(parent, create_kwargs=fields)
    audit_record(actor=actor, action="area.create", target=area, area=area, data={"code": code})
    return area


def area_update(
    *,
    actor: User,
    area: Area,
    name: str,
    dwelling_count: int | None = None,
    compound: Compound | None = None,
) -> Area:
    """Rename an area where `actor` may edit the tree; for a building also set its
    dwellings and compound."""
    access.require(actor, access.Action.AREA_EDIT, area)
    return do_area_update(
        actor=actor, area=area, name=name, dwelling_count=dwelling_count, compound=compound
    )


@transaction.atomic
def do_area_update(
    *,
    actor: Actor,
    area: Area,
    name: str,
    dwelling_count: int | None = None,
    compound: Compound | None = None,
) -> Area:
    """Rename an area; for a building also set its dwellings and compound. Locks the
    area's row."""
    area = Area.objects.select_for_update().get(pk=area.pk)
    changes: dict[str, list[object]] = {}
    name = _check_name(name)
    if name != area.name:
        changes["name"] = [area.name, name]
        area.name = name
    if area.kind == AreaKind.BUILDING:
        if dwelling_count is not None and dwelling_count != area.dwelling_count:
            if dwelling_count < 0:
                raise ValidationError({"dwelling_count": _("户数不能为负数。")})
            changes["dwelling_count"] = [area.dwelling_count, dwelling_count]
            area.dwelling_count = dwelling_count
        if compound is not None and compound.community_id != area.community_id_above():
            raise ValidationError({"compound": _("楼栋只能归入本社区的小区。")})
        if (compound.pk if compound else None) != area.compound_id:
            changes["compound"] = [area.compound_id, compound.pk if compound else None]
            area.compound = compound
    if changes:
        area.save()
        audit_record(actor=actor, action="area.update", target=area, area=area, data=changes)
    return area


def compound_create(*, actor: User, community: Area, name: str) -> Compound:
    """Add a compound (小区) to a community or village where `actor` may edit the tree."""
    access.require(actor, access.Action.AREA_EDIT, community)
    return do_compound_create(actor=actor, community=community, name=name)


@transaction.atomic
def do_compound_create(*, actor: Actor, community: Area, name: str) -> Compound:
    """Add a compound (小区) to a community or village; its code is numbered locally.
    Locks the community's row, which numbers its compounds."""
    if community.kind not in (AreaKind.COMMUNITY, AreaKind.VILLAGE):
        raise ValidationError({"community": _("小区只能建在社区或村下。")})
    name = _check_name(name)
    community = Area.objects.select_for_update().get(pk=community.pk)
    if Compound.objects.filter(community=community, name=name).exists():
        raise ValidationError({"name": _("本社区已有名为“%(name)s”的小区。") % {"name": name}})
    number = Compound.objects.filter(community=community).count() + 1
    compound = Compound.objects.create(
        community=community, name=name, code=f"{community.code}-C{number:02d}"
    )
    audit_record(actor=actor, action="compound.create", target=compound, area=community)
    return compound
