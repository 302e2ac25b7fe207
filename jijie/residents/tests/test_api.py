"""The registry API with three actors; the same masks as the pages."""

import json

import pytest
from stdnum.cn.ric import calc_check_digit

from jijie.accounts.models import AuditEvent
from jijie.accounts.services import token_create
from jijie.core import pii
from jijie.residents.services import PersonData, household_register, person_add

BODY = "44160219751130402"
ID = BODY + calc_check_digit(BODY + "0")
PHONE = "13712345678"


@pytest.fixture
def person(tree):
    household = household_register(actor=None, building=tree.building, door_number="301")
    return person_add(
        actor=None,
        household=household,
        data=PersonData(name="赵建国", document_number=ID, phone=PHONE, relation="head"),
    ).person


def _headers(user):
    return {"Authorization": f"Bearer {token_create(user=user, name='phone')}"}


def test_household_list_and_detail_are_masked(client, person, actors):
    headers = _headers(actors.manager)
    listing = client.get("/api/residents/households", headers=headers).json()
    assert listing["count"] == 1
    assert listing["items"][0]["door_number"] == "301"
    detail = client.get(f"/api/residents/households/{person.household_id}", headers=headers)
    body = detail.content.decode()
    assert pii.mask("id", ID) in body
    assert pii.mask("phone", PHONE) in body
    assert ID not in body
    assert PHONE not in body


@pytest.mark.parametrize(
    ("who", "count", "detail"), [("manager", 1, 200), ("guard", 1, 200), ("outsider", 0, 404)]
)
def test_reads_three_actors(client, person, actors, who, count, detail):
    headers = _headers(getattr(actors, who))
    assert client.get("/api/residents/households", headers=headers).json()["count"] == count
    assert (
        client.get(f"/api/residents/households/{person.household_id}", headers=headers).status_code
        == detail
    )
    found = client.post(
        "/api/residents/search",
        json.dumps({"q": "zjg"}),
        content_type="application/json",
        headers=headers,
    )
    assert len(found.json()) == count


@pytest.mark.parametrize(("who", "status"), [("manager", 200), ("guard", 403), ("outsider", 404)])
def test_reveal_three_actors(client, person, actors, who, status):
    response = client.post(
        f"/api/residents/people/{person.pk}/reveal",
        json.dumps({"field": "document", "reason": "核对核酸检测登记"}),
        content_type="application/json",
        headers=_headers(getattr(actors, who)),
    )
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"value": ID}
        assert AuditEvent.objects.filter(action="pii.reveal.document").count() == 1
    else:
        assert ID not in response.content.decode()
        assert not AuditEvent.objects.filter(action="pii.reveal.document").exists()


def test_reveal_without_reason_is_a_field_error(client, person, actors):
    response = client.post(
        f"/api/residents/people/{person.pk}/reveal",
        json.dumps({"field": "phone", "reason": ""}),
        content_type="application/json",
        headers=_headers(actors.manager),
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_search_is_not_a_get(client, person, actors):
    assert (
        client.get("/api/residents/search?q=zjg", headers=_headers(actors.manager)).status_code
        == 405
    )
