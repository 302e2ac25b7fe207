"""Teams (突击队, 先锋队, 小分队) in a community or an organisation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import Actor
from jijie.audit.services import audit_record
from jijie.mobilization.models import (
    DeploymentStatus,
    Member,
    Organisation,
    Team,
    TeamKind,
)
from jijie.mobilization.services.base import area_of, check_community, require_manage

if TYPE_CHECKING:
    from jijie.accounts.models import User


def team_create(
    *,
    actor: User,
    name: str,
    kind: str,
    leader: Member,
    members: list[Member],
    community: Area | None = None,
    organisation: Organisation | None = None,
) -> Team:
    """`do_team_create` by someone who may form teams in `community`, or who manages
    `organisation`."""
    # Neither or both is refused by the write, before anyone's role is looked at.
    if community is not None and organisation is None:
        access.require(actor, Action.TEAM_MANAGE, community)
    elif organisation is not None and community is None:
        require_manage(actor, organisation)
    return do_team_create(
        actor=actor,
        name=name,
        kind=kind,
        leader=leader,
        members=members,
        community=community,
        organisation=organisation,
    )


@transaction.atomic
def do_team_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    leader: Member,
    members: list[Member],
    community: Area | None = None,
    organisation: Organisation | None = None,
) -> Team:
    """A team with a leader, inside a community (its secretary forms it from members
    deployed there or living there) or an organisation (the committee forms it). Takes
    no lock."""
    if (community is None) == (organisation is None):
        raise ValidationError(_("队伍要么属于一个社区,要么属于一个组织。"))
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("名称不能为空。")
    if kind not in TeamKind.values:
        errors["kind"] = _("“%(value)s”不是可选的值。") % {"value": kind}
    everyone = {m.pk: m for m in [leader, *members]}
    if community is not None:
        check_community(community, "community")
        today = timezone.localdate()
        here = set(
            Member.objects.filter(pk__in=everyone)
            .filter(
                Q(residence_path__startswith=community.path)
                | Q(
                    deployments__community=community,
                    deployments__status=DeploymentStatus.ACTIVE,
                    deployments__ends_on__gte=today,
                )
            )
            .values_list("pk", flat=True)
        )
    else:
        assert organisation is not None
        here = set(
            Member.objects.filter(
                pk__in=everyone, organisation__path__startswith=organisation.path
            ).values_list("pk", flat=True)
        )
    strangers = [m.name for pk, m in everyone.items() if pk not in here]
    if strangers:
        errors["members"] = _("这些人不在本社区(或本组织):%(names)s。") % {
            "names": "、".join(strangers)
        }
    if errors:
        raise ValidationError(errors)
    team = Team.objects.create(
        name=name, kind=kind, leader=leader, community=community, organisation=organisation
    )
    team.members.set(list(everyone.values()))
    place = community if community is not None else area_of(organisation)  # type: ignore[arg-type]
    audit_record(
        actor=actor, action="team.create", target=team, area=place, data={"size": len(everyone)}
    )
    return team
