"""Issuing to a member deployed to the community, from the community's list of its
members: the link arrives on the issue form with the member chosen."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from jijie.audit.actors import SYSTEM
from jijie.mobilization import services as mobilization
from jijie.mobilization.tests.fixtures import sign_up
from jijie.supplies import services
from jijie.supplies.models import Movement, RecipientKind


def _deployed(mob, n, community):
    entry = mobilization.do_sign_up_approve(actor=SYSTEM, sign_up=sign_up(mob.call_up, n))
    today = timezone.localdate()
    mobilization.do_deployment_create(
        actor=SYSTEM, sign_up=entry, community=community, starts_on=today,
        ends_on=today + timedelta(days=13),
    )  # fmt: skip
    return entry.member


@time_machine.travel("2026-03-10 23:59:59+08:00", tick=False)
def test_a_member_is_issued_a_kit_from_the_community_page(client, tree, mob, actors):
    masks = services.do_item_create(
        actor=SYSTEM, data=services.ItemData(name="医用口罩", category="protection", unit="只")
    )
    room = services.do_store_create(actor=SYSTEM, area=tree.community, name="新港路社区物资室")
    services.do_stock_receive(
        actor=SYSTEM, store=room, response=mob.response,
        receipt=services.Receipt(item=masks, quantity=100, source="purchase"),
    )  # fmt: skip
    member = _deployed(mob, 1, tree.community)
    client.force_login(actors.manager)
    page = client.get(reverse("mobilization:community", args=[tree.community.code]))
    link = f"/supplies/stores/{room.pk}/issue/?member={member.pk}"
    assert link in page.content.decode()
    form = client.get(link).content.decode()
    assert "发放给队员:队员1" in form
    answer = client.post(link, {"item": masks.pk, "quantity": "20", "member": member.pk})
    assert answer.status_code == 302
    movement = Movement.objects.get(kind="issue")
    assert (movement.member, movement.recipient_kind, movement.recipient) == (
        member, RecipientKind.MEMBER, "队员1",
    )  # fmt: skip
    # a member not deployed under the store, or out of sight, is not found
    other = _deployed(mob, 2, tree.sibling)
    assert client.get(f"/supplies/stores/{room.pk}/issue/?member={other.pk}").status_code == 404
    assert client.get(f"/supplies/stores/{room.pk}/issue/?member=x").status_code == 404
    client.force_login(actors.outsider)
    assert client.get(link).status_code == 404
