"""Registry pages with three actors: the community secretary (manager), the gate guard of
the same community (reads, never writes), the secretary of the sibling community (404)."""

from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from stdnum.cn.ric import calc_check_digit

from jijie.accounts.testing import step_up
from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.core import pii
from jijie.residents.models import Household, Person
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)

BODY = "44160219900101123"
ID = BODY + calc_check_digit(BODY + "0")
PHONE = "13800138000"


@pytest.fixture
def household(tree):
    return do_household_register(actor=SYSTEM, building=tree.building, door_number="502")


@pytest.fixture
def person(household):
    return do_person_add(
        actor=SYSTEM,
        household=household,
        data=PersonData(name="王小明", document_number=ID, phone=PHONE, relation="head"),
    ).person


def _as(client, user):
    client.force_login(user)
    return client


def test_detail_shows_the_masks_and_never_the_values(client, person, actors):
    page = (
        _as(client, actors.manager)
        .get(reverse("residents:household", args=[person.household_id]))
        .content.decode()
    )
    assert pii.mask("id", ID) in page
    assert pii.mask("phone", PHONE) in page
    assert ID not in page
    assert PHONE not in page


def test_search_is_a_post_and_shows_the_same_masks(client, person, actors):
    response = _as(client, actors.manager).post(reverse("residents:list"), {"q": "wxm"})
    page = response.content.decode()
    assert "王小明</a>" in page
    assert pii.mask("id", ID) in page
    assert ID not in page
    outsider = _as(client, actors.outsider).post(reverse("residents:list"), {"q": "王小明"})
    assert "王小明</a>" not in outsider.content.decode()
    assert "没有找到" in outsider.content.decode()


def test_list_three_actors(client, person, actors):
    assert "502" in _as(client, actors.manager).get(reverse("residents:list")).content.decode()
    assert "502" in _as(client, actors.guard).get(reverse("residents:list")).content.decode()
    assert "502" not in _as(client, actors.outsider).get(reverse("residents:list")).content.decode()
    assert _as(client, actors.member).get(reverse("residents:list")).status_code == 403


def test_list_filters(client, person, actors, tree):
    c = _as(client, actors.manager)
    assert "502" in c.get(reverse("residents:list"), {"area": tree.grid.code}).content.decode()
    assert "502" not in c.get(reverse("residents:list"), {"area": tree.grid2.code}).content.decode()
    assert c.get(reverse("residents:list"), {"area": tree.sibling.code}).status_code == 404
    assert c.get(reverse("residents:list"), {"area": "bad!"}).status_code == 400


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("guard", 200), ("outsider", 404), ("member", 404)]
)
def test_household_detail_reads(client, person, actors, who, status):
    url = reverse("residents:household", args=[person.household_id])
    assert _as(client, getattr(actors, who)).get(url).status_code == status


@pytest.mark.parametrize(("who", "status"), [("guard", 403), ("outsider", 404)])
def test_writes_refused(client, person, actors, who, status):
    c = _as(client, getattr(actors, who))
    household_url = reverse("residents:household", args=[person.household_id])
    assert (
        c.post(
            household_url,
            {
                "name": "张三",
                "relation": "other",
                "document_type": "resident_id",
                "resident_type": "registered",
            },
        ).status_code
        == status
    )
    assert (
        c.post(household_url, {"save_flags": "1", "version": 1, "kind": "rental"}).status_code
        == status
    )
    assert c.get(reverse("residents:person_edit", args=[person.pk])).status_code == status
    assert (
        c.post(
            reverse("residents:person_reveal", args=[person.pk]),
            {"field": "document", "reason": "核实身份信息"},
        ).status_code
        == status
    )
    assert Person.objects.count() == 1
    assert Household.objects.get().kind == "resident"
    assert not AuditEvent.objects.filter(action__startswith="pii.reveal").exists()


def test_household_new(client, tree, actors):
    c = _as(client, actors.manager)
    response = c.post(
        reverse("residents:household_new"),
        {"building_code": tree.building.code, "door_number": "101", "kind": "shop"},
    )
    assert response.status_code == 302
    assert Household.objects.get(door_number="101").kind == "shop"
    response = c.post(
        reverse("residents:household_new"),
        {"building_code": tree.grid.code, "door_number": "102", "kind": "resident"},
    )
    assert "楼栋的代码" in response.content.decode()
    response = c.post(
        reverse("residents:household_new"),
        {"building_code": "441602004002-01-001", "door_number": "1", "kind": "resident"},
    )
    assert "管辖范围" in response.content.decode()
    assert _as(client, actors.guard).get(reverse("residents:household_new")).status_code == 403


