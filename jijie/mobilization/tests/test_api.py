"""The mobilization API with three actors per endpoint: the committee, a unit's admin
(its own members only; may not screen, decide or propose: 403) and an outsider (404)."""

import json
from datetime import date

import pytest

from jijie.audit.actors import SYSTEM
from jijie.mobilization import services
from jijie.mobilization.models import Proposal, SignUp, SignUpStatus
from jijie.mobilization.tests.fixtures import END, START, make_id, phone_for, sign_up

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _user(mob, actors, who):
    return getattr(mob, who, None) or getattr(actors, who)


@pytest.fixture
def entries(mob, tree):
    ours = services.do_sign_up_approve(
        actor=SYSTEM,
        sign_up=sign_up(mob.call_up, 1, organisation=mob.branch, residence=tree.sibling),
    )
    theirs = sign_up(mob.call_up, 2, organisation=mob.other_unit)
    services.do_deployment_create(
        actor=SYSTEM, sign_up=ours, community=tree.community, starts_on=START, ends_on=END
    )
    return ours, theirs


def post(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


@pytest.mark.parametrize(("who", "count"), [("chair", 1), ("unit_admin", 1), ("outsider", 0)])
def test_call_up_list(client, mob, actors, who, count):
    response = _as(client, _user(mob, actors, who)).get("/api/mobilization/call-ups")
    assert response.json()["count"] == count


@pytest.mark.parametrize(
    ("who", "status", "signed_up"),
    [("chair", 200, 2), ("unit_admin", 200, 1), ("outsider", 404, None)],
)
def test_funnel(client, mob, actors, entries, who, status, signed_up):
    response = _as(client, _user(mob, actors, who)).get(
        f"/api/mobilization/call-ups/{mob.call_up.pk}/funnel"
    )
    assert response.status_code == status
    if signed_up is not None:
        body = response.json()
        assert body["total"]["signed_up"] == signed_up
        assert {"community": "新港路社区", "quota": 2, "deployed": 1} in body["by_community"]


def test_sign_ups_are_masked_and_scoped(client, mob, actors, entries):
    url = f"/api/mobilization/call-ups/{mob.call_up.pk}/sign-ups"
    body = _as(client, mob.chair).get(url).json()
    assert body["count"] == 2
    assert body["items"][0]["member"]["phone_masked"] == "139****0001"
    assert phone_for(1) not in json.dumps(body)
    assert _as(client, mob.unit_admin).get(url).json()["count"] == 1
    assert _as(client, actors.outsider).get(url).status_code == 404


def test_join_is_open_to_the_link_and_refuses_twice(client, mob, tree):
    payload = {
        "name": "王小红",
        "document_number": make_id(date(1990, 3, 3), 88),
        "phone": "13912345678",
        "organisation_id": mob.branch.pk,
        "residence": tree.community.code,
        "health_declared": True,
    }
    url = f"/api/mobilization/join/{mob.call_up.token}"
    first = post(client, url, payload)
    assert first.status_code == 202
    assert first.json()["detail"].startswith("报名已提交。")
    assert SignUp.objects.get().status == SignUpStatus.REQUESTED
    # again: the same answer, and no second sign-up
    again = post(client, url, payload)
    assert (again.status_code, again.json()) == (202, first.json())
    assert SignUp.objects.count() == 1
    bad = post(client, url, {**payload, "phone": "12"})
    assert bad.status_code == 400
    assert "phone" in bad.json()["errors"]
    assert post(client, "/api/mobilization/join/nope", payload).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("chair", 200), ("unit_admin", 403), ("outsider", 404)]
)
def test_screen(client, mob, actors, who, status):
    sign_up(mob.call_up, 5)
    response = post(
        _as(client, _user(mob, actors, who)),
        f"/api/mobilization/call-ups/{mob.call_up.pk}/screen",
        {"min_age": 18, "max_age": 60},
    )
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"approved": 1, "declined": 0}


@pytest.mark.parametrize(
    ("who", "status"), [("chair", 200), ("unit_admin", 403), ("outsider", 404)]
)
def test_decline(client, mob, actors, entries, who, status):
    _ours, theirs = entries
    response = post(
        _as(client, _user(mob, actors, who)),
        f"/api/mobilization/sign-ups/{theirs.pk}/decline",
        {"reason": "年龄不符"},
    )
    assert response.status_code == status
    theirs.refresh_from_db()
    assert (theirs.status == SignUpStatus.DECLINED) == (status == 200)


def test_refused_move_answers_400_with_the_message(client, mob, entries):
    ours, _theirs = entries
    response = post(
        _as(client, mob.chair), f"/api/mobilization/sign-ups/{ours.pk}/approve", {"reason": ""}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "队员1 的报名目前是“已下沉”,不能改为“已通过”。"


@pytest.mark.parametrize(
    ("who", "status"), [("chair", 201), ("unit_admin", 403), ("outsider", 404)]
)
def test_propose_and_accept(client, mob, actors, entries, who, status):
    _ours, theirs = entries
    services.do_sign_up_approve(actor=SYSTEM, sign_up=theirs)
    c = _as(client, _user(mob, actors, who))
    response = post(
        c,
        f"/api/mobilization/call-ups/{mob.call_up.pk}/proposal",
        {"starts_on": "2020-02-10", "ends_on": "2020-03-10"},
    )
    assert response.status_code == status
    if status == 201:
        body = response.json()
        assert [line["community"] for line in body["lines"]] == ["441602004001"]
        accepted = post(c, f"/api/mobilization/proposals/{body['id']}/accept", {})
        assert accepted.json() == {"deployed": 1}
        assert SignUp.objects.filter(status=SignUpStatus.DEPLOYED).count() == 2


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("lower", 200), ("outsider", 404), ("chair", 403)]
)
def test_community_deployments(client, mob, actors, tree, entries, who, status):
    response = _as(client, _user(mob, actors, who)).get(
        f"/api/mobilization/communities/{tree.community.code}/deployments"
    )
    assert response.status_code == status
    if status == 200:
        item = response.json()["items"][0]
        assert item["member"]["phone_masked"] == "139****0001"
        assert item["residence"] == tree.sibling.code


