"""Reads of mobilization, always through `access`: organisations and their members by the
committee's area or the unit admin's organisation; deployments by the community they go
to (and, for 双报到, the community the member lives in); a member's own record by their
account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.mobilization import access as mobilization_access
from jijie.mobilization.models import (
    AreaLocation,
    CallUp,
    CallUpStatus,
    ClaimStatus,
    Deployment,
    DeploymentStatus,
    Member,
    MemberClaim,
    MemberNotice,
    Organisation,
    Proposal,
    SignUp,
    SignUpStatus,
    Team,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User


def organisations(
    *, actor: User | AnonymousUser, action: Action = Action.MOBILIZATION_VIEW
) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        mobilization_access.organisation_filter(actor, action)
    ).order_by("path")


def organisation_for(
    *, actor: User | AnonymousUser, pk: int, action: Action = Action.MOBILIZATION_VIEW
) -> Organisation:
    organisation = organisations(actor=actor).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    mobilization_access.require_organisation(
        actor, action, path=organisation.path, area_path=organisation.area_path
    )
    return organisation


def _member_filter(actor: User | AnonymousUser, action: Action) -> Q:
    """Members of organisations in scope; members with no organisation (resident
    volunteers) by the area they live in."""
    q = mobilization_access.organisation_filter(
        actor, action, path_field="organisation__path", area_path_field="organisation__area_path"
    )
    for path in access.scope_paths(actor, action):
        q |= Q(organisation__isnull=True, residence_path__startswith=path)
    return q


def member_list(
    *,
    actor: User | AnonymousUser,
    organisation: Organisation | None = None,
    kind: str = "",
) -> QuerySet[Member]:
    members = Member.objects.filter(_member_filter(actor, Action.MOBILIZATION_VIEW))
    if organisation is not None:
        members = members.filter(organisation__path__startswith=organisation.path)
    if kind:
        members = members.filter(kind=kind)
    return members.select_related("organisation", "residence").order_by(
        "organisation__path", "name", "pk"
    )


def member_for(
    *, actor: User | AnonymousUser, pk: int, action: Action = Action.MOBILIZATION_VIEW
) -> Member:
    member = (
        Member.objects.filter(_member_filter(actor, Action.MOBILIZATION_VIEW))
        .select_related("organisation", "residence")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404
    if (
        action != Action.MOBILIZATION_VIEW
        and not Member.objects.filter(_member_filter(actor, action), pk=pk).exists()
    ):
        raise PermissionDenied(_("您的角色不能修改该队员的信息。"))
    return member


def member_of(user: User | AnonymousUser) -> Member | None:
    """The signed-in user's own member record, if they have one."""
    if not user.is_authenticated:
        return None
    return Member.objects.select_related("organisation", "residence").filter(user=user).first()


def _claim_filter(actor: User | AnonymousUser, action: Action) -> Q:
    """Claims on members the actor may act on: as `_member_filter`, and for a member with
    neither unit nor home community, the committee whose call-up the claim came by."""
    q = mobilization_access.organisation_filter(
        actor,
        action,
        path_field="member__organisation__path",
        area_path_field="member__organisation__area_path",
    )
    for path in access.scope_paths(actor, action):
        q |= Q(member__organisation__isnull=True, member__residence_path__startswith=path)
    orphan = Q(member__organisation__isnull=True, member__residence_path="")
    return q | orphan & mobilization_access.organisation_filter(
        actor,
        action,
        path_field="call_up__organisation__path",
        area_path_field="call_up__organisation__area_path",
    )


def member_claims(*, actor: User | AnonymousUser) -> QuerySet[MemberClaim]:
    """Claims waiting for the actor's decision: on the members they may edit (a unit's
    admin, the committee over the unit's area)."""
    return (
        MemberClaim.objects.filter(_claim_filter(actor, Action.MEMBER_EDIT))
        .filter(status=ClaimStatus.PENDING)
        .select_related("member", "member__organisation", "call_up", "user")
        .order_by("created_at", "pk")
    )


