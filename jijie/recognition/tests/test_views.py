"""The recognition pages by three actors (the unit's admin, another unit's admin, a
community secretary) and the member: the records, the approval, the list and its
spreadsheet, certificates, nominations."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from jijie.duty.models import Participation
from jijie.duty.tests.fixtures import demand, shifts, with_account
from jijie.mobilization.tests.fixtures import member
from jijie.recognition.models import Approval, Certificate, Nomination

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
LATER = datetime(2026, 12, 20, 9, 0, tzinfo=TZ)


def _as(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def served(tree, mob, posts):
    someone = with_account(
        member(1, organisation=mob.unit, kind="volunteer", name="=王小明"), "wxm"
    )
    d = demand(tree.community, posts.guard, days=2, per_day=1, hours=6, start=date(2026, 12, 1))
    shift = shifts(d)[0]
    Participation.objects.create(
        shift=shift, member=someone, status="confirmed", source="assigned",
        starts_at=shift.starts_at, ends_at=shift.ends_at, checked_in_at=shift.starts_at,
        checked_out_at=shift.ends_at, minutes=360,
    )  # fmt: skip
    return someone


@time_machine.travel(LATER, tick=False)
def test_three_actors_on_every_page(client, tree, mob, actors, served):
    unit_url = reverse("recognition:unit", args=[mob.unit.pk]) + "?start=2026-12-01&end=2026-12-10"
    admin = _as(client, mob.unit_admin)
    page = admin.get(unit_url).content.decode()
    assert "=王小明" in page
    assert "6.0" in page
    assert _as(client, mob.other_admin).get(unit_url).status_code == 404
    assert _as(client, actors.manager).get(unit_url).status_code == 404
    assert _as(client, actors.nobody).get(reverse("recognition:index")).status_code == 403
    # the admin approves the period; the list, its spreadsheet, a certificate
    approve = reverse("recognition:approve", args=[mob.unit.pk])
    assert (
        _as(client, mob.other_admin)
        .post(approve, {"start": "2026-12-01", "end": "2026-12-10"})
        .status_code
        == 404
    )
    response = _as(client, mob.unit_admin).post(
        approve, {"start": "2026-12-01", "end": "2026-12-10"}
    )
    approval = Approval.objects.get()
    assert response.status_code == 302
    list_url = reverse("recognition:approval", args=[approval.pk])
    assert _as(client, mob.unit_admin).get(list_url).status_code == 200
    assert _as(client, mob.other_admin).get(list_url).status_code == 404
    xlsx = _as(client, mob.unit_admin).get(reverse("recognition:approval_xlsx", args=[approval.pk]))
    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][1] == "'=王小明"  # neutralised: never a formula
    assert rows[2][7] == 6.0
    record = approval.records.get(member=served)
    issue = reverse("recognition:certificate_issue", args=[record.pk])
    assert _as(client, mob.other_admin).post(issue).status_code == 404
    assert _as(client, mob.unit_admin).post(issue).status_code == 302
    certificate = Certificate.objects.get()
    pdf_url = reverse("recognition:certificate", args=[certificate.pk])
    assert _as(client, mob.unit_admin).get(pdf_url)["Content-Type"] == "application/pdf"
    # the member sees their own record and certificate; another member does not
    assert served.user is not None
    mine = _as(client, served.user).get(reverse("recognition:mine")).content.decode()
    assert certificate.number in mine
    assert _as(client, served.user).get(pdf_url).status_code == 200
    assert _as(client, mob.other_admin).get(pdf_url).status_code == 404
    assert _as(client, actors.member).get(pdf_url).status_code == 404


@time_machine.travel(LATER, tick=False)
def test_a_nomination_on_the_page(client, mob, actors, served):
    url = reverse("recognition:nominate", args=[served.pk])
    assert _as(client, mob.other_admin).post(url, {"reason": "x"}).status_code == 404
    response = _as(client, mob.unit_admin).post(url, {"reason": "卡口值守,主动顶班"})
    assert response.status_code == 302
    assert Nomination.objects.get().proposed_by == mob.unit_admin
    page = _as(client, mob.unit_admin).get(reverse("recognition:unit", args=[mob.unit.pk]))
    assert "卡口值守,主动顶班" in page.content.decode()


def test_a_period_not_ended_cannot_be_approved_on_the_page(client, mob, served):
    with time_machine.travel(LATER, tick=False):
        response = _as(client, mob.unit_admin).post(
            reverse("recognition:approve", args=[mob.unit.pk]),
            {"start": "2026-12-01", "end": "2026-12-25"}, follow=True,
        )  # fmt: skip
    assert "已经结束" in response.content.decode()
    assert Approval.objects.count() == 0


def test_an_impossible_day_is_a_bad_request(client, mob, served):
    admin = _as(client, mob.unit_admin)
    approve = reverse("recognition:approve", args=[mob.unit.pk])
    assert admin.post(approve, {"start": "2026-02-30", "end": "2026-03-01"}).status_code == 400
    unit = reverse("recognition:unit", args=[mob.unit.pk])
    assert admin.get(unit + "?start=2026-13-01").status_code == 400
    assert Approval.objects.count() == 0