def test_me(client, actors, entries):
    ours, _theirs = entries
    assert _as(client, actors.member).get("/api/mobilization/me").status_code == 404
    ours.member.user = actors.member
    ours.member.save()
    body = _as(client, actors.member).get("/api/mobilization/me").json()
    assert (body["name"], body["phone_masked"]) == ("队员1", "139****0001")


@pytest.mark.parametrize(
    ("who", "status"), [("chair", 200), ("unit_admin", 403), ("outsider", 404)]
)
def test_approve(client, mob, actors, entries, who, status):
    _ours, theirs = entries
    response = post(
        _as(client, _user(mob, actors, who)), f"/api/mobilization/sign-ups/{theirs.pk}/approve", {}
    )
    assert response.status_code == status
    theirs.refresh_from_db()
    assert (theirs.status == SignUpStatus.APPROVED) == (status == 200)


@pytest.mark.parametrize(
    ("who", "status"), [("chair", 200), ("unit_admin", 403), ("outsider", 404)]
)
@pytest.mark.parametrize(("move", "ends_as"), [("end", "ended"), ("withdraw", "withdrawn")])
def test_end_or_withdraw_a_deployment(client, mob, actors, entries, who, status, move, ends_as):
    from jijie.mobilization.models import DeploymentStatus

    ours, _theirs = entries
    response = post(
        _as(client, _user(mob, actors, who)),
        f"/api/mobilization/sign-ups/{ours.pk}/{move}",
        {"reason": "任务完成"},
    )
    assert response.status_code == status
    ours.refresh_from_db()
    deployment = ours.deployments.get()
    if status == 200:
        assert ours.status == ends_as
        assert deployment.status == ends_as
    else:
        assert ours.status == SignUpStatus.DEPLOYED
        assert deployment.status == DeploymentStatus.ACTIVE


def test_ending_what_is_not_deployed_is_refused(client, mob, entries):
    _ours, theirs = entries
    response = post(_as(client, mob.chair), f"/api/mobilization/sign-ups/{theirs.pk}/end", {})
    assert response.status_code == 400
    theirs.refresh_from_db()
    assert theirs.status == SignUpStatus.REQUESTED


@pytest.mark.parametrize(
    "query",
    [
        "limit=9223372036854775808",
        "offset=9223372036854775808",
        "offset=18446744073709551616",
        "limit=0",
        "limit=501",
        "offset=-1",
        "offset=2147483148",
    ],
)
@pytest.mark.parametrize("list_", ["call-ups", "sign-ups", "deployments"])
def test_a_page_out_of_bounds_is_a_clear_400(client, mob, tree, actors, entries, query, list_):
    # Past 2^63 the offset reached the database and answered 500.
    url = {
        "call-ups": "/api/mobilization/call-ups",
        "sign-ups": f"/api/mobilization/call-ups/{mob.call_up.pk}/sign-ups",
        "deployments": f"/api/mobilization/communities/{tree.community.code}/deployments",
    }[list_]
    c = _as(client, mob.chair if list_ != "deployments" else actors.manager)
    assert c.get(url).status_code == 200
    response = c.get(f"{url}?{query}")
    assert response.status_code == 400, response.content
    name = query.split("=")[0]
    assert f"参数 {name} 应在" in response.json()["detail"]


def test_the_last_page_the_bounds_allow_is_served(client, mob, entries):
    response = _as(client, mob.chair).get("/api/mobilization/call-ups?limit=500&offset=2147483147")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_the_schema_publishes_the_bounds(client, db):
    document = client.get("/api/openapi.json").json()
    operation = document["paths"]["/api/mobilization/call-ups"]["get"]
    bounds = {
        p["name"]: (p["schema"].get("minimum"), p["schema"].get("maximum"))
        for p in operation["parameters"]
    }
    assert bounds == {"limit": (1, 500), "offset": (0, 2147483147)}


@pytest.mark.parametrize(
    ("starts_on", "says"),
    [
        ("0122-02-10", "1900-01-01"),  # a slip of the keyboard, taken as the year 122
        ("2200-02-10", "2100-12-31"),
        (1581292800, "YYYY-MM-DD"),  # a JSON number, taken as seconds since 1970
        ("1581292800", "YYYY-MM-DD"),
        ("2020-02-30", ""),
        ("2020/02/10", "YYYY-MM-DD"),
    ],
)
def test_a_proposal_takes_only_real_dates(client, mob, entries, starts_on, says):
    response = post(
        _as(client, mob.chair),
        f"/api/mobilization/call-ups/{mob.call_up.pk}/proposal",
        {"starts_on": starts_on, "ends_on": "2020-03-10"},
    )
    assert response.status_code == 422, response.content
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "starts_on"
    assert says in error["msg"]
    assert not Proposal.objects.exists()