def member_claim_for(*, actor: User | AnonymousUser, pk: int) -> MemberClaim:
    """One claim to decide: 404 when the member is out of the actor's sight, 403 when
    they see the member but may not edit them."""
    claim = MemberClaim.objects.filter(_claim_filter(actor, Action.MOBILIZATION_VIEW), pk=pk)
    if not claim.exists():
        raise Http404
    found = (
        MemberClaim.objects.filter(_claim_filter(actor, Action.MEMBER_EDIT), pk=pk)
        .select_related("member", "call_up", "user")
        .first()
    )
    if found is None:
        raise PermissionDenied(_("您的角色不能审核该队员的认领申请。"))
    return found


def member_notices(*, member: Member) -> QuerySet[MemberNotice]:
    """The member's latest notices (the page marks the unread ones)."""
    return MemberNotice.objects.filter(member=member).order_by("-created_at", "-pk")[:20]


def call_ups(
    *, actor: User | AnonymousUser, action: Action = Action.MOBILIZATION_VIEW
) -> QuerySet[CallUp]:
    return (
        CallUp.objects.filter(
            mobilization_access.organisation_filter(
                actor,
                action,
                path_field="organisation__path",
                area_path_field="organisation__area_path",
                with_ancestors=True,
            )
        )
        .select_related("organisation", "response")
        .order_by("-created_at")
    )


def call_up_for(
    *, actor: User | AnonymousUser, pk: int, action: Action = Action.MOBILIZATION_VIEW
) -> CallUp:
    """One call-up: 404 when out of sight, 403 when the role may not do `action`."""
    call_up = call_ups(actor=actor).filter(pk=pk).first()
    if call_up is None:
        raise Http404
    mobilization_access.require_organisation(
        actor,
        action,
        path=call_up.organisation.path,
        area_path=call_up.organisation.area_path,
        with_ancestors=action == Action.MOBILIZATION_VIEW,
    )
    return call_up


def call_up_by_token(token: str) -> CallUp:
    """The call-up a shared sign-up link names (anyone with the link may sign up)."""
    call_up = CallUp.objects.select_related("organisation", "response").filter(token=token).first()
    if call_up is None:
        raise Http404
    return call_up


def _managed_here(actor: User | AnonymousUser, call_up: CallUp) -> bool:
    """Whether the actor sees the whole call-up (its committee) or only their unit."""
    organisation = call_up.organisation
    return mobilization_access.may_organisation(
        actor,
        Action.MOBILIZATION_MANAGE,
        path=organisation.path,
        area_path=organisation.area_path,
    ) or any(
        organisation.area_path.startswith(p)
        for p in access.scope_paths(actor, Action.MOBILIZATION_VIEW)
    )


def sign_up_list(
    *,
    actor: User | AnonymousUser,
    call_up: CallUp,
    status: str = "",
    unit: Organisation | None = None,
) -> QuerySet[SignUp]:
    """The call-up's sign-ups the actor may see: all of them for the committee (and
    those above it), their own members' for a unit's admin."""
    sign_ups = SignUp.objects.filter(call_up=call_up)
    if not _managed_here(actor, call_up):
        sign_ups = sign_ups.filter(_member_filter_prefixed(actor))
    if status:
        sign_ups = sign_ups.filter(status=status)
    if unit is not None:
        sign_ups = sign_ups.filter(unit=unit)
    return sign_ups.select_related("member", "member__residence", "unit").order_by(
        "created_at", "pk"
    )


def _member_filter_prefixed(actor: User | AnonymousUser) -> Q:
    return mobilization_access.organisation_filter(
        actor,
        Action.MOBILIZATION_VIEW,
        path_field="member__organisation__path",
        area_path_field="member__organisation__area_path",
    )


def sign_up_for(
    *, actor: User | AnonymousUser, pk: int, action: Action = Action.MOBILIZATION_MANAGE
) -> SignUp:
    sign_up = (
        SignUp.objects.select_related("call_up", "call_up__organisation", "member")
        .filter(pk=pk)
        .first()
    )
    if sign_up is None:
        raise Http404
    # Out of sight unless the actor sees the call-up.
    call_up_for(actor=actor, pk=sign_up.call_up_id, action=action)
    return sign_up


@dataclass
class FunnelRow:
    label: str
    requested: int = 0
    approved: int = 0
    declined: int = 0
    deployed: int = 0
    withdrawn: int = 0
    ended: int = 0

    @property
    def signed_up(self) -> int:
        return (
            self.requested
            + self.approved
            + self.declined
            + self.deployed
            + self.withdrawn
            + self.ended
        )

    @property
    def screened_in(self) -> int:
        """Approved at screening, whatever happened after."""
        return self.approved + self.deployed + self.ended


