"""Sealed tubes handed over at a site and received at the lab: all of a batch or none,
never a tube unsealed, of another site or sent twice, never received before it left;
through the sampler's page and the round's page, by those who may."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from jijie.testing import services
from jijie.testing.models import Batch, Tube
from jijie.testing.tests.conftest import NOW, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def tubes(site, people, actors):
    """AB-0001 sealed early with two people, AB-0002 still open with one."""
    for person in people[:2]:
        services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0001", person=person, now=NOW
        )
    services.tube_seal(actor=actors.grid_worker, tube=Tube.objects.get(barcode="AB-0001"), now=NOW)
    services.sample_register(
        actor=actors.grid_worker, site=site, barcode="AB-0002", person=people[2], now=NOW
    )
    return Tube.objects.order_by("barcode")


def test_a_batch_takes_sealed_tubes_of_its_site_once(site, tubes, actors, round_, tree):
    with pytest.raises(ValidationError) as refused:
        services.batch_send(
            actor=actors.grid_worker, site=site, barcodes=["AB-0001", "AB-0002", "AB-0404"],
            carrier="李师傅", now=at(11),
        )  # fmt: skip
    said = " ".join(refused.value.messages)
    assert "AB-0002 还没有封管" in said
    assert "AB-0404 不是本采样点的" in said
    assert not Batch.objects.exists()
    assert not Tube.objects.filter(batch__isnull=False).exists()  # none of them
    batch = services.batch_send(
        actor=actors.grid_worker, site=site, barcodes=["ab-0001"], carrier="李师傅", now=at(11)
    )
    assert list(batch.tubes.values_list("barcode", flat=True)) == ["AB-0001"]
    with pytest.raises(ValidationError, match="AB-0001 已送出"):
        services.batch_send(
            actor=actors.grid_worker, site=site, barcodes=["AB-0001"], carrier="李", now=at(12)
        )
    other = services.site_add(
        actor=actors.manager, round=round_, area=tree.grid,
        data=services.SiteData("第二采样点", "", 1, time(7), time(19)),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="不是本采样点的"):
        services.batch_send(
            actor=actors.grid_worker, site=other, barcodes=["AB-0001"], carrier="李", now=at(12)
        )
    with pytest.raises(ValidationError):
        services.batch_send(actor=actors.grid_worker, site=site, barcodes=[], carrier="李")


def test_a_batch_is_never_received_before_it_left(site, tubes, actors):
    batch = services.batch_send(
        actor=actors.grid_worker, site=site, barcodes=["AB-0001"], carrier="李师傅", now=at(11)
    )
    with pytest.raises(ValidationError, match="早于送出时间"):
        services.batch_receive(
            actor=actors.manager, batch=batch, received_at=at(10, 59), now=at(13)
        )
    with pytest.raises(ValidationError, match="晚于现在"):
        services.batch_receive(actor=actors.manager, batch=batch, received_at=at(15), now=at(13))
    done = services.batch_receive(
        actor=actors.manager, batch=batch, received_at=at(12, 10), now=at(13)
    )
    assert done.received_at == at(12, 10)
    again = services.batch_receive(
        actor=actors.manager, batch=batch, received_at=at(12, 10), now=at(13)
    )
    assert again.received_at == at(12, 10)
    with pytest.raises(ValidationError, match="其他时间"):
        services.batch_receive(
            actor=actors.manager, batch=batch, received_at=at(12, 20), now=at(13)
        )
    # the table itself refuses a receipt before the batch left
    with pytest.raises(IntegrityError), transaction.atomic():
        Batch.objects.filter(pk=batch.pk).update(received_at=at(9))


def test_only_the_sites_samplers_send_and_the_rounds_office_receives(site, tubes, actors):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(Http404):  # out of scope: as if there were no such site
        services.batch_send(
            actor=actors.outsider, site=site, barcodes=["AB-0001"], carrier="李", now=at(11)
        )
    batch = services.batch_send(
        actor=actors.grid_worker, site=site, barcodes=["AB-0001"], carrier="李", now=at(11)
    )
    with pytest.raises((PermissionDenied, Http404)):
        services.batch_receive(
            actor=actors.grid_worker, batch=batch, received_at=at(12), now=at(13)
        )


def test_through_the_pages(client, site, tubes, actors, round_):
    import time_machine

    with time_machine.travel(at(11), tick=False):
        client.force_login(actors.grid_worker)
        page = reverse("testing:sample", args=[site.pk])
        assert "送检交接:1 管已封管待送" in client.get(page).content.decode()
        shown = client.get(reverse("testing:batch_send", args=[site.pk])).content.decode()
        assert "AB-0001 · 2/10" in shown
        assert "AB-0002" not in shown.split('data-testid="batch-form"')[1]  # not sealed
        # the site has no carrying post: the carrier's name is written
        assert 'name="member"' not in shown
        answer = client.post(
            reverse("testing:batch_send", args=[site.pk]),
            {"tubes": ["AB-0001"], "carrier": "李师傅"},
            follow=True,
        )
        assert "已交 李师傅 送检 1 管" in answer.content.decode()
        batch = Batch.objects.get()
        receive = reverse("testing:batch_receive", args=[batch.pk])
        assert client.post(receive, {"received_at": "2026-03-10T10:30"}).status_code in (403, 404)
        client.force_login(actors.outsider)
        assert client.post(receive, {"received_at": "2026-03-10T10:30"}).status_code == 404
        client.force_login(actors.manager)
        shown = client.get(reverse("testing:round", args=[round_.pk])).content.decode()
        assert "李师傅" in shown
        assert 'data-testid="receive-form"' in shown
        answer = client.post(receive, {"received_at": "2026-03-10T10:30"}, follow=True)
        assert "早于送出时间" in answer.content.decode()
        client.post(receive, {"received_at": "2026-03-10T11:02"})
        batch.refresh_from_db()
        assert batch.received_at == at(11, 2)
