"""Bulk unmasked export: requested with a reason, approved by a second person who may
export the same area, built in the background, encrypted, watermarked, downloaded by
the requester only, erased when it expires.

Actors: the community secretary (manager) asks; the street office (street) or the
district command approves; the community worker (lower) sees the community but may not
export; the sibling community's secretary (outsider) does not see it at all."""

import io
from datetime import datetime, timedelta
from io import StringIO
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from stdnum.cn.ric import calc_check_digit

from jijie.accounts.models import RoleAssignment, User
from jijie.accounts.services import role_assign, role_revoke
from jijie.accounts.testing import step_up
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.core import pii
from jijie.residents import export_requests
from jijie.residents.export_requests import (
    export_download,
    export_purge,
    export_request_approve,
    export_request_create,
    export_request_decline,
)
from jijie.residents.models import ExportRequest, ExportStatus
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)

BODY = "44160219850607891"
ID = BODY + calc_check_digit(BODY + "0")
PHONE = "13922334455"
REASON = "区指挥部核酸检测组要求报送名单,用于上门采样"
NOW = timezone.make_aware(datetime(2026, 3, 2, 9, 0, 0))


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def person(tree):
    household = do_household_register(
        actor=SYSTEM, building=tree.building, door_number='=HYPERLINK("x")'
    )
    return do_person_add(
        actor=SYSTEM,
        household=household,
        data=PersonData(
            name="+孙悟空", document_number=ID, phone=PHONE, relation="head", register_place="@A1"
        ),
    ).person


@pytest.fixture
def requested(tree, actors, person, clock):
    actors.manager.full_name = "李书记"
    actors.manager.save()
    return export_request_create(actor=actors.manager, area=tree.community, reason=REASON)


