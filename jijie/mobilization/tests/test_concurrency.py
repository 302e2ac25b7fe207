"""Races on PostgreSQL (the production database): the same person signing up twice at
once, two committees taking the last place of a community at once, and the same member
deployed by two call-ups at once. Each time exactly one wins and the other is refused
with its message."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jijie.audit.actors import NOBODY, SYSTEM
from jijie.mobilization import services
from jijie.mobilization.models import Deployment, SignUp
from jijie.mobilization.tests.fixtures import END, START, member_data, sign_up
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_signing_up_twice_at_once(mob):
    data = services.SignUpData(member=member_data(1), health_declared=True)
    member = services.do_member_register(actor=SYSTEM, data=member_data(1)).member

    def submit():
        return services.do_sign_up_submit(actor=NOBODY, call_up=mob.call_up, data=data)

    results, refusals = race(submit, submit, submit)
    assert len(results) == 1
    assert all("无需重复报名" in r for r in refusals)
    assert SignUp.objects.filter(member=member).count() == 1


def test_a_new_member_signing_up_twice_at_once(mob):
    data = services.SignUpData(member=member_data(2), health_declared=True)

    def submit():
        return services.do_sign_up_submit(actor=NOBODY, call_up=mob.call_up, data=data)

    results, refusals = race(submit, submit)
    assert len(results) == 1
    assert all("无需重复报名" in r for r in refusals)
    assert SignUp.objects.count() == 1


def test_the_last_place_is_taken_once(mob, tree):
    first, second = (
        services.do_sign_up_approve(actor=SYSTEM, sign_up=sign_up(mob.call_up, n)) for n in (1, 2)
    )
    # 新江三路 has one place

    def deploy(entry):
        return lambda: services.do_deployment_create(
            actor=SYSTEM, sign_up=entry, community=tree.sibling, starts_on=START, ends_on=END
        )

    results, refusals = race(deploy(first), deploy(second))
    assert len(results) == 1
    assert refusals == ["“新江三路社区”的名额已满。"]
    assert Deployment.objects.filter(community=tree.sibling).count() == 1


def test_one_member_is_not_sent_to_two_places_at_once(mob, tree):
    other = services.do_call_up_issue(
        actor=SYSTEM,
        response=mob.response,
        organisation=mob.committee,
        title="第二批",
        quota=1,
        deadline=timezone.now() + timedelta(days=1),
        targets=[services.Target(tree.far_community, 1)],
    )
    here = services.do_sign_up_approve(actor=SYSTEM, sign_up=sign_up(mob.call_up, 1))
    there = services.do_sign_up_approve(actor=SYSTEM, sign_up=sign_up(other, 1))
    results, refusals = race(
        lambda: services.do_deployment_create(
            actor=SYSTEM, sign_up=here, community=tree.community, starts_on=START, ends_on=END
        ),
        lambda: services.do_deployment_create(
            actor=SYSTEM, sign_up=there, community=tree.far_community, starts_on=START, ends_on=END
        ),
    )
    assert len(results) == 1
    assert len(refusals) == 1
    assert "时间重叠" in refusals[0]
    assert Deployment.objects.count() == 1
