"""A door number or a name drawn in another order (U+202E) is refused on every way into
the registry: the pages and the ledger import; invisible characters are removed."""

import html

from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.residents.forms import HouseholdForm, PersonForm
from jijie.residents.imports.commit import import_ledger
from jijie.residents.models import Household, Person
from jijie.residents.services import do_household_register

RLO = "\u202e"  # "王小明\u202egpj.exe" is drawn as "王小明exe.jpg"


def _as(client, user):
    client.force_login(user)
    return client


def test_the_household_page_refuses_a_door_number_with_a_bidi_override(client, tree, actors):
    page = _as(client, actors.manager).post(
        reverse("residents:household_new"),
        {"building_code": tree.building.code, "door_number": f"{RLO}102", "kind": "resident"},
    )
    assert page.status_code == 200
    assert "U+202E" in html.unescape(page.content.decode())
    assert not Household.objects.exists()


def test_the_person_page_refuses_a_name_with_a_bidi_override(client, tree, actors):
    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="502")
    person = {"relation": "head", "document_type": "resident_id", "resident_type": "registered"}
    c = _as(client, actors.manager)
    url = reverse("residents:household", args=[household.pk])
    page = c.post(url, {**person, "name": f"王小明{RLO}gpj.exe"}).content.decode()
    assert "“姓名”含有改变文字显示顺序的方向控制符 U+202E" in html.unescape(page)
    assert not Person.objects.exists()
    assert c.post(url, {**person, "name": " 王\u200b小明 "}).status_code == 302
    assert Person.objects.get().name == "王小明"


def test_the_forms_refuse_nul_and_name_the_field() -> None:
    form = HouseholdForm(data={"building_code": "B1", "door_number": "1\x0002", "kind": "resident"})
    assert not form.is_valid()
    assert "“门牌号”含有控制字符或无效字符 U+0000" in form.errors["door_number"][0]
    person = PersonForm(data={"name": "王\x1b[31m小明", "relation": "head"})
    assert not person.is_valid()
    assert "U+001B" in person.errors["name"][0]


def test_the_import_refuses_a_bidi_override_naming_row_column_and_reason(tree, actors):
    ledger = (
        "姓名,楼栋,门牌号,与户主关系\n"
        f"王小明{RLO}gpj.exe,1栋,502,户主\n"
        f"李小红,1栋,{RLO}503,户主\n"
        "王\u200b小宝 ,1栋, 504 ,户主\n"
    ).encode()
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=ledger)
    problems = {(p.row, p.column): p for p in plan.errors}
    assert set(problems) == {(2, "姓名"), (3, "门牌号")}
    assert problems[(2, "姓名")].value == "王小明[U+202E]gpj.exe"
    assert "“姓名”含有改变文字显示顺序的方向控制符 U+202E" in problems[(2, "姓名")].reason
    assert "“门牌号”" in problems[(3, "门牌号")].reason
    import_ledger(actor=actors.manager, area=tree.grid, data=ledger, commit=True, skip_invalid=True)
    assert list(Person.objects.values_list("name", "household__door_number")) == [("王小宝", "504")]
