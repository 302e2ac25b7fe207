import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.responses import selectors
from jijie.responses.models import Response, ResponseStatus
from jijie.responses.services import do_response_activate, response_activate, response_close


@pytest.fixture
def covid(tree, actors):
    return response_activate(
        actor=actors.command, area=tree.district, name="新冠肺炎疫情防控", level="2"
    )


def test_command_activates_and_closes_with_purge_date(covid, actors):
    assert covid.is_active
    closed = response_close(actor=actors.command, response=covid)
    assert closed.status == ResponseStatus.CLOSED
    assert closed.purge_after is not None
    assert closed.closed_at is not None
    assert (closed.purge_after - closed.closed_at).days == 30
    assert {"response.activate", "response.close"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    with pytest.raises(ValidationError):
        response_close(actor=actors.command, response=closed)


def test_only_commands_manage(tree, actors):
    for who in ("street", "manager"):
        with pytest.raises(PermissionDenied):
            response_activate(
                actor=getattr(actors, who),
                area=tree.street if who == "street" else tree.community,
                name="x",
                level="4",
            )


def test_bad_input_names_fields(tree, actors):
    with pytest.raises(ValidationError) as info:
        response_activate(
            actor=actors.command, area=tree.district, name=" ", level="9", retention_days=0
        )
    assert set(info.value.message_dict) == {"name", "level", "retention_days"}
    assert not Response.objects.exists()


def test_visibility_by_overlap(covid, tree, actors):
    other = do_response_activate(
        actor=SYSTEM, area=tree.other_street, name="上城街道防汛", level="4"
    )
    assert [r.pk for r in selectors.response_list(actor=actors.manager)] == [covid.pk]
    assert {r.pk for r in selectors.response_list(actor=actors.command)} == {covid.pk, other.pk}
    assert list(selectors.response_list(actor=actors.member)) == []


def test_pages_three_actors(client, covid, tree, actors):
    client.force_login(actors.command)
    response = client.post(
        reverse("responses:index"),
        {
            "name": "防汛",
            "level": "4",
            "area_code": tree.street.code,
            "retention_days": 14,
        },
    )
    assert response.status_code == 302
    assert Response.objects.filter(name="防汛", area=tree.street).exists()
    # a street office sees the responses over it but may not start or end one
    client.force_login(actors.street)
    page = client.get(reverse("responses:index")).content.decode()
    assert "新冠肺炎疫情防控" in page
    assert "启动应急响应" not in page
    assert (
        client.post(
            reverse("responses:index"),
            {"name": "x", "level": "4", "area_code": tree.street.code, "retention_days": 1},
        ).status_code
        == 403
    )
    assert client.post(reverse("responses:close", args=[covid.pk])).status_code == 403
    # an outsider to the response's area cannot even find it
    other = do_response_activate(
        actor=SYSTEM, area=tree.other_street, name="上城街道防汛", level="4"
    )
    client.force_login(actors.manager)
    assert client.post(reverse("responses:close", args=[other.pk])).status_code == 404
    client.force_login(actors.command)
    assert client.post(reverse("responses:close", args=[covid.pk])).status_code == 302
    assert not Response.objects.get(pk=covid.pk).is_active


def test_form_reports_bad_area(client, tree, actors):
    client.force_login(actors.command)
    response = client.post(
        reverse("responses:index"),
        {"name": "x", "level": "4", "area_code": "nope", "retention_days": 1},
    )
    assert response.status_code == 200
    assert "格式不正确" in response.content.decode()


def test_the_system_acts_as_itself_in_the_audit_chain(tree):
    response = do_response_activate(actor=SYSTEM, area=tree.district, name="防汛", level="4")
    assert response.created_by is None
    event = AuditEvent.objects.get(action="response.activate")
    assert (event.actor_id, event.actor_label) == (None, "system")
