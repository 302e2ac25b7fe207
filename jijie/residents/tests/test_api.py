"""The registry API with three actors; the same masks as the pages."""

import json

import pytest
from stdnum.cn.ric import calc_check_digit

from jijie.accounts.services import token_create
from jijie.accounts.testing import enrol, next_code
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.core import pii
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)

BODY = "44160219751130402"
ID = BODY + calc_check_digit(BODY + "0")
PHONE = "13712345678"


@pytest.fixture
def person(tree):
    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="301")
    return do_person_add(
        actor=SYSTEM,
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
    user = getattr(actors, who)
    totp = enrol(user)
    response = client.post(
        f"/api/residents/people/{person.pk}/reveal",
        json.dumps({"field": "document", "reason": "核对核酸检测登记", "code": next_code(totp)}),
        content_type="application/json",
        headers=_headers(user),
    )
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"value": ID}
        assert AuditEvent.objects.filter(action="pii.reveal.document").count() == 1
    else:
        assert ID not in response.content.decode()
        assert not AuditEvent.objects.filter(action="pii.reveal.document").exists()


def test_reveal_without_reason_is_a_field_error(client, person, actors):
    totp = enrol(actors.manager)
    response = client.post(
        f"/api/residents/people/{person.pk}/reveal",
        json.dumps({"field": "phone", "reason": "", "code": next_code(totp)}),
        content_type="application/json",
        headers=_headers(actors.manager),
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_reveal_needs_a_fresh_code(client, person, actors):
    def reveal(**extra):
        body = {"field": "phone", "reason": "电话回访核实", **extra}
        return client.post(
            f"/api/residents/people/{person.pk}/reveal",
            json.dumps(body),
            content_type="application/json",
            headers=_headers(actors.manager),
        )

    # given a secretary without a second factor, then with one
    assert "先在网页" in reveal(code="123456").json()["detail"]
    totp = enrol(actors.manager)
    # when they send no code, a wrong one, or replay the one used
    assert "动态码" in reveal().json()["detail"]
    assert reveal(code="000000").status_code == 403
    code = next_code(totp)
    assert reveal(code=code).json() == {"value": PHONE}
    replayed = reveal(code=code)
    # then only the fresh code revealed anything, and every refusal is on record
    assert replayed.status_code == 403
    assert "已经用过" in replayed.json()["detail"]
    assert AuditEvent.objects.filter(action="pii.reveal.phone").count() == 1
    outcomes = AuditEvent.objects.filter(action="mfa.verify.failed").values_list("data", flat=True)
    assert sorted(o["outcome"] for o in outcomes) == ["replayed", "wrong"]


def test_search_is_not_a_get(client, person, actors):
    assert (
        client.get("/api/residents/search?q=zjg", headers=_headers(actors.manager)).status_code
        == 405
    )


@pytest.mark.parametrize(
    "query", ["limit=9223372036854775808", "offset=9223372036854775808", "limit=0", "offset=-1"]
)
def test_a_page_out_of_bounds_is_a_clear_400(client, person, actors, query):
    # Past 2^63 the offset reached the database and answered 500.
    response = client.get(f"/api/residents/households?{query}", headers=_headers(actors.manager))
    assert response.status_code == 400, response.content
    assert f"参数 {query.split('=')[0]} 应在" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/residents/households?kind=a%00b",
        "/api/residents/households?flag=a%00b",
        "/api/areas/?q=a%00b",
        "/api/areas/?q=a%E2%80%AEb",
    ],
)
def test_query_text_is_cleaned_as_a_body_is(client, person, actors, url):
    # PostgreSQL cannot hold NUL: the filter reached it and answered 500.
    response = client.get(url, headers=_headers(actors.manager))
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][0] == "query"
