"""The care pages: three actors on each page and each POST (the community's secretary,
a lower role of the same community, the sibling community's secretary: 404), health
data only for roles with HEALTH_VIEW, a follow-up sent twice stored once, opening,
extending and ending a case, and every errand step through the pages with a refused
one showing its sentence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.care import services
from jijie.care.models import (
    Alert,
    AlertKind,
    CaseStatus,
    Errand,
    ErrandState,
    FollowUp,
    IsolationCase,
)
from jijie.care.tests.fixtures import TODAY, open_case, resident_member
from jijie.residents.services import do_household_flags_set

pytestmark = pytest.mark.django_db


def follow_up(client, case, *, temperature="36.6", client_ref="ref-1", **extra):
    data = {"contact": "visit", "temperature": temperature, "client_ref": client_ref, **extra}
    return client.post(reverse("care:follow_up", args=[case.pk]), data)


def text(answer) -> str:
    return str(answer.content.decode())


@pytest.fixture
def fever(client, case, actors):
    client.force_login(actors.grid_worker)
    follow_up(client, case, temperature="38.2", symptoms="咳嗽")
    client.logout()
    return Alert.objects.get(kind=AlertKind.FEVER)


def ask(client, household, **extra):
    due = timezone.localtime() + timedelta(hours=3)
    data = {
        "household": household.pk,
        "kind": "groceries",
        "needed": "青菜两斤、鸡蛋一盒",
        "money_advanced": "58.50",
        "due_by": due.strftime("%Y-%m-%dT%H:%M"),
        **extra,
    }
    return client.post(reverse("care:errand_new"), data)


@pytest.fixture
def errand(case, actors, homes, client) -> Errand:
    client.force_login(actors.manager)
    assert ask(client, homes.wang).status_code == 302
    client.logout()
    return Errand.objects.get()


# The supervisor's day -------------------------------------------------------------------


def test_the_supervisor_sees_the_day_and_records_a_follow_up(client, case, actors):
    client.force_login(actors.grid_worker)
    page = text(client.get(reverse("care:day")))
    assert "1栋 101" in page
    assert "第 3 / 14 天" in page
    assert "待随访" in page  # 9:00, within its grace at 10:00
    assert 'name="client_ref"' in page
    answer = client.post(
        reverse("care:follow_up", args=[case.pk]),
        {"contact": "phone", "temperature": "36.5", "client_ref": "a1", "next": "day"},
    )
    assert answer["Location"] == reverse("care:day")
    page = text(client.get(reverse("care:day")))
    assert "已随访" in page
    assert "36.5℃" in page


def test_a_case_registered_after_the_days_last_deadline_shows_its_follow_ups(
    client, clock, response, actors, homes
):
    # given a case on day 3 of 14 registered at 14:30, after 9:00's grace (12:00)
    clock.move_to(timezone.localtime().replace(hour=14, minute=30), tick=False)
    case = open_case(actors, response, homes.wang, homes.xiaoming)
    client.force_login(actors.grid_worker)
    page = text(client.get(reverse("care:day")))
    assert "第 3 / 14 天" in page
    assert "今天不在隔离期内" not in page
    assert "今天已无应做的随访" in page
    # when the supervisor records a fever all the same
    follow_up(client, case, temperature="38.2", next="day")
    # then it shows on the card, as an extra follow-up of the day
    page = text(client.get(reverse("care:day")))
    assert "加访" in page
    assert "38.2℃" in page
    assert Alert.objects.filter(kind=AlertKind.FEVER).count() == 1


def test_a_case_past_its_last_day_shows_a_follow_up_made_today(
    client, clock, response, actors, homes
):
    case = open_case(actors, response, homes.wang, homes.xiaoming, starts_on=TODAY, days=1)
    clock.move_to(timezone.localtime() + timedelta(days=1), tick=False)
    client.force_login(actors.grid_worker)
    follow_up(client, case, temperature="36.4", next="day")
    page = text(client.get(reverse("care:day")))
    assert "今天不在隔离期内" in page
    assert "已期满待解除" in page
    assert "36.4℃" in page


def test_a_double_submit_is_stored_once(client, case, actors):
    client.force_login(actors.grid_worker)
    follow_up(client, case, client_ref="same")
    follow_up(client, case, client_ref="same")
    assert FollowUp.objects.count() == 1


def test_a_refused_temperature_is_shown_on_the_form(client, case, actors):
    client.force_login(actors.grid_worker)
    page = follow_up(client, case, temperature="33.0")
    assert page.status_code == 200
    assert "不在 34–43 ℃ 之间" in text(page)
    assert not FollowUp.objects.exists()


def test_the_day_lists_only_the_actors_own_cases(client, case, actors):
    client.force_login(actors.manager)
    page = text(client.get(reverse("care:day")))
    assert "今天没有需要您随访的居家隔离人员" in page
    assert reverse("care:board", args=["441602004001"]) in page
    client.force_login(actors.outsider)
    page = text(client.get(reverse("care:day")))
    assert "1栋 101" not in page
    assert reverse("care:board", args=["441602004001"]) not in page


def test_follow_ups_three_actors(client, case, actors):
    client.force_login(actors.manager)
    assert follow_up(client, case, client_ref="m").status_code == 302
    client.force_login(actors.lower)
    assert follow_up(client, case, client_ref="l").status_code == 302
    client.force_login(actors.outsider)
    assert follow_up(client, case, client_ref="o").status_code == 404
    client.force_login(actors.street)  # reads the board, records nothing
    assert follow_up(client, case, client_ref="s").status_code == 403
    assert FollowUp.objects.count() == 2


# The community's board -----------------------------------------------------------------


def board_url(tree) -> str:
    return reverse("care:board", args=[tree.community.code])


def test_the_board_shows_the_fever_to_those_who_may_see_health_data(
    client, tree, case, actors, fever
):
    client.force_login(actors.manager)
    page = text(client.get(board_url(tree)))
    assert "第 3 / 14 天" in page
    assert "38.2℃" in page
    assert "发热" in page
    assert reverse("care:case_new", args=[tree.community.code]) in page
    client.force_login(actors.lower)
    page = text(client.get(board_url(tree)))
    assert "38.2℃" in page
    assert reverse("care:case_new", args=[tree.community.code]) not in page
    client.force_login(actors.street)  # the street office reads the board, not health data
    page = text(client.get(board_url(tree)))
    assert "第 3 / 14 天" in page
    assert "38.2" not in page
    assert "有 1 条发热预警" in page
    client.force_login(actors.outsider)
    assert client.get(board_url(tree)).status_code == 404


def test_health_data_on_the_case_page_only_with_health_view(client, case, actors, fever):
    url = reverse("care:case", args=[case.pk])
    client.force_login(actors.grid_worker)
    page = text(client.get(url))
    assert "38.2℃" in page
    assert "咳嗽" in page
    client.force_login(actors.street)
    page = text(client.get(url))
    assert "38.2" not in page
    assert "咳嗽" not in page
    assert "健康信息" in page


def test_missed_follow_ups_and_overdue_errands_on_the_board(
    client, tree, case, actors, errand, clock
):
    clock.move_to(timezone.localtime() + timedelta(days=1, hours=4), tick=False)  # 14:00
    services.escalate()
    client.force_login(actors.manager)
    answer = client.get(board_url(tree))
    missed = {row.alert.slot_on for row in answer.context["board"].missed}
    assert missed == {TODAY, TODAY + timedelta(days=1)}
    page = text(answer)
    assert "第 1 次" in page
    assert "超时" in page
    assert "代办超时" in page


def test_an_alert_is_resolved_by_the_community(client, tree, case, actors, fever):
    url = reverse("care:resolve", args=[fever.pk])
    client.force_login(actors.outsider)
    assert client.post(url, {"resolution": "已送医"}).status_code == 404
    client.force_login(actors.street)
    assert client.post(url, {"resolution": "已送医"}).status_code == 403
    client.force_login(actors.manager)
    page = client.post(url, {"resolution": ""}, follow=True)
    assert "请填写处理情况" in text(page)
    answer = client.post(url, {"resolution": "已联系 120 转运"})
    assert answer["Location"] == board_url(tree)
    fever.refresh_from_db()
    assert fever.resolved_by == actors.manager
    page = text(client.post(url, {"resolution": "再次"}, follow=True))
    assert "该预警已处理" in page


# Cases ---------------------------------------------------------------------------------


def test_the_case_page_three_actors(client, case, actors):
    url = reverse("care:case", args=[case.pk])
    client.force_login(actors.manager)
    page = text(client.get(url))
    assert 'data-testid="extend-form"' in page
    assert 'data-testid="end-form"' in page
    client.force_login(actors.lower)
    page = text(client.get(url))
    assert 'data-testid="follow-up-form"' in page
    assert 'data-testid="extend-form"' not in page
    extend = reverse("care:extend", args=[case.pk])
    end = reverse("care:end", args=[case.pk])
    assert client.post(extend, {"days": 3, "reason": "复检"}).status_code == 403
    assert client.post(end, {"outcome": "hospital"}).status_code == 403
    client.force_login(actors.outsider)
    assert client.get(url).status_code == 404
    assert client.post(extend, {"days": 3, "reason": "复检"}).status_code == 404
    assert client.post(end, {"outcome": "hospital"}).status_code == 404
    case.refresh_from_db()
    assert (case.extra_days, case.status) == (0, CaseStatus.OPEN)


def test_the_community_extends_and_ends_a_case(client, case, actors, homes):
    client.force_login(actors.manager)
    client.post(reverse("care:extend", args=[case.pk]), {"days": 7, "reason": "核酸复检"})
    page = text(client.get(reverse("care:case", args=[case.pk])))
    assert "第 3 / 21 天" in page
    assert "核酸复检" in page
    refused = client.post(reverse("care:end", args=[case.pk]), {"outcome": "completed"})
    assert refused.status_code == 200
    assert "尚未期满" in text(refused)
    client.post(reverse("care:end", args=[case.pk]), {"outcome": "hospital", "note": "转院"})
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.ENDED, "hospital")
    homes.wang.refresh_from_db()
    assert not homes.wang.is_home_isolation


def test_opening_a_case_for_a_whole_household(client, tree, response, actors, homes):
    url = reverse("care:case_new", args=[tree.community.code])
    client.force_login(actors.manager)
    page = client.get(url, {"household": homes.wang.pk})
    assert "王小明" in text(page)  # the household's people to choose from
    assert f"u{actors.grid_worker.pk}" in dict(page.context["form"].fields["supervisor"].choices)
    data = {
        "household": homes.zhao.pk,
        "person": "",
        "response": response.pk,
        "kind": "observation",
        "reason": "密接",
        "starts_on": TODAY.isoformat(),
        "days": 7,
        "checks_per_day": 2,
        "supervisor": f"u{actors.grid_worker.pk}",
    }
    answer = client.post(url, data)
    made = IsolationCase.objects.get()
    assert answer["Location"] == reverse("care:case", args=[made.pk])
    assert (made.person, made.checks_per_day, made.supervisor_user) == (None, 2, actors.grid_worker)
    again = client.post(url, data)
    assert "已在整户居家隔离" in text(again)
    client.force_login(actors.grid_worker)
    page = text(client.get(reverse("care:day")))
    assert "1栋 102" in page
    assert "第 1 / 7 天" in page


def test_opening_a_case_refuses_a_household_elsewhere(client, tree, response, actors, homes):
    url = reverse("care:case_new", args=[tree.community.code])
    client.force_login(actors.manager)
    page = client.post(
        url,
        {
            "household": homes.grid2.pk,
            "response": response.pk,
            "kind": "isolation",
            "reason": "返乡",
            "starts_on": TODAY.isoformat(),
            "days": 14,
            "checks_per_day": 1,
            "supervisor": f"u{actors.manager.pk}",
        },
    )
    assert page.status_code == 302  # grid 02 is in the community
    assert client.get(url, {"household": homes.sibling.pk}).status_code == 404
    client.force_login(actors.lower)
    assert client.get(url).status_code == 403
    client.force_login(actors.outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"household": homes.zhao.pk}).status_code == 404


# Errands -------------------------------------------------------------------------------


def test_errand_pages_three_actors(client, tree, case, actors, homes, errand):
    ming = resident_member(1, tree, username="ming")
    url = reverse("care:errand", args=[errand.pk])
    client.force_login(actors.manager)
    assert 'data-testid="assign-form"' in text(client.get(url))
    client.force_login(actors.lower)
    page = text(client.get(url))
    assert 'data-testid="assign-form"' not in page
    assert 'data-testid="cancel-form"' in page
    act = reverse("care:errand_act", args=[errand.pk, "assign"])
    assert client.post(act, {"member": ming.pk}).status_code == 403
    client.force_login(actors.outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("care:errand_new"), {"household": homes.wang.pk}).status_code == 404
    assert ask(client, homes.wang).status_code == 404
    for act in ("assign", "accept", "claim", "done", "confirm", "cancel"):
        answer = client.post(reverse("care:errand_act", args=[errand.pk, act]), {"reason": "x"})
        assert answer.status_code == 404
    assert Errand.objects.get().state == ErrandState.REQUESTED


def test_an_errand_assigned_accepted_done_and_confirmed(client, tree, case, actors, errand):
    ming = resident_member(1, tree, username="ming")
    client.force_login(actors.manager)
    client.post(reverse("care:errand_act", args=[errand.pk, "assign"]), {"member": ming.pk})
    assert Errand.objects.get().member == ming
    # given the errand offered to ming, when he accepts and runs it from his list
    client.force_login(ming.user)
    page = text(client.get(reverse("care:mine")))
    assert "1栋 101" in page
    assert "接单" in page
    answer = client.post(reverse("care:errand_act", args=[errand.pk, "accept"]), {"next": "mine"})
    assert answer["Location"] == reverse("care:mine")
    assert Errand.objects.get().state == ErrandState.ACCEPTED
    refused = client.post(
        reverse("care:errand_act", args=[errand.pk, "done"]), {"proof_note": ""}, follow=True
    )
    assert "办结说明" in text(refused)
    client.post(
        reverse("care:errand_act", args=[errand.pk, "done"]),
        {"proof_note": "已放门口,拍照发给住户", "minutes": 45},
    )
    assert Errand.objects.get().state == ErrandState.DONE
    # then the community worker confirms it and the minutes count for ming
    client.force_login(actors.lower)
    page = text(client.get(reverse("care:errand", args=[errand.pk])))
    assert "已放门口" in page
    client.post(reverse("care:errand_act", args=[errand.pk, "confirm"]))
    assert Errand.objects.get().state == ErrandState.CONFIRMED
    refused = client.post(
        reverse("care:errand_act", args=[errand.pk, "cancel"]), {"reason": "不要了"}, follow=True
    )
    assert "该代办当前为“已确认”,不能改为“已取消”。" in text(refused)
    client.force_login(ming.user)
    assert "已确认 1 件,累计 0.8 小时" in text(client.get(reverse("care:mine")))


def test_an_errand_claimed_and_another_cancelled(client, tree, case, actors, homes, errand):
    hong = resident_member(2, tree, username="hong")
    client.force_login(hong.user)
    page = text(client.get(reverse("care:mine")))
    assert "可认领的代办" in page
    assert "青菜两斤" in page
    client.post(reverse("care:errand_act", args=[errand.pk, "claim"]), {"next": "mine"})
    claimed = Errand.objects.get(pk=errand.pk)
    assert (claimed.state, claimed.member) == (ErrandState.ACCEPTED, hong)
    page = text(client.post(reverse("care:errand_act", args=[errand.pk, "claim"]), follow=True))
    assert "该代办当前为“已接单”,不能改为“已接单”。" in page
    # the errand's page for the runner, and giving it back
    client.post(reverse("care:errand_act", args=[errand.pk, "release"]), {"reason": "临时有事"})
    assert Errand.objects.get(pk=errand.pk).state == ErrandState.REQUESTED
    client.force_login(actors.manager)
    ask(client, homes.wang, needed="取药")
    second = Errand.objects.get(needed="取药")
    page = client.post(reverse("care:errand_act", args=[second.pk, "cancel"]), follow=True)
    assert "请填写取消原因" in text(page)
    client.post(reverse("care:errand_act", args=[second.pk, "cancel"]), {"reason": "家属已送"})
    assert Errand.objects.get(pk=second.pk).state == ErrandState.CANCELLED
    board = text(client.get(board_url(tree)))
    assert "青菜两斤" in board
    assert "取药" not in board  # cancelled errands leave the board


def test_an_errand_for_a_household_not_in_need_is_refused_on_the_form(client, actors, homes):
    client.force_login(actors.lower)
    page = ask(client, homes.zhao)
    assert page.status_code == 200
    assert "只有居家隔离户或生活困难户可以登记代办" in text(page)
    client.force_login(actors.street)
    assert client.get(reverse("care:errand_new")).status_code == 403


def test_the_members_list_needs_a_member(client, actors, tree):
    client.force_login(actors.nobody)
    assert client.get(reverse("care:mine")).status_code == 404
    ming = resident_member(1, tree, username="ming")
    client.force_login(ming.user)
    assert client.get(reverse("care:mine")).status_code == 200
    assert client.get(reverse("duty:mine")).content.decode().count(reverse("care:mine")) == 1


def test_the_board_and_the_day_read_the_same_queries_for_more_rows(
    client, tree, case, actors, homes, response, errand, settings
):
    # Every page saves its session, so that each count holds the same save.
    settings.SESSION_TOUCH_SECONDS = 0

    def count(who, url: str) -> int:
        client.force_login(who)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client.force_login(actors.grid_worker)
    follow_up(client, case, temperature="38.5")
    board = count(actors.manager, board_url(tree))
    day = count(actors.grid_worker, reverse("care:day"))
    open_case(actors, response, homes.wang, homes.lifang)
    open_case(actors, response, homes.zhao)
    client.force_login(actors.manager)
    assert ask(client, homes.zhao).status_code == 302
    assert count(actors.manager, board_url(tree)) == board
    assert count(actors.grid_worker, reverse("care:day")) == day
    assert len(client.get(reverse("care:day")).context["rows"]) == 3


def test_a_member_supervisor_records_but_reads_no_health_data(
    client, tree, response, actors, homes
):
    ming = resident_member(1, tree, username="ming")
    case = services.case_open(
        actor=actors.manager,
        response=response,
        household=homes.zhao,
        person=None,
        data=services.CaseData(kind="observation", reason="密接", starts_on=TODAY, days=7),
        supervisor_member=ming,
    )
    client.force_login(ming.user)
    page = text(client.get(reverse("care:day")))
    assert "1栋 102" in page
    assert "我的代办" in page
    assert follow_up(client, case, temperature="38.2", next="day").status_code == 302
    page = text(client.get(reverse("care:day")))
    assert "已随访" in page
    assert "38.2" not in page
    assert "38.2" not in text(client.get(reverse("care:case", args=[case.pk])))
    assert Alert.objects.filter(kind=AlertKind.FEVER, case=case).exists()
    client.force_login(actors.outsider)
    assert client.get(reverse("care:case", args=[case.pk])).status_code == 404


def test_the_board_lists_the_first_errands_and_the_rest_a_page_at_a_time(
    client, tree, case, actors, homes, clock
):
    from jijie.care.selectors import BOARD_ERRANDS

    now = timezone.now()
    for n in range(BOARD_ERRANDS + 25):
        services.errand_create(
            actor=actors.manager,
            household=homes.wang,
            data=services.ErrandData(
                kind="parcel",
                needed=f"快递 {n}",
                due_by=now + timedelta(hours=n + 1),
            ),
        )
    clock.move_to(now + timedelta(hours=2, minutes=30))  # the first two are overdue
    client.force_login(actors.lower)
    board = client.get(board_url(tree))
    found = board.context["board"]
    assert len(found.errands) == BOARD_ERRANDS
    assert (found.errands_open, found.errands_overdue) == (BOARD_ERRANDS + 25, 2)
    assert found.errands[0].is_overdue  # the overdue ones lead
    more = text(board).split('data-testid="errands-more"')[1]
    assert "全部 55 件待办代办(超时 2 件)" in more
    url = reverse("care:errands", args=[tree.community.code])
    first = client.get(url)
    assert len(first.context["errands"]) == 50
    assert text(first).count("超时") == 2
    second = client.get(url + "?page=2")
    assert [e.needed for e, _a, _o in second.context["errands"]][-1] == "快递 54"
    client.force_login(actors.outsider)
    assert client.get(url).status_code == 404
    client.force_login(actors.member)
    assert client.get(url).status_code in (403, 404)


def test_the_community_reads_a_supervisors_day_from_the_board(client, tree, case, actors):
    client.force_login(actors.manager)
    url = f"{reverse('care:day')}?supervisor={actors.grid_worker.pk}"
    assert url in text(client.get(board_url(tree)))
    page = client.get(url)
    assert [row[0].case for row in page.context["rows"]] == [case]
    assert page.context["supervisor"] == actors.grid_worker
    assert 'data-testid="follow-up-form"' not in text(page)  # reading, not recording
    assert client.get(reverse("care:day")).context["rows"] == []  # the manager's own day
    client.force_login(actors.outsider)  # supervises nothing in the sibling's sight
    assert client.get(url).status_code == 404
    client.force_login(actors.manager)
    assert client.get(f"{reverse('care:day')}?supervisor={actors.lower.pk}").status_code == 404
    assert client.get(f"{reverse('care:day')}?supervisor=x1").status_code == 404


def test_a_building_as_its_floor_plan_for_care(client, actors, tree, homes, case):
    homes.zhao.refresh_from_db()
    do_household_flags_set(
        actor=SYSTEM,
        household=homes.zhao,
        version=homes.zhao.version,
        kind=homes.zhao.kind,
        is_party_centre=False,
        is_home_isolation=False,
        is_hardship=True,
    )
    url = reverse("care:building")
    client.force_login(actors.manager)
    assert client.get(url).status_code == 200  # the picker, no building yet
    page = client.get(url, {"building": tree.building.code})
    cells = {c.door: c for floor in page.context["plan"] for c in floor.doors}
    assert cells["101"].state == "isolation"
    assert cells["101"].url == reverse("care:case", args=[case.pk])
    assert cells["102"].state == "hardship"  # no plan yet: to the household
    assert cells["102"].url == reverse("residents:household", args=[homes.zhao.pk])
    assert page.context["counts"] == {"isolation": 1, "hardship": 1, "todo": 0}
    # Out of sight, not a building, or a role that reads no care: refused.
    sibling = Area.objects.get(code="441602004002-01-001")
    assert client.get(url, {"building": sibling.code}).status_code == 404
    assert client.get(url, {"building": tree.grid.code}).status_code == 404
    client.force_login(actors.guard)
    assert client.get(url, {"building": tree.building.code}).status_code == 403
