"""A masked ledger too large to write during a request (a street, a district) is written
in the background and fetched from its page by whoever asked: no reason, no approval,
no second factor (nothing in it is unmasked), and erased when it expires."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from stdnum.cn.ric import calc_check_digit

from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.residents import exports
from jijie.residents.models import ExportRequest, ExportStatus
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)

BODY = "44160219850607891"
ID = BODY + calc_check_digit(BODY + "0")


@pytest.fixture
def large(tree, monkeypatch):
    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="502")
    for name, number in (("王小明", ID), ("李小红", None)):
        do_person_add(
            actor=SYSTEM,
            household=household,
            data=PersonData(name=name, document_number=number or "", phone="13922334455"),
        )
    monkeypatch.setattr(exports, "EXPORT_ROW_LIMIT", 1)  # two people: "too many"


def _start(client, user, area, capture):
    client.force_login(user)
    with capture(execute=True):
        return client.get(reverse("residents:export") + f"?area={area.code}")


def test_a_large_area_is_written_in_the_background_and_downloaded_masked(
    client, tree, actors, large, django_capture_on_commit_callbacks
):
    response = _start(client, actors.lower, tree.community, django_capture_on_commit_callbacks)
    export = ExportRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("residents:export_request", args=[export.pk])
    assert (export.masked, export.status, export.rows) == (True, ExportStatus.APPROVED, 2)
    page = client.get(response.url)
    assert page.status_code == 200
    assert "脱敏" in page.content.decode()
    # No second factor needed: the community worker has none and needs none.
    download = client.post(reverse("residents:export_request_download", args=[export.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="ledger-441602')
    sheet = load_workbook(io.BytesIO(download.content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "441***********" + ID[-4:] in cells
    assert ID not in cells
    assert "139****4455" in cells
    actions = list(
        AuditEvent.objects.filter(action__startswith="registry.export")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["registry.export", "registry.export.download"]


def test_asking_again_returns_the_export_under_way(
    client, tree, actors, large, django_capture_on_commit_callbacks
):
    first = _start(client, actors.lower, tree.community, django_capture_on_commit_callbacks)
    again = _start(client, actors.lower, tree.community, django_capture_on_commit_callbacks)
    assert first.url == again.url
    assert ExportRequest.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("manager", 200), ("guard", 403), ("outsider", 404)])
def test_only_the_requester_downloads(
    client, tree, actors, large, django_capture_on_commit_callbacks, who, status
):
    """The secretary of the same community may open it (she may export there) but not
    download it; a gate guard's role may not export; the sibling's secretary never
    sees it."""
    _start(client, actors.lower, tree.community, django_capture_on_commit_callbacks)
    export = ExportRequest.objects.get()
    client.force_login(getattr(actors, who))
    assert client.get(reverse("residents:export_request", args=[export.pk])).status_code == status
    download = client.post(reverse("residents:export_request_download", args=[export.pk]))
    assert download.status_code in (403, 404)


def test_a_ledger_that_cannot_be_written_is_marked_failed(
    client, tree, actors, large, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_ledger", broken)
    response = _start(client, actors.lower, tree.community, django_capture_on_commit_callbacks)
    export = ExportRequest.objects.get()
    assert export.status == ExportStatus.FAILED
    assert "生成失败" in client.get(response.url).content.decode()
    download = client.post(
        reverse("residents:export_request_download", args=[export.pk]), follow=True
    )
    assert "生成失败" in download.content.decode()


def test_a_small_area_is_still_written_at_once(client, tree, actors):
    client.force_login(actors.lower)
    response = client.get(reverse("residents:export") + f"?area={tree.community.code}")
    assert response.status_code == 200
    assert not ExportRequest.objects.exists()
