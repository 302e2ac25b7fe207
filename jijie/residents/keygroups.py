"""Key groups (重点人群) of a response and the people in them, with the health and travel
data that only such people have. Writes audited; reads of health data need HEALTH_VIEW."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import Actor
from jijie.audit.services import audit_record
from jijie.residents.models import HealthStatus, KeyGroup, KeyGroupMember, Person
from jijie.responses.models import Response

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User


@dataclass
class FollowUp:
    arrived_from: str = ""
    arrived_on: date | None = None
    travel_mode: str = ""
    health_status: str = HealthStatus.NORMAL
    isolation_until: date | None = None
    note: str = ""


def key_group_create(*, actor: User, response: Response, name: str) -> KeyGroup:
    """Name a key group of a response; by those who may edit the registry over its area."""
    access.require_path(actor, Action.RESIDENT_EDIT, response.area_path)
    return do_key_group_create(actor=actor, response=response, name=name)


@transaction.atomic
def do_key_group_create(*, actor: Actor, response: Response, name: str) -> KeyGroup:
    """Name a key group of a response. Takes no lock: a second group of one name is
    refused by the table's unique constraint."""
    if not response.is_active:
        raise ValidationError(_("响应已经结束,不能再建重点人群。"))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("名称不能为空。")})
    if KeyGroup.objects.filter(response=response, name=name).exists():
        raise ValidationError({"name": _("该响应已有重点人群“%(name)s”。") % {"name": name}})
    group = KeyGroup.objects.create(response=response, name=name)
    audit_record(
        actor=actor, action="key_group.create", target=group, area=Area(path=response.area_path)
    )
    return group


def _check(follow_up: FollowUp) -> None:
    errors: dict[str, str] = {}
    if follow_up.health_status not in HealthStatus.values:
        errors["health_status"] = _("“%(value)s”不是可选的值。") % {
            "value": follow_up.health_status
        }
    if follow_up.arrived_on and follow_up.arrived_on > timezone.localdate():
        errors["arrived_on"] = _("抵达日期不能晚于今天。")
    if (
        follow_up.isolation_until
        and follow_up.arrived_on
        and follow_up.isolation_until < follow_up.arrived_on
    ):
        errors["isolation_until"] = _("居家观察截止日期不能早于抵达日期。")
    if errors:
        raise ValidationError(errors)


def key_group_add(
    *, actor: User, person: Person, group: KeyGroup, follow_up: FollowUp
) -> KeyGroupMember:
    """Put a person whose registry `actor` keeps in a key group of a response that covers
    them, with their data."""
    access.require_path(actor, Action.RESIDENT_EDIT, person.area_path)
    return do_key_group_add(actor=actor, person=person, group=group, follow_up=follow_up)


@transaction.atomic
def do_key_group_add(
    *, actor: Actor, person: Person, group: KeyGroup, follow_up: FollowUp
) -> KeyGroupMember:
    """Put a person in a key group of a response that covers them, with their data.
    Takes no lock: a person twice in one open group is refused by the table's
    constraint."""
    if not person.area_path.startswith(group.response.area_path):
        raise ValidationError({"key_group": _("该重点人群所属的响应不覆盖此人的住址。")})
    if not group.response.is_active:
        raise ValidationError({"key_group": _("响应已经结束,不能再登记。")})
    if KeyGroupMember.objects.filter(
        key_group=group, person=person, ended_at__isnull=True
    ).exists():
        raise ValidationError({"key_group": _("此人已在“%(group)s”中。") % {"group": group.name}})
    _check(follow_up)
    member = KeyGroupMember.objects.create(
        key_group=group, person=person, area_path=person.area_path, **vars(follow_up)
    )
    audit_record(
        actor=actor,
        action="key_group.add",
        target=person,
        area=Area(path=person.area_path),
        data={"key_group": group.pk},
    )
    return member


@transaction.atomic
def key_group_end(*, actor: User, member: KeyGroupMember) -> None:
    access.require_path(actor, Action.RESIDENT_EDIT, member.area_path)
    KeyGroupMember.objects.filter(pk=member.pk, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="key_group.end",
        target=member.person,
        area=Area(path=member.area_path),
        data={"key_group": member.key_group_id},
    )


def groups_for(person: Person) -> QuerySet[KeyGroup]:
    """Key groups of the active responses that cover this person."""
    paths = [
        person.area_path[:n] for n in range(Area.steplen, len(person.area_path) + 1, Area.steplen)
    ]
    return KeyGroup.objects.filter(
        response__area_path__in=paths, response__status="active"
    ).order_by("name")


def memberships(*, actor: User | AnonymousUser, person: Person) -> QuerySet[KeyGroupMember]:
    """A person's open key-group memberships with their health data: for the roles that
    follow people up only."""
    if not access.may(actor, Action.HEALTH_VIEW, Area(path=person.area_path)):
        raise PermissionDenied(_("您的角色不能查看健康和行程信息。"))
    return person.key_groups.filter(ended_at__isnull=True).select_related("key_group__response")
