"""Import pages: upload, background check, confirm, background import; scoped to the
uploader and the registry keepers of the area."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from jijie.audit.models import AuditEvent
from jijie.residents.imports.commit import import_ledger
from jijie.residents.imports.jobs import import_check, import_purge
from jijie.residents.models import ImportJob, ImportStatus, Person
from jijie.residents.tests.fixtures import GOOD, ID1, ledger

CSV = ("姓名,身份证号,手机号码,楼栋,门牌号\n王小明," + ID1 + ",13800138000,1栋,502\n").encode()


def _upload(client, area_code, data, name="台账.xlsx"):
    return client.post(
        reverse("residents:import_new"),
        {"area_code": area_code, "file": SimpleUploadedFile(name, data)},
    )


def test_upload_check_confirm_import(client, tree, actors, django_capture_on_commit_callbacks):
    client.force_login(actors.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, tree.grid.code, ledger(GOOD))
    job = ImportJob.objects.get()
    assert response.url == reverse("residents:import_detail", args=[job.pk])
    assert job.status == ImportStatus.CHECKED
    page = client.get(response.url).content.decode()
    assert "确认导入" in page
    assert not Person.objects.exists()  # checked, not imported
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("residents:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.file_cipher is None  # the file is erased once imported
    assert Person.objects.count() == 3
    assert job.report["summary"]["people_new"] == 3


def test_the_stored_upload_is_encrypted(client, tree, actors):
    client.force_login(actors.manager)
    _upload(client, tree.grid.code, CSV, name="a.csv")
    job = ImportJob.objects.get()
    assert job.file_cipher is not None
    assert ID1.encode() not in bytes(job.file_cipher)


def test_errors_are_listed_and_can_be_skipped(
    client, tree, actors, django_capture_on_commit_callbacks
):
    client.force_login(actors.manager)
    bad = [*GOOD, ("坏行", "123", "身份证", "", "1栋", "999", "户主")]
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, tree.grid.code, ledger(bad))
    page = client.get(response.url).content.decode()
    assert "import-errors" in page
    assert "跳过 1 行有错误的行" in page
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("residents:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "有错误" in job.message
    assert not Person.objects.exists()


def test_a_refused_file_says_why_and_is_erased(
    client, tree, actors, django_capture_on_commit_callbacks
):
    client.force_login(actors.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, tree.grid.code, b"%PDF-1.4 x", name="scan.pdf")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REFUSED
    assert job.file_cipher is None
    assert "不是表格" in client.get(response.url).content.decode()


def test_progress_fragment_for_htmx(client, tree, actors):
    client.force_login(actors.manager)
    _upload(client, tree.grid.code, CSV, name="a.csv")  # on_commit not run: still checking
    job = ImportJob.objects.get()
    fragment = client.get(
        reverse("residents:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment


@pytest.mark.parametrize(("who", "status"), [("guard", 403), ("member", 403)])
def test_upload_page_for_roles_that_cannot_import(client, tree, actors, who, status):
    client.force_login(getattr(actors, who))
    assert client.get(reverse("residents:import_new")).status_code == status


def test_outsider_cannot_import_into_our_area_nor_see_our_jobs(client, tree, actors):
    client.force_login(actors.manager)
    _upload(client, tree.grid.code, CSV, name="a.csv")
    job = ImportJob.objects.get()
    client.force_login(actors.outsider)
    response = _upload(client, tree.grid.code, CSV, name="b.csv")
    assert "管辖范围" in response.content.decode()
    assert ImportJob.objects.count() == 1
    assert client.get(reverse("residents:import_detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("residents:import_confirm", args=[job.pk])).status_code == 404
    client.force_login(actors.lower)  # a colleague in the same community: not their upload
    assert client.get(reverse("residents:import_detail", args=[job.pk])).status_code == 404


NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _job(tree, actors, *, status, hours_ago, with_file=True):
    from jijie.core import pii

    return ImportJob.objects.create(
        requested_by=actors.manager,
        area=tree.grid,
        filename="台账.csv",
        file_cipher=pii.encrypt_bytes(CSV) if with_file else None,
        status=status,
        stepped_at=NOW - timedelta(hours=hours_ago),
    )


@pytest.mark.parametrize(
    ("status", "hours_ago", "after", "erased"),
    [
        (ImportStatus.CHECKED, 5, ImportStatus.EXPIRED, True),  # never confirmed
        (ImportStatus.CHECKED, 3, ImportStatus.CHECKED, False),  # still in time
        (ImportStatus.FAILED, 5, ImportStatus.FAILED, True),  # a failed import's file
        (ImportStatus.CHECKING, 3, ImportStatus.FAILED, True),  # stuck checking
        (ImportStatus.IMPORTING, 3, ImportStatus.FAILED, True),  # stuck importing
        (ImportStatus.CHECKING, 1, ImportStatus.CHECKING, False),  # still working
    ],
)
def test_the_purge_erases_idle_files_and_fails_stuck_jobs(
    tree, actors, settings, status, hours_ago, after, erased
):
    settings.REGISTRY_IMPORT_FILE_HOURS = 4
    settings.REGISTRY_IMPORT_STUCK_HOURS = 2
    job = _job(tree, actors, status=status, hours_ago=hours_ago)
    import_purge(now=NOW)
    job.refresh_from_db()
    assert job.status == after
    assert (job.file_cipher is None) == erased
    if after != status:
        assert "小时" in job.message
    assert AuditEvent.objects.filter(action="registry.import.purge").count() == int(erased)
    import_purge(now=NOW)  # again: nothing more to do
    assert AuditEvent.objects.filter(action="registry.import.purge").count() == int(erased)


def test_an_expired_check_cannot_be_confirmed(client, tree, actors, settings):
    job = _job(tree, actors, status=ImportStatus.CHECKED, hours_ago=5)
    import_purge(now=NOW)
    client.force_login(actors.manager)
    client.post(reverse("residents:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.EXPIRED
    page = client.get(reverse("residents:import_detail", args=[job.pk])).content.decode()
    assert "重新上传" in page


def test_a_check_that_ends_after_it_was_failed_as_stuck_stays_failed(tree, actors):
    job = _job(tree, actors, status=ImportStatus.CHECKING, hours_ago=3)
    import_purge(now=NOW)
    import_check.call(job.pk)  # the queue delivers it late
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED


def test_the_purge_command(tree, actors):
    job = _job(tree, actors, status=ImportStatus.CHECKED, hours_ago=5)
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("import_purge", stdout=out)
    assert "erased 1" in out.getvalue()
    job.refresh_from_db()
    assert job.file_cipher is None


def test_the_button_says_how_many_rows_it_imports_and_skips(
    client, tree, actors, django_capture_on_commit_callbacks
):
    client.force_login(actors.manager)
    bad = [*GOOD, ("坏行", "123", "身份证", "", "1栋", "999", "户主")]
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, tree.grid.code, ledger(bad))
    page = client.get(response.url).content.decode()
    assert "确认导入 3 行,跳过 1 行有错误的行" in page
    assert 'name="skip_invalid" value="on"' in page
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("residents:import_confirm", args=[job.pk]), {"skip_invalid": "on"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Person.objects.count() == 3


def test_a_file_whose_every_row_has_errors_cannot_be_confirmed(
    client, tree, actors, django_capture_on_commit_callbacks
):
    client.force_login(actors.manager)
    bad = [("坏行", "123", "身份证", "", "1栋", "999", "户主"), ("", ID1, "身份证", "", "", "", "")]
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, tree.grid.code, ledger(bad))
    page = client.get(response.url).content.decode()
    assert "import-confirm" not in page
    assert "import-nothing" in page
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("residents:import_confirm", args=[job.pk]), {"skip_invalid": "on"}, follow=True
        )
    assert "没有可以导入的行" in answer.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert not Person.objects.exists()


def test_the_import_page_offers_a_template_that_imports(client, tree, actors):
    client.force_login(actors.manager)
    page = client.get(reverse("residents:import_new")).content.decode()
    assert "import-template" in page
    assert "必填" in page
    assert "人员类别" in page
    assert "备注" in page
    response = client.get(reverse("residents:import_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["姓名", "证件类型"]
    assert "必填" in [c.value for c in workbook.worksheets[1][1]]
    # filled in as a community would, it imports with no column ignored
    sheet.append(["王小明", "居民身份证", ID1, "13800138000", "1栋", "502", "户主", "男",
                  "广东河源", "流动人口", "出租屋", "新租户"])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=buffer.getvalue(), commit=True)
    assert plan.errors == plan.warnings == []
    assert all(c["field"] for c in plan.columns)
    person = Person.objects.get()
    assert (person.resident_type, person.note, person.register_place) == (
        "floating",
        "新租户",
        "广东河源",
    )
    assert person.household.kind == "rental"


@pytest.mark.parametrize(("who", "status"), [("guard", 403), ("member", 403)])
def test_the_template_is_for_those_who_import(client, tree, actors, who, status):
    client.force_login(getattr(actors, who))
    assert client.get(reverse("residents:import_template")).status_code == status
