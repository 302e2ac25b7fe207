"""The hardship pages: the community's hardship households (plans with the next visit
due, overdue first; flagged households with no plan), a plan opened from there, its
visits recorded on a phone (sent twice, stored once), and the plan closed. Three actors
on each page and each POST: the community's secretary manages, a lower role of the same
community records visits but may not open or close a plan (403), the sibling
community's secretary sees nothing (404)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from jijie.accounts.services import do_role_assign
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.care import services
from jijie.care.models import CarePlan, CareVisit, PlanStatus
from jijie.care.tests.fixtures import TODAY
from jijie.residents.models import Household

pytestmark = pytest.mark.django_db


def text(answer) -> str:
    return str(answer.content.decode())


def hardship_url(tree) -> str:
    return reverse("care:hardship", args=[tree.community.code])


def flag(*households: Household) -> None:
    Household.objects.filter(pk__in=[h.pk for h in households]).update(is_hardship=True)


def new_plan(client, tree, household, **extra):
    data = {
        "household": household.pk,
        "needs": "独居老人,行动不便",
        "measures": "每周上门一次,代买生活用品",
        "visit_every_days": "7",
        "responsible": "",
        "starts_on": TODAY.isoformat(),
        **extra,
    }
    return client.post(reverse("care:plan_new", args=[tree.community.code]), data)


def visit(client, plan, *, client_ref="v-1", **extra):
    data = {
        "help_given": "送米一袋、油一桶",
        "value": "120.00",
        "visited_on": TODAY.isoformat(),
        "client_ref": client_ref,
        **extra,
    }
    return client.post(reverse("care:plan_visit", args=[plan.pk]), data)


@pytest.fixture
def plan(clock, homes, actors) -> CarePlan:
    flag(homes.zhao)
    return services.care_plan_create(
        actor=actors.manager,
        household=Household.objects.get(pk=homes.zhao.pk),
        needs="低保户,老人独居",
        measures="每周走访",
        starts_on=TODAY - timedelta(days=10),
    )


def test_the_hardship_page_lists_plans_overdue_first_and_households_without_one(
    client, tree, actors, homes, plan
):
    flag(homes.wang)
    client.force_login(actors.manager)
    page = text(client.get(hardship_url(tree)))
    plans = page.split('data-testid="plans"')[1].split("</table>")[0]
    assert "1栋 102" in plans
    assert "逾期" in plans
    unplanned = page.split('data-testid="unplanned"')[1].split("</ul>")[0]
    assert "1栋 101" in unplanned
    assert "1栋 102" not in unplanned
    assert f"?household={homes.wang.pk}" in unplanned

    services.care_visit_record(
        actor=actors.grid_worker, plan=plan, help_given="慰问", value="50", visited_on=TODAY
    )
    page = text(client.get(hardship_url(tree)))
    plans = page.split('data-testid="plans"')[1].split("</table>")[0]
    assert "逾期" not in plans
    assert "03-17" in plans  # the next visit a week after this one
    found = client.get(hardship_url(tree)).context["found"]
    assert (found.visits_this_month, found.value_this_month) == (1, Decimal("50.00"))


def test_the_hardship_page_for_three_actors(client, tree, actors, plan):
    client.force_login(actors.lower)
    page = text(client.get(hardship_url(tree)))
    assert "1栋 102" in page
    assert reverse("care:plan_new", args=[tree.community.code]) not in page
    client.force_login(actors.outsider)
    assert client.get(hardship_url(tree)).status_code == 404
    assert client.get(reverse("care:plan", args=[plan.pk])).status_code == 404
    client.force_login(actors.manager)
    assert reverse("care:plan_new", args=[tree.community.code]) in text(
        client.get(hardship_url(tree))
    )
    client.logout()
    assert client.get(hardship_url(tree)).status_code == 302  # to sign in


def test_the_board_links_to_the_hardship_page(client, tree, actors, clock):
    client.force_login(actors.manager)
    page = text(client.get(reverse("care:board", args=[tree.community.code])))
    assert hardship_url(tree) in page


def test_a_plan_is_opened_from_the_page(client, tree, actors, homes, clock):
    flag(homes.zhao)
    client.force_login(actors.manager)
    form = client.get(
        reverse("care:plan_new", args=[tree.community.code]) + f"?household={homes.zhao.pk}"
    )
    assert "1栋 102" in text(form)
    choices = dict(form.context["form"].fields["responsible"].choices)
    assert str(actors.grid_worker.pk) in choices  # the grid's worker may answer for it
    answer = new_plan(client, tree, homes.zhao, responsible=str(actors.grid_worker.pk))
    plan = CarePlan.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("care:plan", args=[plan.pk])
    assert plan.responsible == actors.grid_worker
    assert plan.starts_on == TODAY


def test_a_plan_refused_shows_why_on_the_form(client, tree, actors, homes, clock):
    client.force_login(actors.manager)
    answer = new_plan(client, tree, homes.wang)  # not flagged as hardship
    assert answer.status_code == 200
    assert "没有标记为生活困难户" in text(answer)
    flag(homes.sibling)
    assert new_plan(client, tree, homes.sibling).status_code == 404  # out of sight
    both = make_user("both", Role.COMMUNITY_SECRETARY, tree.community)
    do_role_assign(actor=SYSTEM, user=both, role=Role.COMMUNITY_SECRETARY, area=tree.sibling)
    client.force_login(both)  # sees both communities, opens it on the wrong one's page
    answer = new_plan(client, tree, homes.sibling)
    assert answer.status_code == 200
    assert "本社区没有这户" in text(answer)
    client.force_login(actors.manager)
    answer = new_plan(client, tree, homes.wang, visit_every_days="0")
    assert answer.status_code == 200
    assert "visit_every_days" in answer.context["form"].errors
    assert not CarePlan.objects.exists()


def test_only_the_community_opens_a_plan(client, tree, actors, homes, clock):
    flag(homes.zhao)
    client.force_login(actors.lower)
    assert new_plan(client, tree, homes.zhao).status_code == 403
    client.force_login(actors.outsider)
    assert new_plan(client, tree, homes.zhao).status_code == 404
    assert not CarePlan.objects.exists()


def test_a_visit_is_recorded_once_when_sent_twice(client, actors, plan):
    client.force_login(actors.lower)
    page = text(client.get(reverse("care:plan", args=[plan.pk])))
    assert 'data-testid="visit-form"' in page
    assert 'name="client_ref"' in page
    assert 'data-testid="overdue"' in page
    assert visit(client, plan).status_code == 302
    assert visit(client, plan).status_code == 302
    stored = CareVisit.objects.get()
    assert (stored.visitor, stored.value, stored.client_ref) == (
        actors.lower,
        Decimal("120.00"),
        "v-1",
    )
    assert visit(client, plan, client_ref="v-2", help_given="代缴电费", value="").status_code == 302
    page = text(client.get(reverse("care:plan", args=[plan.pk])))
    assert "代缴电费" in page
    assert "送米一袋" in page
    assert "共 2 次,物资折价 120.00 元" in page
    assert 'data-testid="overdue"' not in page


def test_a_bad_visit_is_refused_on_the_form_and_nothing_stored(client, actors, plan):
    client.force_login(actors.grid_worker)
    answer = visit(client, plan, value="-5")
    assert answer.status_code == 200
    assert "value" in answer.context["visit_form"].errors
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    answer = visit(client, plan, client_ref="v-2", visited_on=tomorrow)
    assert "晚于今天" in text(answer)
    assert not CareVisit.objects.exists()


def test_visits_and_closing_for_three_actors(client, actors, plan):
    client.force_login(actors.outsider)
    assert visit(client, plan).status_code == 404
    assert client.post(reverse("care:plan_close", args=[plan.pk])).status_code == 404
    client.force_login(actors.lower)
    assert 'data-testid="close-form"' not in text(client.get(reverse("care:plan", args=[plan.pk])))
    assert client.post(reverse("care:plan_close", args=[plan.pk])).status_code == 403
    assert not CareVisit.objects.exists()
    client.force_login(actors.manager)
    answer = client.post(reverse("care:plan_close", args=[plan.pk]), follow=True)
    assert "帮扶计划已结束" in text(answer)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    page = text(client.get(reverse("care:plan", args=[plan.pk])))
    assert 'data-testid="visit-form"' not in page
    assert 'data-testid="close-form"' not in page
    client.force_login(actors.lower)
    assert visit(client, plan).status_code == 200  # refused with its sentence
    assert not CareVisit.objects.exists()


def test_the_hardship_page_reads_in_the_same_queries_however_many_plans(
    client, tree, actors, homes, plan, settings
):
    # Every page saves its session, so that each count holds the same save.
    settings.SESSION_TOUCH_SECONDS = 0

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(hardship_url(tree)).status_code == 200
        return len(queries)

    client.force_login(actors.manager)
    services.care_visit_record(actor=actors.manager, plan=plan, help_given="慰问")
    before = count()
    flag(homes.wang, homes.grid2)
    for home in (homes.wang, homes.grid2):
        services.care_plan_create(
            actor=actors.manager,
            household=Household.objects.get(pk=home.pk),
            needs="因病致困",
            measures="每月走访",
            responsible=actors.lower,
        )
    flag(homes.sibling)  # another community's: not on this page
    assert count() == before
    assert len(client.get(hardship_url(tree)).context["plans"]) == 3