@dataclass
class Funnel:
    total: FunnelRow
    by_unit: list[FunnelRow]
    by_community: list[tuple[str, int, int]]  # community, quota, deployed


def funnel(*, actor: User | AnonymousUser, call_up: CallUp) -> Funnel:
    """Signed up → screened → deployed, in all, by unit, and by community (two grouped
    counts, however many sign-ups)."""
    sign_ups = sign_up_list(actor=actor, call_up=call_up)
    total = FunnelRow("")
    units: dict[str, FunnelRow] = {}
    rows = sign_ups.order_by().values("unit__name", "status").annotate(n=Count("pk"))
    for row in rows:
        label = row["unit__name"] or "—"
        unit = units.setdefault(label, FunnelRow(label))
        setattr(unit, row["status"], getattr(unit, row["status"]) + row["n"])
        setattr(total, row["status"], getattr(total, row["status"]) + row["n"])
    deployed = dict(
        Deployment.objects.filter(
            sign_up__in=sign_ups.filter(status=SignUpStatus.DEPLOYED),
            status=DeploymentStatus.ACTIVE,
        )
        .order_by()
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    )
    communities = [
        (t.community.name, t.quota, deployed.get(t.community_id, 0))
        for t in call_up.targets.select_related("community").order_by("community__path")
    ]
    by_unit = sorted(units.values(), key=lambda r: (-r.signed_up, r.label))
    return Funnel(total=total, by_unit=by_unit, by_community=communities)


def active_deployment_for(
    *, actor: User | AnonymousUser, member_pk: int, under: str
) -> Deployment | None:
    """A member's active deployment to a community under the area at `under`, when the
    actor may see deployments there (None otherwise)."""
    return (
        access.scoped(
            Deployment.objects.filter(
                member_id=member_pk,
                status=DeploymentStatus.ACTIVE,
                community_path__startswith=under,
            ),
            actor,
            Action.DEPLOYMENT_VIEW,
            path_field="community_path",
        )
        .select_related("member")
        .first()
    )


def deployed_to(*, actor: User | AnonymousUser, community: Area) -> QuerySet[Deployment]:
    """Members deployed to a community (or anywhere under an area) the actor keeps."""
    access.require(actor, Action.DEPLOYMENT_VIEW, community)
    return (
        access.scoped(
            Deployment.objects.filter(community_path__startswith=community.path),
            actor,
            Action.DEPLOYMENT_VIEW,
            path_field="community_path",
        )
        .filter(status=DeploymentStatus.ACTIVE)
        .select_related("member", "member__organisation", "community", "residence")
        .order_by("community_path", "member__name", "pk")
    )


def reporting_at_home(*, actor: User | AnonymousUser, community: Area) -> QuerySet[Deployment]:
    """Members living in the community who are deployed elsewhere: they report here too
    (双报到)."""
    access.require(actor, Action.DEPLOYMENT_VIEW, community)
    return (
        access.scoped(
            Deployment.objects.filter(residence_path__startswith=community.path),
            actor,
            Action.DEPLOYMENT_VIEW,
            path_field="residence_path",
        )
        .filter(status=DeploymentStatus.ACTIVE)
        .exclude(community_path__startswith=community.path)
        .select_related("member", "member__organisation", "community")
        .order_by("member__name")
    )


def my_sign_ups(*, member: Member) -> QuerySet[SignUp]:
    return member.sign_ups.select_related("call_up", "call_up__response").order_by("-created_at")


def my_deployments(*, member: Member) -> QuerySet[Deployment]:
    return member.deployments.select_related("community", "residence").order_by("-starts_on")


def proposal_for(
    *, actor: User | AnonymousUser, pk: int, action: Action = Action.MOBILIZATION_MANAGE
) -> Proposal:
    proposal = Proposal.objects.select_related("call_up").filter(pk=pk).first()
    if proposal is None:
        raise Http404
    call_up_for(actor=actor, pk=proposal.call_up_id, action=action)
    return proposal


def latest_proposal(call_up: CallUp) -> Proposal | None:
    return call_up.proposals.order_by("-created_at", "-pk").first()


