"""The deployment proposal: fill each community's places from the nearest approved
members, for the committee to edit and accept.

"Nearest" is, in this order: the member lives in the community (residence first, which
also makes 双报到 one place), in the same street or town, in the same district, or
elsewhere; between two members of the same rank, the shorter distance between the two
communities' offices (`AreaLocation`), where both are known. Members are grouped by the
community they live in, so the problem is a min-cost flow over a few dozen residence
groups and target communities, not ten thousand people: residence group → community
(cost by rank and distance) → the community's places left → the call-up's places left.
OR-Tools solves it exactly (the most places filled, then the least cost). Within a
group, earlier sign-ups go first.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ortools.graph.python import min_cost_flow

from jijie.areas.models import Area
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.mobilization.models import (
    CallUp,
    Deployment,
    DeploymentStatus,
    Member,
    Nearness,
    Proposal,
    ProposalLine,
    ProposalStatus,
    SignUp,
    SignUpStatus,
)
from jijie.mobilization.selectors import area_locations as area_locations  # for duty.roster
from jijie.mobilization.selectors import busy_members, quota_left
from jijie.mobilization.services import check_period, overlap_error, require_manage

if TYPE_CHECKING:
    from jijie.accounts.models import User

STEP = Area.steplen
# A rank always outweighs any distance: distances count in tens of metres, capped below.
RANK_COST = 1_000_000
UNKNOWN_DISTANCE_COST = RANK_COST // 2


def nearness(residence_path: str, community_path: str) -> int:
    """The rank of a member living at `residence_path` for a community (0 = lives there)."""
    if not residence_path:
        return Nearness.ELSEWHERE
    if residence_path.startswith(community_path):
        return Nearness.RESIDENCE
    if residence_path[: 3 * STEP] == community_path[: 3 * STEP]:
        return Nearness.STREET
    if residence_path[: 2 * STEP] == community_path[: 2 * STEP]:
        return Nearness.DISTRICT
    return Nearness.ELSEWHERE


def distance_m(a: tuple[float, float] | None, b: tuple[float, float] | None) -> int | None:
    """Great-circle distance in metres between two (latitude, longitude), if both known."""
    if a is None or b is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return round(2 * 6_371_000 * math.asin(math.sqrt(h)))


@dataclass(frozen=True)
class Place:
    """A target community and its places left."""

    community_id: int
    path: str
    left: int


@dataclass(frozen=True)
class Assignment:
    sign_up_id: int
    community_id: int
    nearness: int
    distance_m: int | None


def solve(
    candidates: list[tuple[int, str]],
    places: list[Place],
    total_left: int,
    locations: dict[str, tuple[float, float]],
) -> list[Assignment]:
    """Assign candidates (sign-up id, residence community path), in sign-up order, to
    places: as many as the places allow, nearest first (see the module docstring)."""
    places = [p for p in places if p.left > 0]
    if not candidates or not places or total_left <= 0:
        return []
    groups: dict[str, list[int]] = defaultdict(list)
    for sign_up_id, residence in candidates:
        groups[residence].append(sign_up_id)
    residences = list(groups)
    # Nodes: 0 source, 1..R residence groups, then the places, then the places' sink and
    # the call-up's sink (which caps the total).
    first_place = 1 + len(residences)
    places_sink = first_place + len(places)
    sink = places_sink + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    costs: dict[tuple[int, int], tuple[int, int | None]] = {}
    for g, residence in enumerate(residences, start=1):
        flow.add_arc_with_capacity_and_unit_cost(0, g, len(groups[residence]), 0)
        for p, place in enumerate(places):
            rank = nearness(residence, place.path)
            metres = distance_m(locations.get(residence), locations.get(place.path))
            extra = UNKNOWN_DISTANCE_COST if metres is None else min(metres // 10, RANK_COST - 1)
            costs[(g, p)] = (rank, metres)
            flow.add_arc_with_capacity_and_unit_cost(
                g, first_place + p, len(groups[residence]), rank * RANK_COST + extra
            )
    for p, place in enumerate(places):
        flow.add_arc_with_capacity_and_unit_cost(first_place + p, places_sink, place.left, 0)
    flow.add_arc_with_capacity_and_unit_cost(places_sink, sink, total_left, 0)
    flow.set_node_supply(0, len(candidates))
    flow.set_node_supply(sink, -len(candidates))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:  # pragma: no cover - a bipartite flow is always feasible
        raise RuntimeError(f"min-cost flow failed with status {status}")
    taken: dict[int, list[tuple[int, int]]] = defaultdict(list)  # group -> [(place, n)]
    for arc in range(flow.num_arcs()):
        tail, head, amount = flow.tail(arc), flow.head(arc), flow.flow(arc)
        if amount and 1 <= tail < first_place and first_place <= head < places_sink:
            taken[tail].append((head - first_place, amount))
    result: list[Assignment] = []
    for g, residence in enumerate(residences, start=1):
        queue = iter(groups[residence])
        # The group's nearest places get its earliest sign-ups.
        for p, amount in sorted(taken[g], key=lambda item: costs[(g, item[0])]):
            rank, metres = costs[(g, p)]
            for _n in range(amount):
                result.append(Assignment(next(queue), places[p].community_id, rank, metres))
    return result


def proposal_make(*, actor: User, call_up: CallUp, starts_on: date, ends_on: date) -> Proposal:
    """`do_proposal_make` by someone who manages the call-up."""
    require_manage(actor, call_up.organisation)
    return do_proposal_make(actor=actor, call_up=call_up, starts_on=starts_on, ends_on=ends_on)


@transaction.atomic
def do_proposal_make(*, actor: Actor, call_up: CallUp, starts_on: date, ends_on: date) -> Proposal:
    """Propose where each approved, not yet deployed member of the call-up goes, filling
    the places left. Members deployed elsewhere in the period are left out. An earlier
    draft of the same call-up is discarded. Locks the call-up's row."""
    check_period(starts_on, ends_on)
    locked = CallUp.objects.select_for_update().get(pk=call_up.pk)
    total_left, left = quota_left(locked)
    if not left:
        raise ValidationError(_("本次集结号没有设定下沉社区,无法生成方案。"))
    approved = list(
        SignUp.objects.filter(call_up=locked, status=SignUpStatus.APPROVED)
        .order_by("created_at", "pk")
        .values_list("pk", "member_id", "member__residence_path")
    )
    busy = busy_members(None, starts_on, ends_on)
    candidates = [(pk, residence) for pk, member_id, residence in approved if member_id not in busy]
    targets = dict(locked.targets.values_list("community_id", "community__path"))
    places = [Place(pk, targets[pk], n) for pk, n in sorted(left.items())]
    locations = area_locations({r for _pk, r in candidates if r} | set(targets.values()))
    assignments = solve(candidates, places, total_left, locations)
    Proposal.objects.filter(call_up=locked, status=ProposalStatus.DRAFT).update(
        status=ProposalStatus.DISCARDED
    )
    proposal = Proposal.objects.create(
        call_up=locked, starts_on=starts_on, ends_on=ends_on, created_by=account_of(actor)
    )
    ProposalLine.objects.bulk_create(
        (
            ProposalLine(
                proposal=proposal,
                sign_up_id=a.sign_up_id,
                community_id=a.community_id,
                nearness=a.nearness,
                distance_m=a.distance_m,
            )
            for a in assignments
        ),
        batch_size=5000,
    )
    audit_record(
        actor=actor,
        action="proposal.make",
        target=proposal,
        area=Area(path=locked.organisation.area_path),
        data={"lines": len(assignments), "candidates": len(candidates)},
    )
    return proposal


