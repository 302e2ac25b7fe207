"""The testing pages with three actors and more: the round's office, a worker of one of
its grids, the sibling community's secretary and the street; a round opened, the lab's
file imported and a positive tube isolated through the pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jijie.care.models import IsolationCase
from jijie.testing import services
from jijie.testing.models import Round, Tube, TubeResult
from jijie.testing.tests.conftest import DAY, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(site, people, actors):
    for person in people[:3]:
        services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0001", person=person, now=NOW
        )
    return Tube.objects.get()


def test_the_round_and_its_coverage_are_seen_where_the_user_works(
    client, round_, filled, actors, tree
):
    page = reverse("testing:round", args=[round_.pk])
    client.force_login(actors.manager)
    shown = client.get(page).content.decode()
    assert "新港路社区 检测进度" in shown
    assert "第01网格" in shown
    client.force_login(actors.grid_worker)  # sees its grid's buildings, not the community
    shown = client.get(page).content.decode()
    assert "第01网格 检测进度" in shown
    assert "1栋" in shown
    assert client.get(page, {"area": tree.community.code}).status_code == 404
    client.force_login(actors.outsider)
    assert client.get(page).status_code == 404
    assert client.get(reverse("testing:tube", args=[filled.pk])).status_code == 404
    client.force_login(actors.street)
    assert "新港路社区" in client.get(reverse("testing:index")).content.decode()
    client.force_login(actors.nobody)
    assert client.get(reverse("testing:index")).status_code == 403


def test_an_office_opens_a_round_from_the_page(client, round_, actors, tree):
    client.force_login(actors.street)
    answer = client.post(
        reverse("testing:round_new"),
        {"area": tree.street.code, "name": "源西街道第二轮", "starts_on": DAY,
         "ends_on": DAY, "tube_size": 10},
    )  # fmt: skip
    made = Round.objects.get(name="源西街道第二轮")
    assert answer.url == reverse("testing:round", args=[made.pk])
    assert made.area == tree.street
    client.force_login(actors.grid_worker)
    assert client.get(reverse("testing:round_new")).status_code == 403


def test_the_lab_file_and_the_isolation_through_the_pages(client, round_, filled, actors, people):
    client.force_login(actors.manager)
    data = "样本编号,检测结果\nAB-0001,阳性\n".encode()
    client.post(
        reverse("testing:results_import", args=[round_.pk]),
        {"file": SimpleUploadedFile("结果.csv", data, content_type="text/csv")},
    )
    filled.refresh_from_db()
    assert filled.result == TubeResult.POSITIVE
    shown = client.get(reverse("testing:round", args=[round_.pk])).content.decode()
    assert "AB-0001" in shown
    page = reverse("testing:tube", args=[filled.pk])
    assert "转居家隔离" in client.get(page).content.decode()
    # the grid worker reads the tube but does not isolate
    client.force_login(actors.grid_worker)
    shown = client.get(page).content.decode()
    assert people[0].name in shown
    assert "isolate-form" not in shown
    assert client.post(page, {"days": 14, "supervisor": "x"}).status_code == 403
    client.force_login(actors.manager)
    answer = client.post(page, {"days": 14, "supervisor": f"u{actors.grid_worker.pk}"})
    assert answer.status_code == 302
    assert IsolationCase.objects.count() == 3
    assert "isolate-form" not in client.get(page).content.decode()  # no one left to isolate


def test_a_walk_in_from_elsewhere_is_named_only_to_those_who_see_their_home(
    client, site, filled, actors, people
):
    neighbour = people[12]  # lives in the sibling community, sampled at this site
    services.sample_register(
        actor=actors.grid_worker, site=site, barcode="AB-0001", person=neighbour, now=NOW
    )
    page = reverse("testing:tube", args=[filled.pk])
    client.force_login(actors.manager)
    shown = client.get(page).content.decode()
    assert people[0].name in shown
    assert neighbour.name not in shown
    assert "901" not in shown
    assert "辖区外人员(新江三路社区)" in shown
    client.force_login(actors.street)  # the street sees both communities
    shown = client.get(page).content.decode()
    assert neighbour.name in shown
    assert "辖区外人员" not in shown


def test_a_bad_lab_file_says_which_rows(client, round_, filled, actors):
    client.force_login(actors.manager)
    data = "管码,结果\nAB-0001,阳性\nAB-0404,阴性\n".encode()
    answer = client.post(
        reverse("testing:results_import", args=[round_.pk]),
        {"file": SimpleUploadedFile("结果.csv", data, content_type="text/csv")},
        follow=True,
    )
    assert "第 3 行" in answer.content.decode()
    filled.refresh_from_db()
    assert filled.result == TubeResult.PENDING


def test_the_re_sweep_list_names_who_is_left_door_by_door(
    client, round_, site, people, actors, tree
):
    from jijie.testing.models import ExemptReason

    for person in people[:5]:
        services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0001", person=person, now=NOW
        )
    services.exemption_set(actor=actors.manager, round=round_, person=people[5], reason="away")
    services.exemption_set(
        actor=actors.manager, round=round_, person=people[6], reason=ExemptReason.BEDRIDDEN
    )
    page = reverse("testing:untested", args=[round_.pk])
    client.force_login(actors.grid_worker)
    shown = client.get(page, {"area": tree.building.code}).content.decode()
    listed = [p.name for p in people[:12] if f"<td>{p.name}</td>" in shown]
    assert listed == [p.name for p in people[6:12]]  # untested, the bedridden among them
    assert "卧床,上门采样" in shown
    assert "还有 6 人未检测" in shown
    assert people[12].name not in shown  # the sibling community's
    # the round's page links to it from a row's count
    assert (
        f"{page}?area={tree.building.code}"
        in client.get(reverse("testing:round", args=[round_.pk])).content.decode()
    )
    client.force_login(actors.outsider)
    assert client.get(page, {"area": tree.building.code}).status_code == 404
    client.force_login(actors.grid_worker)
    assert client.get(page, {"area": tree.sibling.code}).status_code == 404