def proposal_lines(proposal: Proposal) -> QuerySet:  # type: ignore[type-arg]
    return proposal.lines.select_related(
        "sign_up__member", "sign_up__member__residence", "community"
    ).order_by("community__path", "nearness", "pk")


def teams_in(*, actor: User | AnonymousUser, community: Area) -> QuerySet[Team]:
    access.require(actor, Action.DEPLOYMENT_VIEW, community)
    return (
        Team.objects.filter(community=community)
        .select_related("leader")
        .annotate(size=Count("members"))
        .order_by("name")
    )


def organisation_tree(*, actor: User | AnonymousUser) -> QuerySet[Organisation]:
    """Organisations in scope in tree order, with their members counted and their
    leaders and pairings (包保) at hand."""
    return (
        organisations(actor=actor)
        .annotate(member_count=Count("members"))
        .prefetch_related("leaders__member", "pairings__community")
    )


def members_here(*, actor: User | AnonymousUser, community: Area) -> QuerySet[Member]:
    """Members a community may form a team of: those serving there now, and those who
    live there (双报到)."""
    access.require(actor, Action.DEPLOYMENT_VIEW, community)
    today = timezone.localdate()
    return (
        Member.objects.filter(
            Q(residence_path__startswith=community.path)
            | Q(
                deployments__community=community,
                deployments__status=DeploymentStatus.ACTIVE,
                deployments__ends_on__gte=today,
            )
        )
        .distinct()
        .order_by("name", "pk")
    )


# What the writes read: the call-up's state, its places left, a member's unit and their
# other deployments, where communities are. No access here: the writes call them on
# records their callers resolved.


def sign_up_open(call_up: CallUp) -> str | None:
    """Why the call-up takes no sign-ups now, or None when it does."""
    if call_up.status != CallUpStatus.OPEN:
        return _("该集结号已经截止报名。")
    if call_up.deadline <= timezone.now():
        return _("报名时间已过(截止于 %(deadline)s)。") % {
            "deadline": timezone.localtime(call_up.deadline).strftime("%Y-%m-%d %H:%M")
        }
    if not call_up.response.is_active:
        return _("该应急响应已经结束。")
    return None


def unit_of(call_up: CallUp, organisation: Organisation | None) -> Organisation | None:
    """The member's unit: their organisation's ancestor right under the calling
    committee (or the organisation itself if it is the committee or outside it)."""
    if organisation is None:
        return None
    root = call_up.organisation
    depth = root.depth + 1
    if organisation.path.startswith(root.path) and organisation.depth > depth:
        return Organisation.objects.get(path=organisation.path[: depth * Organisation.steplen])
    return organisation


def quota_left(call_up: CallUp) -> tuple[int, dict[int, int]]:
    """(places left in the whole call-up, {community id: places left}) counting active
    deployments. Call it with the call-up row locked."""
    active = Deployment.objects.filter(sign_up__call_up=call_up, status=DeploymentStatus.ACTIVE)
    by_community = dict(
        active.values("community_id").annotate(n=Count("pk")).values_list("community_id", "n")
    )
    targets = {t.community_id: t.quota for t in call_up.targets.all()}
    left = {pk: quota - by_community.get(pk, 0) for pk, quota in targets.items()}
    return call_up.quota - sum(by_community.values()), left


def overlap_of(member: Member, starts_on: date, ends_on: date) -> Deployment | None:
    """The member's active deployment that overlaps the period, if any."""
    return (
        Deployment.objects.filter(
            member=member,
            status=DeploymentStatus.ACTIVE,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        )
        .select_related("community")
        .first()
    )


def busy_members(member_ids: list[int] | None, starts_on: date, ends_on: date) -> set[int]:
    """Members (of `member_ids`, or all) with an active deployment overlapping the
    period."""
    busy = Deployment.objects.filter(
        status=DeploymentStatus.ACTIVE, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if member_ids is not None:
        busy = busy.filter(member_id__in=member_ids)
    return set(busy.values_list("member_id", flat=True))


def area_locations(paths: set[str]) -> dict[str, tuple[float, float]]:
    """The (latitude, longitude) of the office of each area at `paths` that has one."""
    rows = AreaLocation.objects.filter(area__path__in=paths).values_list(
        "area__path", "latitude", "longitude"
    )
    return {path: (float(lat), float(lon)) for path, lat, lon in rows}