def _draft(proposal: Proposal) -> Proposal:
    current = Proposal.objects.select_for_update().select_related("call_up").get(pk=proposal.pk)
    if current.status != ProposalStatus.DRAFT:
        raise ValidationError(
            _("该方案“%(state)s”,不能再修改或采纳。") % {"state": current.get_status_display()}
        )
    return current


def proposal_line_set(
    *, actor: User, line: ProposalLine, community: Area | None
) -> ProposalLine | None:
    """`do_proposal_line_set` by someone who manages the call-up."""
    require_manage(actor, line.proposal.call_up.organisation)
    return do_proposal_line_set(actor=actor, line=line, community=community)


@transaction.atomic
def do_proposal_line_set(
    *, actor: Actor, line: ProposalLine, community: Area | None
) -> ProposalLine | None:
    """The committee edits a line: another of the call-up's communities, or none (the
    line is dropped and its member stays approved). Locks the proposal's row; not
    audited, as a draft changes nothing until it is accepted."""
    current = _draft(line.proposal)
    if community is None:
        line.delete()
        return None
    target_ids = set(current.call_up.targets.values_list("community_id", flat=True))
    if community.pk not in target_ids:
        raise ValidationError(
            {"community": _("“%(name)s”不是本次集结号的下沉社区。") % {"name": community.name}}
        )
    residence = (
        SignUp.objects.filter(pk=line.sign_up_id)
        .values_list("member__residence_path", flat=True)
        .get()
    )
    locations = area_locations({residence, community.path})
    line.community = community
    line.nearness = nearness(residence, community.path)
    line.distance_m = distance_m(locations.get(residence), locations.get(community.path))
    line.save()
    return line


