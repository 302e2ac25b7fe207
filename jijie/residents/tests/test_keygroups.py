"""Key groups: health and travel data only for people in one, seen only by follow-up roles."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.residents import keygroups
from jijie.residents.models import KeyGroupMember
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)
from jijie.responses.services import do_response_activate, response_close


@pytest.fixture
def response(tree):
    return do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2")


@pytest.fixture
def person(tree):
    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="701")
    return do_person_add(actor=SYSTEM, household=household, data=PersonData(name="周返乡")).person


@pytest.fixture
def group(response, actors):
    return keygroups.do_key_group_create(
        actor=SYSTEM, response=response, name="从中高风险地区返回人员"
    )


def test_add_with_follow_up_data(person, group, actors):
    member = keygroups.key_group_add(
        actor=actors.manager,
        person=person,
        group=group,
        follow_up=keygroups.FollowUp(
            arrived_from="湖北省武汉市", arrived_on=date(2020, 1, 20), health_status="fever"
        ),
    )
    assert member.area_path == person.area_path
    assert list(keygroups.memberships(actor=actors.grid_worker, person=person)) == [member]
    with pytest.raises(ValidationError):  # not twice
        keygroups.key_group_add(
            actor=actors.manager, person=person, group=group, follow_up=keygroups.FollowUp()
        )


@pytest.mark.parametrize("who", ["guard", "street", "command", "outsider"])
def test_health_data_is_for_follow_up_roles_only(person, group, actors, who):
    keygroups.do_key_group_add(
        actor=SYSTEM, person=person, group=group, follow_up=keygroups.FollowUp()
    )
    with pytest.raises(PermissionDenied):
        keygroups.memberships(actor=getattr(actors, who), person=person)


def test_bad_follow_up_and_closed_response(person, group, response, actors):
    tomorrow = date.today() + timedelta(days=2)
    with pytest.raises(ValidationError) as info:
        keygroups.key_group_add(
            actor=actors.manager,
            person=person,
            group=group,
            follow_up=keygroups.FollowUp(arrived_on=tomorrow, health_status="zombie"),
        )
    assert set(info.value.message_dict) == {"arrived_on", "health_status"}
    response_close(actor=actors.command, response=response)
    group.response.refresh_from_db()
    with pytest.raises(ValidationError):
        keygroups.key_group_add(
            actor=actors.manager, person=person, group=group, follow_up=keygroups.FollowUp()
        )
    assert not KeyGroupMember.objects.exists()


def test_a_response_elsewhere_does_not_cover_our_people(person, tree, actors):
    elsewhere = do_response_activate(
        actor=SYSTEM, area=tree.other_street, name="上城防汛", level="4"
    )
    group = keygroups.do_key_group_create(actor=SYSTEM, response=elsewhere, name="转移人员")
    assert list(keygroups.groups_for(person)) == []
    with pytest.raises(ValidationError):
        keygroups.do_key_group_add(
            actor=SYSTEM, person=person, group=group, follow_up=keygroups.FollowUp()
        )


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("grid_worker", 200), ("guard", 403), ("outsider", 404)]
)
def test_page_three_actors(client, person, group, actors, who, status):
    client.force_login(getattr(actors, who))
    assert (
        client.get(reverse("residents:person_key_groups", args=[person.pk])).status_code == status
    )


def test_page_adds_a_member(client, person, group, actors):
    client.force_login(actors.manager)
    response = client.post(
        reverse("residents:person_key_groups", args=[person.pk]),
        {
            "key_group": group.pk,
            "arrived_from": "湖北省武汉市",
            "arrived_on": "2020-01-20",
            "health_status": "normal",
            "isolation_until": "2020-02-03",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("residents:person_key_groups", args=[person.pk])).content.decode()
    assert "湖北省武汉市" in page


def test_outsider_cannot_add(person, group, actors):
    with pytest.raises(Http404):
        keygroups.key_group_add(
            actor=actors.outsider, person=person, group=group, follow_up=keygroups.FollowUp()
        )
