"""Hardship households: a care plan and the visits (慰问) made under it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jijie.care import services
from jijie.care.models import CarePlan
from jijie.residents.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def hardship(homes) -> Household:
    Household.objects.filter(pk=homes.zhao.pk).update(is_hardship=True)
    return Household.objects.get(pk=homes.zhao.pk)


def make_plan(actor, household) -> CarePlan:
    return services.care_plan_create(
        actor=actor,
        household=household,
        needs="独居老人,行动不便",
        measures="每周上门一次,代买生活用品",
        responsible=None,
    )


def test_a_plan_and_its_visits(hardship, actors):
    plan = make_plan(actors.manager, hardship)
    visit = services.care_visit_record(
        actor=actors.grid_worker, plan=plan, help_given="送米一袋、油一桶", value="120.00"
    )
    assert visit.value == Decimal("120.00")
    assert list(plan.visits.all()) == [visit]
    services.care_plan_close(actor=actors.manager, plan=plan)
    with pytest.raises(ValidationError, match="已结束"):
        services.care_visit_record(actor=actors.grid_worker, plan=plan, help_given="慰问")


def test_plans_are_for_hardship_households_once(hardship, actors, homes):
    with pytest.raises(ValidationError, match="生活困难户"):
        make_plan(actors.manager, homes.wang)
    make_plan(actors.manager, hardship)
    with pytest.raises(ValidationError, match="已有执行中"):
        make_plan(actors.manager, hardship)


def test_visits_refuse_bad_input(hardship, actors):
    plan = make_plan(actors.manager, hardship)
    with pytest.raises(ValidationError, match="负数"):
        services.care_visit_record(actor=actors.lower, plan=plan, help_given="慰问", value="-5")
    with pytest.raises(ValidationError, match="晚于今天"):
        services.care_visit_record(
            actor=actors.lower,
            plan=plan,
            help_given="慰问",
            visited_on=timezone.localdate() + timedelta(days=1),
        )


@pytest.mark.parametrize(("who", "raised"), [("lower", PermissionDenied), ("outsider", Http404)])
def test_only_the_community_makes_plans(hardship, actors, who, raised):
    with pytest.raises(raised):
        make_plan(getattr(actors, who), hardship)


@pytest.mark.parametrize(("who", "raised"), [("guard", PermissionDenied), ("outsider", Http404)])
def test_visits_by_front_line_roles_of_the_household(hardship, actors, who, raised):
    plan = make_plan(actors.manager, hardship)
    with pytest.raises(raised):
        services.care_visit_record(actor=getattr(actors, who), plan=plan, help_given="慰问")