def _names(pks: list[int]) -> str:
    names = list(Member.objects.filter(pk__in=pks[:5]).values_list("name", flat=True))
    more = _(" 等 %(count)s 人") % {"count": len(pks)} if len(pks) > 5 else ""
    return "、".join(names) + more


def proposal_accept(*, actor: User, proposal: Proposal) -> int:
    """`do_proposal_accept` by someone who manages the call-up."""
    require_manage(actor, proposal.call_up.organisation)
    return do_proposal_accept(actor=actor, proposal=proposal)


@transaction.atomic
def do_proposal_accept(*, actor: Actor, proposal: Proposal) -> int:
    """Deploy every line of the proposal at once, with the checks of a single
    deployment: places left per community and in all, sign-ups still approved, no
    overlapping deployment. Any refusal deploys no one. Returns how many were deployed.
    Locks the proposal's row, the call-up's, then its sign-ups' and members' rows."""
    current = _draft(proposal)
    call_up = CallUp.objects.select_for_update().get(pk=current.call_up_id)
    lines = list(current.lines.values_list("sign_up_id", "community_id"))
    total_left, left = quota_left(call_up)
    wanted: dict[int, int] = defaultdict(int)
    for _sign_up, community_id in lines:
        wanted[community_id] += 1
    names = dict(Area.objects.filter(pk__in=wanted).values_list("pk", "name"))
    for community_id, count in sorted(wanted.items()):
        if count > left.get(community_id, 0):
            raise ValidationError(
                _("“%(name)s”只剩 %(left)s 个名额,方案安排了 %(count)s 人。")
                % {"name": names[community_id], "left": left.get(community_id, 0), "count": count},
                code="quota",
            )
    if len(lines) > total_left:
        raise ValidationError(
            _("本次集结号只剩 %(left)s 个名额,方案安排了 %(count)s 人。")
            % {"left": total_left, "count": len(lines)},
            code="quota",
        )
    sign_ups = {
        s.pk: s
        for s in SignUp.objects.select_for_update()
        .filter(pk__in=[pk for pk, _c in lines])
        .only("pk", "status", "member_id")
    }
    not_approved = [s.member_id for s in sign_ups.values() if s.status != SignUpStatus.APPROVED]
    if not_approved:
        raise ValidationError(
            _("%(names)s 的报名已不是“已通过”,请重新生成方案。") % {"names": _names(not_approved)},
            code="transition",
        )
    member_ids = sorted(s.member_id for s in sign_ups.values())
    members = {
        m.pk: m
        for m in Member.objects.select_for_update()
        .filter(pk__in=member_ids)
        .order_by("pk")
        .only("pk", "name", "residence_id", "residence_path")
    }
    busy = busy_members(member_ids, current.starts_on, current.ends_on)
    if busy:
        first = members[min(busy)]
        other = (
            Deployment.objects.filter(member=first, status=DeploymentStatus.ACTIVE)
            .select_related("community")
            .filter(starts_on__lte=current.ends_on, ends_on__gte=current.starts_on)
            .first()
        )
        assert other is not None
        raise overlap_error(first, other)
    communities = dict(Area.objects.filter(pk__in=wanted).values_list("pk", "path"))
    Deployment.objects.bulk_create(
        (
            Deployment(
                sign_up_id=sign_up_id,
                member_id=sign_ups[sign_up_id].member_id,
                community_id=community_id,
                community_path=communities[community_id],
                residence_id=members[sign_ups[sign_up_id].member_id].residence_id,
                residence_path=members[sign_ups[sign_up_id].member_id].residence_path,
                starts_on=current.starts_on,
                ends_on=current.ends_on,
                created_by=account_of(actor),
            )
            for sign_up_id, community_id in lines
        ),
        batch_size=5000,
    )
    SignUp.objects.filter(pk__in=list(sign_ups)).update(
        status=SignUpStatus.DEPLOYED, updated_at=timezone.now()
    )
    current.status = ProposalStatus.ACCEPTED
    current.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="proposal.accept",
        target=current,
        area=Area(path=call_up.organisation.area_path),
        data={"deployed": len(lines)},
    )
    return len(lines)
