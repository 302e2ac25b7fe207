"""The duty pages: three actors on each (the community's secretary, a community worker
who may only read, the secretary of the sibling community), the flow of a demand from
posting to attendance, the member's own page, the printed roster and the proposal."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from jijie.audit.actors import SYSTEM
from jijie.duty import services
from jijie.duty.models import Demand, Notice, Participation, ParticipationStatus
from jijie.duty.tests.fixtures import (
    claim,
    demand,
    resident,
    shifts,
    tomorrow,
    user_of,
    with_account,
)
from jijie.mobilization.models import AreaLocation
from jijie.mobilization.tests.fixtures import member


@pytest.fixture
def board_demand(tree, posts):
    return demand(tree.community, posts.guard, days=2, low=1, high=2)


def test_a_community_posts_a_demand_and_its_shifts_are_generated(client, tree, posts, actors):
    client.force_login(actors.manager)
    page = client.get(reverse("duty:demand_new"))
    assert page.status_code == 200
    answer = client.post(
        reverse("duty:demand_new"),
        {
            "community": tree.community.pk,
            "post_type": posts.guard.pk,
            "place": "北门卡口",
            "starts_on": tomorrow().isoformat(),
            "days": 14,
            "first_shift_at": "08:00",
            "shifts_per_day": 2,
            "shift_hours": 12,
            "min_per_shift": 2,
            "max_per_shift": 3,
        },
    )
    assert answer.status_code == 302
    made = Demand.objects.get(place="北门卡口")
    assert made.shifts.count() == 28
    board = client.get(answer["Location"]).content.decode()
    assert "北门卡口" in board
    assert "0 / 4" in board  # a day: two shifts of at least two, nobody yet


def test_a_bad_schedule_is_named_on_its_field(client, tree, posts, actors):
    client.force_login(actors.manager)
    page = client.post(
        reverse("duty:demand_new"),
        {
            "community": tree.community.pk,
            "post_type": posts.guard.pk,
            "place": "北门卡口",
            "starts_on": tomorrow().isoformat(),
            "days": 2,
            "first_shift_at": "08:00",
            "shifts_per_day": 3,
            "shift_hours": 12,
            "min_per_shift": 2,
            "max_per_shift": 3,
        },
    )
    assert page.status_code == 200
    assert "每天班次乘以每班小时不能超过 24 小时" in page.content.decode()
    assert not Demand.objects.exists()


def test_a_community_worker_reads_but_may_not_post(client, tree, actors, board_demand):
    client.force_login(actors.lower)
    assert client.get(reverse("duty:board", args=[tree.community.code])).status_code == 200
    assert client.get(reverse("duty:demand", args=[board_demand.pk])).status_code == 200
    assert client.get(reverse("duty:demand_new")).status_code == 403
    shift = shifts(board_demand)[0]
    assert client.get(reverse("duty:shift", args=[shift.pk])).status_code == 403
    assert client.get(reverse("duty:propose", args=[tree.community.code])).status_code == 403


def test_the_sibling_community_sees_nothing(client, tree, actors, board_demand):
    client.force_login(actors.outsider)
    assert client.get(reverse("duty:board", args=[tree.community.code])).status_code == 404
    assert client.get(reverse("duty:demand", args=[board_demand.pk])).status_code == 404
    assert client.get(reverse("duty:roster", args=[board_demand.pk])).status_code == 404
    shift = shifts(board_demand)[0]
    assert client.get(reverse("duty:shift", args=[shift.pk])).status_code == 404
    assert "东门卡口" not in client.get(reverse("duty:index")).content.decode()


def test_a_role_without_duty_is_refused(client, actors, board_demand):
    client.force_login(actors.nobody)
    assert client.get(reverse("duty:index")).status_code == 403
    assert client.get(reverse("duty:mine")).status_code == 404


def test_claim_confirm_and_the_board_counts_it(client, tree, actors, board_demand):
    someone = with_account(resident(1, tree), "resident1")
    first = shifts(board_demand)[0]
    client.force_login(someone.user)
    mine = client.get(reverse("duty:mine")).content.decode()
    assert "东门卡口" in mine
    assert client.post(reverse("duty:claim", args=[first.pk])).status_code == 302
    held = Participation.objects.get(member=someone)
    assert held.status == ParticipationStatus.REQUESTED
    client.force_login(actors.manager)
    board = client.get(reverse("duty:board", args=[tree.community.code]) + f"?from={tomorrow()}")
    text = board.content.decode()
    assert someone.name in text  # waiting for confirmation
    client.post(reverse("duty:act", args=[held.pk, "confirm"]), {"next": "board"})
    held.refresh_from_db()
    assert held.status == ParticipationStatus.CONFIRMED
    rows = board.context["rows"]
    assert rows[0].cells[0].held == 1
    assert rows[0].cells[0].minimum == 2
    client.force_login(someone.user)
    assert "您的报到已确认" in client.get(reverse("duty:mine")).content.decode()


def test_a_refused_claim_says_why(client, tree, posts, actors):
    d = demand(tree.community, posts.transport, days=1, per_day=1, low=1, high=1)
    someone = with_account(resident(2, tree), "resident2")
    client.force_login(someone.user)
    page = client.get(reverse("duty:mine")).content.decode()
    assert "缺少岗位所需技能" in page
    answer = client.post(reverse("duty:claim", args=[shifts(d)[0].pk]), follow=True)
    assert "缺少岗位所需技能" in answer.content.decode()
    assert not Participation.objects.exists()


def test_decline_needs_a_reason_and_the_member_reads_it(client, tree, actors, board_demand):
    someone = with_account(resident(3, tree), "resident3")
    held = claim(someone, shifts(board_demand)[0])
    client.force_login(actors.lower)
    client.post(reverse("duty:act", args=[held.pk, "decline"]), {"reason": "人已够"})
    held.refresh_from_db()
    assert held.status == ParticipationStatus.REQUESTED  # a worker may not decline
    client.force_login(actors.manager)
    page = client.post(reverse("duty:act", args=[held.pk, "decline"]), follow=True)
    assert "请说明未确认的原因" in page.content.decode()
    client.post(reverse("duty:act", args=[held.pk, "decline"]), {"reason": "人已够"})
    held.refresh_from_db()
    assert held.status == ParticipationStatus.DECLINED


def test_assign_leader_attendance_and_the_printed_roster(client, tree, actors, board_demand):
    someone = with_account(resident(4, tree), "resident4")
    other = resident(5, tree)
    first = shifts(board_demand)[0]
    client.force_login(actors.manager)
    page = client.get(reverse("duty:shift", args=[first.pk]))
    assert {m.pk for m in page.context["form"].fields["member"].queryset} >= {someone.pk, other.pk}
    assert "<svg" in page.content.decode()
    client.post(reverse("duty:shift", args=[first.pk]), {"member": someone.pk})
    client.post(reverse("duty:shift", args=[first.pk]), {"member": other.pk})
    assert first.participations.filter(status=ParticipationStatus.CONFIRMED).count() == 2
    client.post(reverse("duty:leader", args=[first.pk]), {"member": other.pk})
    first.refresh_from_db()
    assert first.leader == other
    roster = client.get(reverse("duty:roster", args=[board_demand.pk])).content.decode()
    assert someone.name in roster
    assert other.name in roster
    assert "空缺" in roster
    # The member checks in at the post with its QR code, late.
    attend = reverse("duty:attend", args=[first.check_in_token])
    with time_machine.travel(first.starts_at + timedelta(minutes=40), tick=False):
        client.force_login(someone.user)
        assert "尚未签到" in client.get(attend).content.decode()
        client.post(attend, {"act": "in"})
    with time_machine.travel(first.ends_at - timedelta(minutes=1), tick=False):
        client.force_login(someone.user)
        client.post(attend, {"act": "out"})
        page = client.get(reverse("duty:mine")).content.decode()
    held = first.participations.get(member=someone)
    assert held.is_late
    assert held.minutes == 12 * 60 - 41
    assert "11.3" in page  # hours on the service record


def test_someone_else_at_the_post_is_refused(client, tree, actors, board_demand):
    outsider = with_account(resident(6, tree), "resident6")
    first = shifts(board_demand)[0]
    client.force_login(outsider.user)
    page = client.get(reverse("duty:attend", args=[first.check_in_token])).content.decode()
    assert "您不在这一班已确认的队员中" in page


def test_the_member_cancels_and_the_place_reopens(client, tree, actors, board_demand):
    someone = with_account(resident(7, tree), "resident7")
    held = claim(someone, shifts(board_demand)[0])
    client.force_login(someone.user)
    client.post(reverse("duty:my_cancel", args=[held.pk]))
    held.refresh_from_db()
    assert held.status == ParticipationStatus.CANCELLED


def test_the_proposal_is_accepted_in_part(client, tree, actors, board_demand):
    AreaLocation.objects.create(area=tree.community, latitude=23.74, longitude=114.70)
    people = [resident(n, tree) for n in range(10, 13)]
    client.force_login(actors.manager)
    url = reverse("duty:propose", args=[tree.community.code])
    page = client.get(url, {"starts_on": timezone.localdate().isoformat(), "days": 7})
    proposal = page.context["proposal"]
    assert len(proposal.lines) == 4
    assert not proposal.unfilled
    ticked = [f"{line.shift.pk}:{line.member.pk}" for line in proposal.lines[:3]]
    client.post(url, {"line": ticked})
    assert Participation.objects.filter(source="proposed").count() == 3
    assert {p.member_id for p in Participation.objects.all()} <= {m.pk for m in people}


def test_malformed_or_foreign_lines_are_dropped_on_accepting(client, tree, posts, actors):
    other = demand(tree.sibling, posts.guard, days=1, per_day=1, low=1, high=1)
    mine = shifts(demand(tree.community, posts.guard, days=1, per_day=1, low=1, high=1))[0]
    someone = resident(20, tree)
    client.force_login(actors.manager)
    url = reverse("duty:propose", args=[tree.community.code])
    lines = ["x:y", f"{shifts(other)[0].pk}:{someone.pk}", f"{mine.pk}:{someone.pk}"]
    assert client.post(url, {"line": lines}).status_code == 302
    assert [p.shift_id for p in Participation.objects.all()] == [mine.pk]


def test_a_leader_must_be_on_the_shift(client, tree, actors, board_demand):
    first = shifts(board_demand)[0]
    stranger = resident(21, tree)
    client.force_login(actors.manager)
    page = client.post(
        reverse("duty:leader", args=[first.pk]), {"member": stranger.pk}, follow=True
    )
    assert "班长须是该班次已确认的队员" in page.content.decode()
    assert client.post(reverse("duty:leader", args=[first.pk]), {"member": "x"}).status_code == 404
    first.refresh_from_db()
    assert first.leader is None


def test_the_shift_leader_checks_the_others_in_from_the_post(client, tree, actors, board_demand):
    leader = with_account(resident(22, tree), "leader22")
    crew = with_account(resident(23, tree), "crew23")
    first = shifts(board_demand)[0]
    client.force_login(actors.manager)
    client.post(reverse("duty:shift", args=[first.pk]), {"member": leader.pk})
    client.post(reverse("duty:shift", args=[first.pk]), {"member": crew.pk})
    client.post(reverse("duty:leader", args=[first.pk]), {"member": leader.pk})
    held = first.participations.get(member=crew)
    with time_machine.travel(first.starts_at + timedelta(minutes=5), tick=False):
        # Another member of the shift may not take attendance for the crew.
        client.force_login(user_of(crew))
        attend = reverse("duty:attend", args=[first.check_in_token])
        assert 'data-testid="crew"' not in client.get(attend).content.decode()
        client.force_login(user_of(leader))
        page = client.get(attend).content.decode()
        assert crew.name in page
        client.post(reverse("duty:act", args=[held.pk, "in"]), {"next": "attend"})
    held.refresh_from_db()
    assert held.checked_in_at is not None
    assert not held.is_late


def test_my_upcoming_shifts_are_soonest_first(client, tree, posts, actors):
    # given a member on the first and the last of four shifts
    someone = with_account(resident(1, tree), "resident1")
    first, *_middle, last = shifts(demand(tree.community, posts.guard, days=2, low=1, high=2))
    for shift in (last, first):
        claim(someone, shift)
    # when they open their page
    client.force_login(someone.user)
    page = client.get(reverse("duty:mine"))
    # then the nearest comes first
    assert [p.shift_id for p in page.context["upcoming"]] == [first.pk, last.pk]


def test_a_leader_from_elsewhere_or_nobody_is_refused_alike(client, tree, posts, actors):
    # given a member confirmed on a shift of the sibling community
    first = shifts(demand(tree.community, posts.guard))[0]
    theirs = shifts(demand(tree.sibling, posts.guard))[0]
    foreign = member(31, residence=tree.sibling)
    services.do_shift_assign(actor=SYSTEM, shift=theirs, member=foreign)
    client.force_login(actors.manager)
    for member_id in (foreign.pk, 10**9):
        # when the community names them (or an id of nobody) leader of its shift
        page = client.post(
            reverse("duty:leader", args=[first.pk]), {"member": member_id}, follow=True
        )
        # then it is refused the same way, and nothing of them shows
        assert "班长须是该班次已确认的队员" in page.content.decode()
        assert foreign.name not in page.content.decode()
    first.refresh_from_db()
    assert first.leader is None


def test_the_sibling_community_may_not_act_on_a_claim(client, tree, actors, board_demand):
    someone = resident(1, tree)
    held = services.do_shift_assign(actor=SYSTEM, shift=shifts(board_demand)[0], member=someone)
    client.force_login(actors.outsider)
    assert client.post(reverse("duty:act", args=[held.pk, "cancel"])).status_code == 404
    assert client.post(reverse("duty:act", args=[10**9, "cancel"])).status_code == 404
    held.refresh_from_db()
    assert held.status == ParticipationStatus.CONFIRMED


def test_the_member_marks_the_notices_shown_as_read(client, tree, actors, board_demand):
    someone = with_account(resident(3, tree), "resident3")
    other = with_account(resident(4, tree), "resident4")
    shift = shifts(board_demand)[0]
    for who in (someone, other):
        held = claim(who, shift)
        services.participation_decline(actor=actors.manager, participation=held, reason="人已够")
    mine, theirs = Notice.objects.get(member=someone), Notice.objects.get(member=other)
    client.force_login(user_of(someone))
    page = client.get(reverse("duty:mine")).content.decode()
    shown = page.split('data-testid="notices"')[1].split("</article>")[0]
    assert "人已够" in shown
    assert reverse("duty:notices_read") in shown
    # A notice that came after the page was drawn is not in the form and stays unread.
    later = Notice.objects.create(member=someone, shift=shift, text="新的空位")
    client.post(reverse("duty:notices_read"), {"notice": [mine.pk, theirs.pk, "x"]})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    later.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None  # another member's notice is not touched
    assert later.read_at is None
    page = client.get(reverse("duty:mine")).content.decode()
    shown = page.split('data-testid="notices"')[1].split("</article>")[0]
    assert "人已够" not in shown
    assert "新的空位" in shown


def test_marking_notices_needs_a_member_and_a_post(client, actors):
    client.force_login(actors.outsider)
    assert client.post(reverse("duty:notices_read"), {"notice": ["1"]}).status_code == 404
    assert client.get(reverse("duty:notices_read")).status_code == 405
