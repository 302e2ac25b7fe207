"""The household picker: a household found by a door or by anyone living there, within
the user's sight and the area the form names; the words typed go by POST only."""

import pytest
from django.urls import reverse

from jijie.areas.models import Area
from jijie.residents import selectors
from jijie.residents.services import PersonData, household_register, person_add

PICK = reverse("residents:pick_household")


@pytest.fixture
def homes(tree, actors):
    """1栋 502 (王小明 and his wife), 3栋 3-502 (陈大文), and 1栋 of the sibling
    community's 502 (李四), out of the manager's sight."""
    one = household_register(actor=actors.manager, building=tree.building, door_number="502")
    person_add(actor=actors.manager, household=one, data=PersonData(name="李红", relation="spouse"))
    person_add(actor=actors.manager, household=one, data=PersonData(name="王小明", relation="head"))
    three = household_register(
        actor=actors.manager,
        building=Area.objects.get(code="441602004001-02-003"),
        door_number="3-502",
    )
    person_add(
        actor=actors.manager, household=three, data=PersonData(name="陈大文", relation="head")
    )
    away = household_register(
        actor=actors.outsider,
        building=Area.objects.get(code="441602004002-01-001"),
        door_number="502",
    )
    person_add(actor=actors.outsider, household=away, data=PersonData(name="李四", relation="head"))
    return one, three, away


def found(actor, query, area=None):
    return [
        (h.address, h.people)
        for h in selectors.household_search(actor=actor, query=query, area=area)
    ]


def test_a_door_a_name_or_initials_find_the_household(homes, actors, tree):
    # A door matches itself and a door written with its stairway (3-502), in area order.
    assert found(actors.manager, "502") == [("1栋 502", "王小明 等 2 人"), ("3栋 3-502", "陈大文")]
    assert found(actors.manager, "3-502") == [("3栋 3-502", "陈大文")]
    # Anyone living there: the head is named first whoever was registered first.
    assert found(actors.manager, "李红") == [("1栋 502", "王小明 等 2 人")]
    assert found(actors.manager, "cdw") == [("3栋 3-502", "陈大文")]
    assert found(actors.manager, "") == []
    # Limited to the area a form names (a community's case, a grid).
    assert found(actors.manager, "502", area=tree.grid) == [("1栋 502", "王小明 等 2 人")]


def test_the_search_keeps_to_the_users_sight(homes, actors, tree):
    assert found(actors.outsider, "502") == [("1栋 502", "李四")]
    assert found(actors.outsider, "王小明") == []
    assert found(actors.member, "502") == []
    assert found(actors.street, "502") == [
        ("1栋 502", "王小明 等 2 人"),
        ("3栋 3-502", "陈大文"),
        ("1栋 502", "李四"),
    ]


def test_the_picker_answers_a_post_with_choices_to_tap(client, homes, actors, tree):
    one, _three, _away = homes
    client.force_login(actors.manager)
    url = f"{PICK}?field=id_household&area={tree.community.code}"
    answer = client.post(url, {"q": "王小明"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert f'data-pick-value="{one.pk}"' in page
    assert 'data-pick-field="id_household"' in page
    assert "王小明 等 2 人" in page
    assert "没有找到" in client.post(url, {"q": "李四"}).content.decode()  # another community
    # Never by GET: a name typed is not put in a URL.
    assert client.get(url, {"q": "王小明"}).status_code == 405
    # The field id is a name, not markup.
    assert client.post(f"{PICK}?field=x%22%3E%3Cb", {"q": "王"}).status_code == 400
    # An area out of sight is refused as any other.
    away = f"{PICK}?field=id_household&area={tree.sibling.code}"
    assert client.post(away, {"q": "502"}).status_code == 404
    client.force_login(actors.member)
    assert client.post(url, {"q": "502"}).status_code == 403


def test_the_widget_draws_a_search_box_that_belongs_to_no_form(client, homes, actors, tree):
    client.force_login(actors.manager)
    page = client.get(reverse("care:errand_new")).content.decode()
    assert 'type="hidden" name="household"' in page
    assert 'form="id_household_alone"' in page  # the words typed are not sent with the form
    assert 'hx-post="/residents/households/pick/?field=id_household"' in page
    assert "住户编号" not in page
