"""The proposal: residence first, then the same street, then distance; the committee
edits and accepts it, with the checks of a single deployment."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jijie.audit.actors import SYSTEM
from jijie.mobilization import proposal, services
from jijie.mobilization.models import (
    Nearness,
    ProposalStatus,
    SignUp,
    SignUpStatus,
)
from jijie.mobilization.proposal import Place, solve
from jijie.mobilization.tests.fixtures import END, START, sign_up

pytestmark = pytest.mark.django_db


def approved(mob, n, residence):
    return services.sign_up_approve(
        actor=mob.chair, sign_up=sign_up(mob.call_up, n, residence=residence)
    )


def lines_of(made):
    return {
        line.sign_up.member.name: (line.community.name, line.nearness)
        for line in made.lines.select_related("sign_up__member", "community")
    }


def test_residence_first_then_the_same_street(mob, tree):
    # the call-up wants 2 in 新港路 and 1 in 新江三路 (both 源西街道)
    approved(mob, 1, tree.sibling)  # lives in 新江三路, signed up first
    approved(mob, 2, tree.far_community)  # lives in another street
    approved(mob, 3, tree.community)  # lives in 新港路
    approved(mob, 4, tree.sibling)  # lives in 新江三路, signed up later
    made = proposal.proposal_make(
        actor=mob.chair, call_up=mob.call_up, starts_on=START, ends_on=END
    )
    assert lines_of(made) == {
        "队员1": ("新江三路社区", Nearness.RESIDENCE),
        "队员3": ("新港路社区", Nearness.RESIDENCE),
        "队员4": ("新港路社区", Nearness.STREET),
    }


def test_distance_decides_between_members_of_the_same_rank():
    # two residence groups in other districts; the nearer one fills the single place
    place = Place(community_id=1, path="0001000100010001", left=1)
    locations = {
        "0001000100010001": (23.74, 114.70),
        "0001000100020001": (23.90, 114.90),  # ~27 km
        "0001000100030001": (23.75, 114.71),  # ~1.5 km
    }
    result = solve([(10, "0001000100020001"), (11, "0001000100030001")], [place], 5, locations)
    assert [(a.sign_up_id, a.nearness) for a in result] == [(11, Nearness.DISTRICT)]
    assert 1000 < (result[0].distance_m or 0) < 2000


def test_the_call_up_total_caps_the_proposal():
    places = [Place(1, "0001000100010001", 5), Place(2, "0001000100010002", 5)]
    candidates = [(n, "0001000100010001") for n in range(10)]
    result = solve(candidates, places, 3, {})
    assert len(result) == 3
    # earlier sign-ups go to the nearest place
    assert [a.sign_up_id for a in result if a.community_id == 1] == [0, 1, 2]


def test_members_busy_elsewhere_are_left_out(mob, tree):
    busy = approved(mob, 1, tree.community)
    services.deployment_create(
        actor=mob.chair, sign_up=busy, community=tree.community, starts_on=START, ends_on=END
    )
    approved(mob, 2, tree.community)
    made = proposal.proposal_make(
        actor=mob.chair, call_up=mob.call_up, starts_on=START, ends_on=END
    )
    # 新港路 has one place left
    assert lines_of(made) == {"队员2": ("新港路社区", Nearness.RESIDENCE)}


def test_accept_deploys_every_line(mob, tree):
    for n, home in [(1, tree.community), (2, tree.community), (3, tree.sibling)]:
        approved(mob, n, home)
    made = proposal.proposal_make(
        actor=mob.chair, call_up=mob.call_up, starts_on=START, ends_on=END
    )
    assert proposal.proposal_accept(actor=mob.chair, proposal=made) == 3
    assert set(SignUp.objects.values_list("status", flat=True)) == {SignUpStatus.DEPLOYED}
    made.refresh_from_db()
    assert made.status == ProposalStatus.ACCEPTED
    with pytest.raises(ValidationError) as error:
        proposal.proposal_accept(actor=mob.chair, proposal=made)
    assert "不能再修改或采纳" in " ".join(error.value.messages)


def test_accept_refuses_a_sign_up_withdrawn_meanwhile(mob, tree):
    entry = approved(mob, 1, tree.community)
    made = proposal.proposal_make(
        actor=mob.chair, call_up=mob.call_up, starts_on=START, ends_on=END
    )
    services.sign_up_withdraw(actor=mob.chair, sign_up=entry)
    with pytest.raises(ValidationError) as error:
        proposal.proposal_accept(actor=mob.chair, proposal=made)
    assert "队员1 的报名已不是“已通过”" in " ".join(error.value.messages)


def test_accept_refuses_over_quota(mob, tree):
    first = approved(mob, 1, tree.community)
    approved(mob, 2, tree.community)
    made = proposal.proposal_make(
        actor=mob.chair, call_up=mob.call_up, starts_on=START, ends_on=END
    )
    # meanwhile someone deployed by hand takes a place in 新港路
    late = approved(mob, 3, tree.far_community)
    services.deployment_create(
        actor=mob.chair, sign_up=late, community=tree.community, starts_on=START, ends_on=END
    )
    with pytest.raises(ValidationError) as error:
        proposal.proposal_accept(actor=mob.chair, proposal=made)
    assert "“新港路社区”只剩 1 个名额,方案安排了 2 人。" in error.value.messages
    first.refresh_from_db()
    assert first.status == SignUpStatus.APPROVED


def test_accept_refuses_overlaps_made_meanwhile(mob, tree):
    entry = approved(mob, 1, tree.community)
    made = proposal.proposal_make(
        actor=mob.chair, call_up=mob.call_up, starts_on=START, ends_on=END
    )
    second = services.do_call_up_issue(
        actor=SYSTEM,
        response=mob.response,
        organisation=mob.committee,
        title="第二批",
        quota=1,
        deadline=timezone.now() + timedelta(days=1),
        targets=[services.Target(tree.far_community, 1)],
    )
    other = services.sign_up_approve(actor=mob.chair, sign_up=sign_up(second, 1))
    services.deployment_create(
        actor=mob.chair,
        sign_up=other,
        community=tree.far_community,
        starts_on=date(2020, 3, 1),
        ends_on=date(2020, 3, 20),
    )
    with pytest.raises(ValidationError) as error:
        proposal.proposal_accept(actor=mob.chair, proposal=made)
    assert "时间重叠" in " ".join(error.value.messages)
    entry.refresh_from_db()
    assert entry.status == SignUpStatus.APPROVED


def test_the_committee_edits_lines(mob, tree):
    approved(mob, 1, tree.community)
    made = proposal.proposal_make(
        actor=mob.chair, call_up=mob.call_up, starts_on=START, ends_on=END
    )
    line = made.lines.get()
    moved = proposal.proposal_line_set(actor=mob.chair, line=line, community=tree.sibling)
    assert moved is not None
    assert (moved.community, moved.nearness) == (tree.sibling, Nearness.STREET)
    with pytest.raises(ValidationError) as error:
        proposal.proposal_line_set(actor=mob.chair, line=line, community=tree.far_community)
    assert "不是本次集结号的下沉社区" in " ".join(error.value.messages)
    assert proposal.proposal_line_set(actor=mob.chair, line=line, community=None) is None
    assert not made.lines.exists()


def test_a_new_proposal_discards_the_draft(mob, tree):
    approved(mob, 1, tree.community)
    first = proposal.proposal_make(
        actor=mob.chair, call_up=mob.call_up, starts_on=START, ends_on=END
    )
    proposal.proposal_make(actor=mob.chair, call_up=mob.call_up, starts_on=START, ends_on=END)
    first.refresh_from_db()
    assert first.status == ProposalStatus.DISCARDED
