import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook
from stdnum.cn.ric import calc_check_digit

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.core import pii
from jijie.core.testing import PAYLOADS, as_stored, live_cells, readable
from jijie.residents import exports
from jijie.residents.models import Household, Person
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)

BODY = "44160219820304561"
ID = BODY + calc_check_digit(BODY + "0")
PHONE = "13800009999"


@pytest.fixture
def person(tree):
    household = do_household_register(
        actor=SYSTEM, building=tree.building, door_number='=HYPERLINK("x")'
    )
    return do_person_add(
        actor=SYSTEM,
        household=household,
        data=PersonData(
            name="+孙悟空",
            document_number=ID,
            phone=PHONE,
            relation="head",
            register_place="@SUM(A1)",
        ),
    ).person


def _sheet(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_export_is_masked_textual_and_inert(client, person, actors, tree):
    client.force_login(actors.manager)
    response = client.get(reverse("residents:export"), {"area": tree.community.code})
    assert response.status_code == 200
    assert "ledger-441602004001" in response["Content-Disposition"]
    rows = list(_sheet(response).iter_rows(values_only=True))
    header, row = rows[1], rows[2]
    assert header[11] == "证件号码"
    assert row[11] == pii.mask("id", ID)
    assert row[12] == pii.mask("phone", PHONE)
    assert row[1:4] == ("源西街道", "新港路社区", "第01网格")
    assert row[5].startswith("'=")  # a formula-looking door number stays text
    assert row[7] == "'+孙悟空"
    assert row[13] == "'@SUM(A1)"
    assert not any(ID in str(cell) or PHONE in str(cell) for r in rows for cell in r)
    event = AuditEvent.objects.get(action="registry.export")
    assert event.data == {"rows": 1, "masked": True, "area": tree.community.code}


def test_id_cells_are_text(client, person, actors, tree):
    client.force_login(actors.manager)
    sheet = _sheet(client.get(reverse("residents:export"), {"area": tree.community.code}))
    assert sheet.cell(row=3, column=12).data_type == "s"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", 200),
        ("lower", 200),  # a community worker keeps the registry
        ("street", 200),
        ("command", 200),
        # a guard reads the registry at the gate; the whole ledger is not their work
        ("guard", 403),
        ("outsider", 404),
        ("member", 403),
    ],
)
def test_export_three_actors(client, person, actors, tree, who, status):
    client.force_login(getattr(actors, who))
    assert (
        client.get(reverse("residents:export"), {"area": tree.community.code}).status_code == status
    )


def test_a_guard_sees_no_ledger_button_and_the_service_refuses_them(
    client, person, actors, tree, tmp_path
):
    client.force_login(actors.guard)
    page = client.get(reverse("residents:list")).content.decode()
    assert reverse("residents:export") not in page
    with pytest.raises(PermissionDenied):
        exports.ledger_export(actor=actors.guard, area=tree.community, path=tmp_path / "x")


def test_the_service_refuses_what_is_too_large_to_write_at_once(
    person, actors, tree, monkeypatch, tmp_path
):
    """The view sends large areas to the background export (test_export_background);
    the service itself still refuses them, should the count grow in between."""
    monkeypatch.setattr(exports, "EXPORT_ROW_LIMIT", 0)
    with pytest.raises(exports.ExportTooLargeError, match="超过单次导出上限"):
        exports.ledger_export(actor=actors.manager, area=tree.community, path=tmp_path / "x.xlsx")
    assert not AuditEvent.objects.filter(action="registry.export").exists()


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("unmasked", [False, True])
def test_no_text_column_of_the_ledger_runs_as_a_formula(person, tree, payload, unmasked):
    # given a payload in every text a user can type: the areas a secretary names, the
    # door, the name and the register place (stored as is, whatever way they came in)
    for area in (tree.street, tree.community, tree.grid, tree.building):
        Area.objects.filter(pk=area.pk).update(name=as_stored(payload, 90) + area.name)
    Household.objects.filter(pk=person.household_id).update(door_number=as_stored(payload, 32))
    Person.objects.filter(pk=person.pk).update(
        name=as_stored(payload, 50), register_place=as_stored(payload, 100)
    )
    watermark = exports.Watermark(payload, 7, date(2026, 3, 2)) if unmasked else None
    # when the ledger is written, masked or unmasked for an approved request
    target = io.BytesIO()
    assert exports.write_ledger(area=tree.community, target=target, unmasked_for=watermark) == 1
    # then no cell would run, and every payload is still there to read
    data = target.getvalue()
    assert live_cells(data) == []
    row = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[-1]
    area, door = readable(as_stored(payload, 90)), readable(as_stored(payload, 32))
    assert row[1:6] == (
        f"'{area}源西街道",
        f"'{area}新港路社区",
        f"'{area}第01网格",
        f"'{area}1栋",
        f"'{door}",
    )