@pytest.fixture
def approved(requested, actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return export_request_approve(actor=actors.street, export=requested)


def _actions():
    events = AuditEvent.objects.filter(action__startswith="registry.export").order_by("seq")
    return list(events.values_list("action", flat=True))


# The request


def test_a_request_needs_a_reason(tree, actors, person):
    with pytest.raises(ValidationError) as info:
        export_request_create(actor=actors.manager, area=tree.community, reason="  要用  ")
    assert "reason" in info.value.message_dict
    assert not ExportRequest.objects.exists()
    assert _actions() == []


@pytest.mark.parametrize(("who", "error"), [("lower", PermissionDenied), ("outsider", Http404)])
def test_only_those_who_may_export_there_ask(tree, actors, who, error):
    with pytest.raises(error):
        export_request_create(actor=getattr(actors, who), area=tree.community, reason=REASON)
    assert not ExportRequest.objects.exists()


def test_a_request_is_audited_with_its_reason(requested, tree, actors):
    assert requested.status == ExportStatus.REQUESTED
    assert requested.expires_at == NOW + timedelta(hours=24)
    event = AuditEvent.objects.get(action="registry.export.request")
    assert event.actor == actors.manager
    assert event.reason == REASON
    assert event.area_path == tree.community.path


# The decision


def test_nobody_approves_their_own_request(requested, actors):
    with pytest.raises(ValidationError, match="不能审批自己的申请"):
        export_request_approve(actor=actors.manager, export=requested)
    with pytest.raises(ValidationError):
        export_request_decline(actor=actors.manager, export=requested)
    requested.refresh_from_db()
    assert requested.status == ExportStatus.REQUESTED
    assert requested.approver is None


def test_the_database_refuses_a_self_approval_too(requested, actors):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportRequest.objects.filter(pk=requested.pk).update(approver=actors.manager)


@pytest.mark.parametrize(
    ("who", "error"),
    [("lower", PermissionDenied), ("outsider", Http404), ("guard", PermissionDenied)],
)
def test_approval_out_of_scope_or_too_low_is_refused(requested, actors, who, error):
    with pytest.raises(error):
        export_request_approve(actor=getattr(actors, who), export=requested)
    requested.refresh_from_db()
    assert requested.status == ExportStatus.REQUESTED
    assert "registry.export.approve" not in _actions()


@pytest.mark.parametrize("who", ["street", "command"])
def test_a_second_person_over_the_area_approves(
    requested, actors, who, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request_approve(actor=getattr(actors, who), export=requested)
    assert export.status == ExportStatus.APPROVED
    assert export.approver == getattr(actors, who)
    assert export.decided_at == NOW
    assert export.expires_at == NOW + timedelta(hours=24)
    export.refresh_from_db()
    assert export.built_at is not None
    assert export.rows == 1


# The second person is another person ----------------------------------------------------


def _secretary(username, granter, area):
    someone = User.objects.create_user(username=username, password="a-long-test-password")
    role_assign(actor=granter, user=someone, role=Role.COMMUNITY_SECRETARY, area=area)
    return someone


@pytest.fixture
def street_asks(tree, actors, person, clock):
    """The street office asks for the community's full ledger."""
    return export_request_create(actor=actors.street, area=tree.community, reason=REASON)


def test_an_approver_whose_role_the_requester_gave_cannot_approve(street_asks, actors, tree):
    # given a secretary's account the street office opened in its own street
    puppet = _secretary("puppet", actors.street, tree.community)
    # then that account cannot approve the street office's request
    with pytest.raises(ValidationError, match="由申请人"):
        export_request_approve(actor=puppet, export=street_asks)
    # while a secretary nobody in the chain appointed can
    assert ExportRequest.objects.get().status == ExportStatus.REQUESTED
    assert export_request_approve(actor=actors.manager, export=street_asks).approver == (
        actors.manager
    )


@pytest.fixture
def command_asks(tree, actors, person, clock):
    """The district command asks for the community's full ledger."""
    return export_request_create(actor=actors.command, area=tree.community, reason=REASON)


def _deputy(actors, tree):
    """A street office the command appointed."""
    deputy = User.objects.create_user(username="deputy", password="a-long-test-password")
    role_assign(actor=actors.command, user=deputy, role=Role.STREET_OFFICE, area=tree.street)
    return deputy


def test_an_approver_appointed_lately_through_the_requesters_appointee_cannot_approve(
    command_asks, actors, tree
):
    # given a secretary's account opened by a street office the command appointed
    deputy = _deputy(actors, tree)
    puppet = _secretary("puppet", deputy, tree.community)
    # and the deputy's own role taken away since (the audit log remembers the grant)
    role_revoke(actor=actors.command, assignment=RoleAssignment.objects.get(user=deputy))
    # then the secretary cannot approve the command's request
    with pytest.raises(ValidationError, match="由申请人"):
        export_request_approve(actor=puppet, export=command_asks)


def test_a_role_given_long_ago_by_an_appointee_no_longer_counts(tree, actors, person, clock):
    colleague = _secretary("colleague", _deputy(actors, tree), tree.community)
    clock.shift(timedelta(days=export_requests.appointment_days() + 1))
    asked = export_request_create(actor=actors.command, area=tree.community, reason=REASON)
    assert export_request_approve(actor=colleague, export=asked).approver == colleague


def test_a_request_is_decided_once(approved, actors):
    with pytest.raises(ValidationError, match="已经审批过"):
        export_request_decline(actor=actors.command, export=approved)
    with pytest.raises(ValidationError):
        export_request_approve(actor=actors.command, export=approved)
    assert _actions() == ["registry.export.request", "registry.export.approve"]


def test_an_undecided_request_runs_out(requested, actors, clock, settings):
    clock.shift(timedelta(hours=settings.EXPORT_EXPIRY_HOURS, seconds=1))
    with pytest.raises(ValidationError, match="已过期"):
        export_request_approve(actor=actors.street, export=requested)


def test_a_decline_keeps_its_note_and_allows_no_download(requested, actors):
    export_request_decline(actor=actors.street, export=requested, note="用途不明确")
    requested.refresh_from_db()
    assert requested.status == ExportStatus.DECLINED
    event = AuditEvent.objects.get(action="registry.export.decline")
    assert event.reason == "用途不明确"
    with pytest.raises(ValidationError, match="已被拒绝"):
        export_download(actor=actors.manager, export=requested)


# The file


def _workbook(data):
    return load_workbook(io.BytesIO(data))


def test_the_file_is_encrypted_unmasked_and_watermarked(approved, actors, tree):
    approved.refresh_from_db()
    assert approved.file_cipher is not None
    stored = bytes(approved.file_cipher)
    assert stored[:2] != b"PK"  # not the .xlsx (a zip) itself, its ciphertext
    assert pii.decrypt_bytes(stored)[:2] == b"PK"
    book = _workbook(export_download(actor=actors.manager, export=approved))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    watermark = f"李书记 专用 · 审批编号 {approved.pk} · 2026-03-02 批准 · 严禁转发"
    assert rows[0][0] == watermark  # the first title row
    assert rows[1][0].startswith("新港路社区 住户台账")
    header, row = rows[2], rows[3]
    assert header[11] == "证件号码"
    assert row[11] == ID
    assert row[12] == PHONE
    assert sheet.cell(row=4, column=12).data_type == "s"  # the ID stays text
    assert row[5] == '\'=HYPERLINK("x")'  # formula-looking cells stay inert
    assert row[7] == "'+孙悟空"
    assert row[13] == "'@A1"
    # on every printed page, and in the document's properties
    assert watermark in sheet.oddHeader.center.text
    assert watermark in sheet.oddFooter.center.text
    assert sheet.print_title_rows == "$1:$3"
    assert book.properties.description == watermark
    assert book.properties.keywords == f"approval-{approved.pk}"


def test_the_masked_ledger_stays_masked(client, person, actors, tree):
    client.force_login(actors.manager)
    response = client.get(reverse("residents:export"), {"area": tree.community.code})
    book = _workbook(b"".join(response.streaming_content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[2][11] == pii.mask("id", ID)
    assert not book.active.oddHeader.center.text
    assert book.properties.description is None


def test_a_long_ledger_continues_on_a_second_sheet(approved, actors, tree, monkeypatch):
    from jijie.residents import exports

    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="2")
    do_person_add(actor=SYSTEM, household=household, data=PersonData(name="猪八戒"))
    monkeypatch.setattr(exports, "SHEET_ROWS", 1)
    buffer = io.BytesIO()
    mark = exports.Watermark(holder="李书记", approval=approved.pk, approved_on=NOW.date())
    assert exports.write_ledger(area=tree.community, target=buffer, unmasked_for=mark) == 2
    book = _workbook(buffer.getvalue())
    assert book.sheetnames == ["住户台账", "住户台账 2"]
    second = list(book["住户台账 2"].iter_rows(values_only=True))
    assert second[0][0] == mark.text()
    assert second[3][0] == 2


# The download


def test_the_requester_downloads_until_it_expires(approved, actors, clock, settings):
    export_download(actor=actors.manager, export=approved)
    export_download(actor=actors.manager, export=approved)
    approved.refresh_from_db()
    assert approved.status == ExportStatus.DOWNLOADED
    assert approved.download_count == 2
    downloads = AuditEvent.objects.filter(action="registry.export.download").order_by("seq")
    assert [e.data["download"] for e in downloads] == [1, 2]
    clock.shift(timedelta(hours=settings.EXPORT_EXPIRY_HOURS, seconds=1))
    with pytest.raises(ValidationError, match="下载期限已过"):
        export_download(actor=actors.manager, export=approved)


def test_download_before_approval_is_refused(requested, actors):
    with pytest.raises(ValidationError, match="还没有批准"):
        export_download(actor=actors.manager, export=requested)
    assert "registry.export.download" not in _actions()


def test_download_before_the_file_is_built_is_refused(requested, actors):
    export = export_request_approve(actor=actors.street, export=requested)  # task not run
    with pytest.raises(ValidationError, match="正在生成"):
        export_download(actor=actors.manager, export=export)


@pytest.mark.parametrize("who", ["street", "command", "lower", "outsider"])
def test_only_the_requester_downloads(approved, actors, who):
    with pytest.raises(PermissionDenied):
        export_download(actor=getattr(actors, who), export=approved)
    assert "registry.export.download" not in _actions()


# Expiry


def test_purge_erases_what_ran_out(approved, requested, tree, actors, clock, settings):
    fresh = export_request_create(actor=actors.street, area=tree.street, reason=REASON)
    clock.shift(timedelta(hours=settings.EXPORT_EXPIRY_HOURS, seconds=1))
    fresh.expires_at = timezone.now() + timedelta(hours=1)
    fresh.save(update_fields=["expires_at"])
    out = StringIO()
    call_command("export_purge", stdout=out)
    assert "expired 1 " in out.getvalue()
    approved.refresh_from_db()
    assert approved.status == ExportStatus.EXPIRED
    assert approved.file_cipher is None
    fresh.refresh_from_db()
    assert fresh.status == ExportStatus.REQUESTED  # still in time
    event = AuditEvent.objects.get(action="registry.export.expire")
    assert event.actor is None
    assert event.data["was"] == "approved"
    assert export_purge() == 0  # nothing left to do


def test_every_step_is_audited(approved, actors):
    export_download(actor=actors.manager, export=approved)
    assert _actions() == [
        "registry.export.request",
        "registry.export.approve",
        "registry.export.download",
    ]


# Pages: every page and endpoint with the three actors, and the step-up before each step.


def _url(name, export=None):
    return reverse(f"residents:{name}", args=[export.pk] if export else [])


@pytest.mark.parametrize(("who", "status"), [("manager", 200), ("lower", 403), ("outsider", 404)])
def test_request_page_three_actors(client, tree, actors, person, who, status):
    step_up(client, getattr(actors, who))
    response = client.get(_url("export_request_new"), {"area": tree.community.code})
    assert response.status_code == status


def test_request_page_asks_for_a_code_then_files_the_request(client, tree, actors, person):
    client.force_login(actors.manager)
    url = _url("export_request_new") + "?" + urlencode({"area": tree.community.code})
    response = client.post(url, {"reason": REASON})
    assert response["Location"] == reverse("accounts:mfa_verify") + "?" + urlencode({"next": url})
    assert not ExportRequest.objects.exists()
    step_up(client, actors.manager)
    assert "至少 10 个字" in client.post(url, {"reason": "要用"}).content.decode()
    response = client.post(url, {"reason": REASON})
    export = ExportRequest.objects.get()
    assert response["Location"] == _url("export_request", export)
    assert export.area == tree.community


@pytest.mark.parametrize(
    ("who", "listed"), [("street", True), ("command", True), ("outsider", False)]
)
def test_list_shows_what_each_may_decide(client, requested, actors, who, listed):
    client.force_login(getattr(actors, who))
    page = client.get(_url("export_requests")).content.decode()
    assert (_url("export_request", requested) in page) == listed


def test_list_three_actors(client, requested, actors):
    client.force_login(actors.manager)  # their own request, under "mine"
    assert _url("export_request", requested) in client.get(_url("export_requests")).content.decode()
    client.force_login(actors.lower)
    assert client.get(_url("export_requests")).status_code == 403
    client.force_login(actors.outsider)
    assert (
        _url("export_request", requested)
        not in client.get(_url("export_requests")).content.decode()
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 200), ("street", 200), ("lower", 403), ("guard", 403), ("outsider", 404)],
)
def test_detail_three_actors(client, requested, actors, who, status):
    client.force_login(getattr(actors, who))
    assert client.get(_url("export_request", requested)).status_code == status


def test_detail_offers_the_decision_to_others_only(client, requested, actors):
    client.force_login(actors.manager)
    assert 'value="approve"' not in client.get(_url("export_request", requested)).content.decode()
    client.force_login(actors.street)
    assert 'value="approve"' in client.get(_url("export_request", requested)).content.decode()


@pytest.mark.parametrize(
    ("who", "status", "result"),
    [
        ("street", 302, ExportStatus.APPROVED),
        ("manager", 302, ExportStatus.REQUESTED),  # their own: refused with a message
        ("lower", 403, ExportStatus.REQUESTED),
        ("outsider", 404, ExportStatus.REQUESTED),
    ],
)
def test_decide_three_actors(
    client, requested, actors, who, status, result, django_capture_on_commit_callbacks
):
    step_up(client, getattr(actors, who))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("export_request_decide", requested), {"decision": "approve"})
    assert response.status_code == status
    requested.refresh_from_db()
    assert requested.status == result


