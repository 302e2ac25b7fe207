"""A sampling site added from the round's page, staffed from the duty roster: its post
and its carriers' post are the community's own, and the round's page shows who is on
shift there now. A post of another community, or one that has ended, is refused."""

from __future__ import annotations

from datetime import time

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.duty import services as duty
from jijie.duty.models import DemandStatus
from jijie.duty.tests.fixtures import demand, resident, shifts
from jijie.testing import services
from jijie.testing.models import Batch, Site, Tube
from jijie.testing.tests.conftest import DAY, NOW, at

pytestmark = pytest.mark.django_db


def _form(tree, **more):
    return {
        "area": tree.grid.code,
        "name": "新港路公园采样点",
        "place": "公园北门",
        "lanes": "3",
        "opens_at": "07:30",
        "closes_at": "18:00",
        **more,
    }


@pytest.fixture
def staffed(tree, posts, round_):
    """Two posts of 新港路社区 on the round's day (one to staff the site, one to carry
    its samples), a member living there on each first shift (08:00–20:00)."""
    with time_machine.travel(at(6), tick=False):
        sampling = demand(tree.community, posts.guard, start=DAY, days=1, per_day=1)
        carrying = demand(tree.community, posts.guard, start=DAY, days=1, per_day=1)
        sampler = resident(1, tree)
        driver = resident(2, tree)
        duty.do_shift_assign(actor=SYSTEM, shift=shifts(sampling)[0], member=sampler, now=at(6))
        duty.do_shift_assign(actor=SYSTEM, shift=shifts(carrying)[0], member=driver, now=at(6))
    return sampling, carrying, sampler, driver


def test_a_site_is_added_with_its_posts_and_shows_who_is_on_shift(
    client, round_, tree, actors, staffed
):
    sampling, carrying, sampler, driver = staffed
    client.force_login(actors.manager)
    url = reverse("testing:site_new", args=[round_.pk])
    with time_machine.travel(NOW, tick=False):
        page = client.get(url)
        assert page.status_code == 200
        assert f"{sampling.post_type.name} · 东门卡口" in page.text  # picked, not typed
        assert f'<option value="{carrying.pk}">' in page.text
        answer = client.post(url, _form(tree, post=str(sampling.pk), transport=str(carrying.pk)))
        assert answer.status_code == 302
        site = Site.objects.get(name="新港路公园采样点")
        assert (site.post, site.transport, site.lanes) == (sampling, carrying, 3)
        assert (site.opens_at, site.closes_at) == (time(7, 30), time(18))
        shown = client.get(reverse("testing:round", args=[round_.pk])).text
    assert shown.count("此刻在岗 1 人") == 2  # the samplers' post and the carriers'
    assert sampler.name in shown
    assert driver.name in shown
    # after the shifts end, no one is on duty there
    with time_machine.travel(at(21), tick=False):
        later = client.get(reverse("testing:round", args=[round_.pk])).text
    assert sampler.name not in later


def test_posts_of_another_community_or_ended_are_refused(client, round_, tree, actors, posts):
    with time_machine.travel(at(6), tick=False):
        elsewhere = demand(tree.sibling, posts.guard, start=DAY, days=1)
        ended = demand(tree.community, posts.guard, start=DAY, days=1)
    ended.status = DemandStatus.CLOSED
    ended.save()
    client.force_login(actors.manager)
    url = reverse("testing:site_new", args=[round_.pk])
    with time_machine.travel(NOW, tick=False):
        other = client.post(url, _form(tree, post=str(elsewhere.pk)))
        closed = client.post(url, _form(tree, post=str(ended.pk)))
        late = client.post(url, _form(tree, opens_at="18:00", closes_at="07:00"))
    assert other.status_code == 200
    assert "post" in other.context["form"].errors  # not offered: outside the round
    assert "post" in closed.context["form"].errors  # not offered: ended
    assert "closes_at" in late.context["form"].errors
    # offered or not, the service checks the post is the site's community's and open
    for post in (elsewhere, ended):
        with pytest.raises(ValidationError) as refused:
            services.do_site_add(
                actor=SYSTEM, round=round_, area=tree.grid,
                data=services.SiteData("采样点", "", 1, time(8), time(12), post=post),
            )  # fmt: skip
        assert "post" in refused.value.message_dict
    assert not Site.objects.exists()


def test_who_may_add_a_site(client, round_, tree, actors):
    url = reverse("testing:site_new", args=[round_.pk])
    with time_machine.travel(NOW, tick=False):
        assert client.get(url).status_code == 302  # to sign in
        client.force_login(actors.outsider)
        assert client.get(url).status_code == 404
        client.force_login(actors.grid_worker)
        assert client.post(url, _form(tree)).status_code in (403, 404)
        round_page = reverse("testing:round", args=[round_.pk])
        assert 'data-testid="add-site"' not in client.get(round_page).text
        client.force_login(actors.manager)
        assert 'data-testid="add-site"' in client.get(round_page).text
    assert not Site.objects.exists()


def test_the_carrier_is_picked_from_the_post_on_shift(
    client, round_, tree, actors, staffed, people
):
    sampling, carrying, sampler, driver = staffed
    with time_machine.travel(NOW, tick=False):
        site = services.site_add(
            actor=actors.manager, round=round_, area=tree.grid,
            data=services.SiteData(
                "新港路公园采样点", "公园北门", 2, time(7), time(19), sampling, carrying
            ),
        )  # fmt: skip
        for person in people[:2]:
            services.sample_register(
                actor=actors.grid_worker, site=site, barcode="AB-0001", person=person, now=NOW
            )
        services.tube_seal(
            actor=actors.grid_worker, tube=Tube.objects.get(barcode="AB-0001"), now=NOW
        )
        client.force_login(actors.grid_worker)
        kept = client.get(reverse("testing:sample", args=[site.pk]))
        assert 'data-testid="batch-link"' in kept.text
        assert driver.name not in kept.text  # the page kept on the phone names no one
        url = reverse("testing:batch_send", args=[site.pk])
        page = client.get(url)
        assert driver.name in page.text
        assert sampler.name not in page.text  # on shift, but at the site's other post
        assert "X-Offline-Page" not in page.headers
        # a member not on the carrying post cannot be named by a forged form
        forged = client.post(url, {"tubes": ["AB-0001"], "member": str(sampler.pk)})
        assert forged.status_code == 200
        assert not Batch.objects.exists()
        # nor can nobody at all
        empty = client.post(url, {"tubes": ["AB-0001"]})
        assert "请选择转运人" in empty.text
        done = client.post(url, {"tubes": ["AB-0001"], "member": str(driver.pk)})
        assert done.status_code == 302
        batch = Batch.objects.get()
        assert (batch.carrier_member, batch.carrier) == (driver, driver.name)
    # the service itself refuses a member whose shift has ended
    with pytest.raises(ValidationError) as refused:
        services.do_batch_send(
            actor=SYSTEM, site=site, barcodes=["AB-0002"], member=driver, now=at(21)
        )
    assert "member" in refused.value.message_dict