def test_add_person_through_the_page_with_field_errors(client, household, actors):
    c = _as(client, actors.manager)
    url = reverse("residents:household", args=[household.pk])
    bad = {
        "name": "李四",
        "relation": "spouse",
        "document_type": "resident_id",
        "document_number": "441602199002301234",
        "phone": "123",
        "resident_type": "registered",
    }
    page = c.post(url, bad).content.decode()
    assert "不存在" in page  # 30 February
    assert "手机号" in page
    assert not Person.objects.exists()
    good = {**bad, "document_number": ID.lower(), "phone": "138 0013 8000"}
    assert c.post(url, good).status_code == 302
    assert Person.objects.get().document_masked == pii.mask("id", ID)


def test_edit_keeps_blank_secrets_and_detects_conflicts(client, person, actors):
    url = reverse("residents:person_edit", args=[person.pk])
    form = {
        "version": person.version,
        "name": "王晓明",
        "relation": "head",
        "document_type": "resident_id",
        "resident_type": "registered",
        "document_number": "",
        "phone": "",
    }
    first, second = Client(), Client()
    first.force_login(actors.manager)
    second.force_login(actors.lower)
    assert first.post(url, form).status_code == 302
    saved = Person.objects.get(pk=person.pk)
    assert saved.name == "王晓明"
    assert saved.document_masked == pii.mask("id", ID)  # blank kept it
    assert saved.phone_cipher is not None
    assert pii.decrypt(saved.phone_cipher) == PHONE
    response = second.post(url, {**form, "name": "王小名"})
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    assert Person.objects.get(pk=person.pk).name == "王晓明"


def test_reveal_page(client, person, actors):
    step_up(client, actors.manager)
    c = client
    url = reverse("residents:person_reveal", args=[person.pk])
    assert "reason" in c.get(url).content.decode()
    response = c.post(url, {"field": "document", "reason": ""})
    assert ID not in response.content.decode()
    response = c.post(url, {"field": "document", "reason": "办理核酸检测登记"})
    assert ID in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="pii.reveal.document")
    assert event.reason == "办理核酸检测登记"


def test_reveal_asks_for_a_code_first(client, person, actors):
    c = _as(client, actors.manager)
    url = reverse("residents:person_reveal", args=[person.pk])
    verify = reverse("accounts:mfa_verify") + "?" + urlencode({"next": url})
    assert c.get(url)["Location"] == verify
    response = c.post(url, {"field": "document", "reason": "办理核酸检测登记"})
    assert response["Location"] == verify
    assert not AuditEvent.objects.filter(action__startswith="pii.reveal").exists()
    step_up(c, actors.manager)
    assert c.get(url).status_code == 200


def test_move_page(client, person, actors, tree):
    target = do_household_register(actor=SYSTEM, building=tree.building, door_number="601")
    url = reverse("residents:person_move", args=[person.pk])
    away = do_household_register(
        actor=SYSTEM, building=Area.objects.get(code="441602004002-01-001"), door_number="1"
    )
    c = _as(client, actors.manager)
    page = c.get(url).content.decode()
    assert "迁入住户" in page
    assert 'hx-post="/residents/households/pick/' in page  # found and tapped, never typed
    response = c.post(url, {"version": person.version, "household": ""})
    assert "请查找并选择住户" in response.content.decode()
    response = c.post(url, {"version": person.version, "household": away.pk})
    assert response.status_code == 200  # another community's door: refused on the form
    assert "不能迁入这户" in response.content.decode()
    assert Person.objects.get(pk=person.pk).household == person.household
    response = c.post(url, {"version": person.version, "household": target.pk})
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).household == target
    stale = c.post(url, {"version": person.version, "household": person.household_id})
    assert "已被他人修改" in stale.content.decode()


@pytest.mark.parametrize(("who", "status"), [("guard", 403), ("outsider", 404)])
def test_move_page_refused(client, person, actors, who, status):
    assert (
        _as(client, getattr(actors, who))
        .get(reverse("residents:person_move", args=[person.pk]))
        .status_code
        == status
    )


def test_error_reports_hide_personal_fields(rf, actors):
    """Django's error reports (mail, debug page) replace these POST fields and the plain
    values inside the functions that validate them."""
    from django.contrib.auth.models import AnonymousUser
    from django.views.debug import SafeExceptionReporterFilter

    from jijie.core.identity import check_resident_id
    from jijie.residents import views

    request = rf.post(
        "/residents/households/1/", {"name": "王小明", "document_number": ID, "phone": PHONE}
    )
    request.user = AnonymousUser()
    views.household_detail(request, pk=1)  # sent to sign in, after marking the fields
    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleaned["document_number"] != ID
    assert cleaned["phone"] != PHONE
    assert set(cleaned["document_number"]) == {"*"}
    with pytest.raises(ValidationError) as info:
        check_resident_id(ID[:-1] + ("0" if ID[-1] != "0" else "1"))
    frame = info.tb
    while frame.tb_next is not None:
        frame = frame.tb_next
    variables = dict(
        SafeExceptionReporterFilter().get_traceback_frame_variables(request, frame.tb_frame)
    )
    assert variables
    assert ID[:-1] not in repr(variables)