def test_own_approval_is_refused_with_a_message(client, requested, actors):
    step_up(client, actors.manager)
    response = client.post(
        _url("export_request_decide", requested), {"decision": "approve"}, follow=True
    )
    assert "不能审批自己的申请" in response.content.decode()


def test_deciding_asks_for_a_code_first(client, requested, actors):
    client.force_login(actors.street)
    response = client.post(_url("export_request_decide", requested), {"decision": "decline"})
    back = _url("export_request", requested)
    assert response["Location"] == reverse("accounts:mfa_verify") + "?" + urlencode({"next": back})
    requested.refresh_from_db()
    assert requested.status == ExportStatus.REQUESTED


def test_decline_page(client, requested, actors):
    step_up(client, actors.street)
    client.post(
        _url("export_request_decide", requested), {"decision": "decline", "note": "请按网格申请"}
    )
    requested.refresh_from_db()
    assert requested.status == ExportStatus.DECLINED
    assert requested.decision_note == "请按网格申请"


def test_the_page_follows_the_build(client, requested, actors):
    export_request_approve(actor=actors.street, export=requested)  # not built yet
    client.force_login(actors.manager)
    page = client.get(_url("export_request", requested)).content.decode()
    assert "hx-get" in page
    assert "download" not in page
    export_requests.export_build.call(requested.pk)
    partial = client.get(_url("export_request", requested), headers={"HX-Request": "true"})
    assert "hx-get" not in partial.content.decode()
    assert 'data-testid="download"' in partial.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 200), ("street", 403), ("lower", 403), ("outsider", 404)],
)
def test_download_three_actors(client, approved, actors, who, status):
    step_up(client, getattr(actors, who))
    response = client.post(_url("export_request_download", approved))
    assert response.status_code == status
    if status == 200:
        assert (
            f"ledger-full-{approved.area.code}-{approved.pk}.xlsx"
            in response["Content-Disposition"]
        )
        assert "no-store" in response["Cache-Control"]
        assert _workbook(response.content).active.cell(row=4, column=12).value == ID
    else:
        assert ID.encode() not in response.content


def test_download_asks_for_a_code_first(client, approved, actors):
    client.force_login(actors.manager)
    response = client.post(_url("export_request_download", approved))
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    assert "registry.export.download" not in _actions()


def test_download_before_approval_shows_why(client, requested, actors):
    step_up(client, actors.manager)
    response = client.post(_url("export_request_download", requested), follow=True)
    assert "还没有批准" in response.content.decode()


def test_an_expired_request_is_erased_when_opened(client, approved, actors, clock, settings):
    clock.shift(timedelta(hours=settings.EXPORT_EXPIRY_HOURS, seconds=1))
    step_up(client, actors.manager)
    response = client.post(_url("export_request_download", approved), follow=True)
    assert "下载期限已过" in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == ExportStatus.EXPIRED
    assert approved.file_cipher is None
    assert "registry.export.expire" in _actions()


def test_the_household_list_offers_the_request(client, person, actors):
    client.force_login(actors.manager)
    assert _url("export_request_new") in client.get(reverse("residents:list")).content.decode()
    client.force_login(actors.lower)
    assert _url("export_request_new") not in client.get(reverse("residents:list")).content.decode()
