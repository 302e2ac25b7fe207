"""The public sign-up tells no one whether an ID number is a member's: the same page,
words and status whether it is unknown, registered with this phone or another, or
already signed up; a sign-up that cannot prove it is the registered member goes to the
unit instead of failing, so registering someone's unused ID number first does not lock
them out; and posting is throttled per address and per link."""

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from jijie.audit.actors import NOBODY
from jijie.audit.models import AuditEvent
from jijie.mobilization import services
from jijie.mobilization.models import ClaimStatus, Member, MemberClaim, SignUp
from jijie.mobilization.tests.fixtures import make_id, member, phone_for, without_csrf

pytestmark = pytest.mark.django_db


def _form(n, phone, **changes):
    """The sign-up form with member `n`'s ID number, the name typed the same each time."""
    return {
        "name": "王小红",
        "document_number": make_id(date(1985, 5, 1), n),
        "phone": phone,
        "kind": "party_member",
        "fitness": "fit",
        "availability": "full_time",
        "health_declared": "on",
        **changes,
    }


def _url(mob):
    return reverse("mobilization:join", args=[mob.call_up.token])


def test_the_page_answers_the_same_whoever_the_id_number_belongs_to(client, mob):
    # given member 1 registered with their phone (member 2's ID number is unknown)
    member(1, organisation=mob.unit)
    answers = [
        client.post(_url(mob), _form(2, phone_for(2))),  # unknown
        client.post(_url(mob), _form(1, "13800000000")),  # registered, another phone
        client.post(_url(mob), _form(1, phone_for(1))),  # registered, this phone
        client.post(_url(mob), _form(1, phone_for(1))),  # already signed up
    ]
    assert {a.status_code for a in answers} == {200}
    assert len({without_csrf(a) for a in answers}) == 1
    page = answers[0].content.decode()
    assert "王小红,您对“疫情防控集结号”的报名已提交" in page
    assert "队员1" not in page  # the registered name is never shown
    # what happened behind the one answer
    assert SignUp.objects.filter(member__name="队员1").count() == 1
    assert SignUp.objects.filter(member__name="王小红").count() == 1
    assert MemberClaim.objects.get().phone_masked == "138****0000"


def test_the_api_answers_the_same_whoever_the_id_number_belongs_to(client, mob):
    member(1, organisation=mob.unit)
    url = f"/api/mobilization/join/{mob.call_up.token}"

    def post(n, phone):
        payload = {
            "name": "王小红",
            "document_number": make_id(date(1985, 5, 1), n),
            "phone": phone,
            "health_declared": True,
        }
        return client.post(url, json.dumps(payload), content_type="application/json")

    answers = [
        post(2, phone_for(2)),
        post(1, "13800000000"),
        post(1, phone_for(1)),
        post(1, phone_for(1)),
    ]
    assert {(a.status_code, a.content) for a in answers} == {(202, answers[0].content)}


def test_another_phone_goes_to_the_unit_which_may_approve_it(mob):
    registered = member(1, organisation=mob.unit)
    services.do_sign_up_receive(
        actor=NOBODY,
        call_up=mob.call_up,
        data=services.SignUpData(
            member=services.MemberData(
                name="队员1",
                document_number=make_id(date(1985, 5, 1), 1),
                phone="13800000000",
            ),
            health_declared=True,
        ),
    )
    registered.refresh_from_db()
    assert registered.phone_masked == "139****0001"
    assert not SignUp.objects.exists()
    claim = MemberClaim.objects.get()
    assert (claim.user, claim.status) == (None, ClaimStatus.PENDING)
    assert AuditEvent.objects.get(action="member.claim").data["same_phone"] is False
    services.member_claim_approve(actor=mob.unit_admin, claim=claim)
    registered.refresh_from_db()
    assert registered.phone_masked == "138****0000"
    assert SignUp.objects.get().member == registered


def test_registering_an_unused_id_number_first_does_not_lock_out_its_owner(client, mob):
    # someone registers member 5's unused ID number under their own phone
    client.post(_url(mob), _form(5, "13700000000", name="冒名者"))
    squatted = Member.objects.get()
    assert squatted.phone_masked == "137****0000"
    # the owner signs up later with their own phone: the same answer, and the unit sees it
    owner = client.post(_url(mob), _form(5, phone_for(5), name="本人"))
    assert owner.status_code == 200
    assert "本人,您对“疫情防控集结号”的报名已提交" in owner.content.decode()
    claim = MemberClaim.objects.get()
    assert (claim.member, claim.name) == (squatted, "本人")
    admin = client
    admin.force_login(mob.chair)
    page = admin.get(reverse("mobilization:members")).content.decode()
    assert "以“本人”、电话 139****0005 报名" in page
    admin.post(reverse("mobilization:claim_decide", args=[claim.pk]), {"decision": "approve"})
    squatted.refresh_from_db()
    assert squatted.phone_masked == "139****0005"


def _limits(settings, *, per_address=100, per_link=100):
    settings.SIGN_UP_ATTEMPTS_PER_ADDRESS = per_address
    settings.SIGN_UP_ATTEMPTS_PER_LINK = per_link
    settings.SIGN_UP_ATTEMPTS_WINDOW_MINUTES = 10


def test_sign_ups_are_throttled_per_address(client, mob, settings):
    _limits(settings, per_address=3)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(3):
            assert client.post(_url(mob), _form(n + 1, phone_for(n + 1))).status_code == 200
        over = client.post(_url(mob), _form(9, phone_for(9)))
        assert over.status_code == 429
        assert "报名提交过于频繁,请 10 分钟后再试。" in over.content.decode()
        assert not Member.objects.filter(name="王小红", phone_tail="0009").exists()
        # another address is not held back; the first is again once the window passed
        other = client.post(_url(mob), _form(9, phone_for(9)), REMOTE_ADDR="10.1.2.3")
        assert other.status_code == 200
        clock.shift(timedelta(minutes=10, seconds=1))
        assert client.post(_url(mob), _form(10, phone_for(10))).status_code == 200
    # reading the page is not an attempt
    assert client.get(_url(mob)).status_code == 200


def test_sign_ups_are_throttled_per_link(client, mob, settings):
    _limits(settings, per_link=2)
    for n in range(2):
        answer = client.post(_url(mob), _form(n + 1, phone_for(n + 1)), REMOTE_ADDR=f"10.0.0.{n}")
        assert answer.status_code == 200
    over = client.post(_url(mob), _form(3, phone_for(3)), REMOTE_ADDR="10.0.0.9")
    assert over.status_code == 429
    api = client.post(
        f"/api/mobilization/join/{mob.call_up.token}",
        json.dumps({"name": "王小红", "document_number": "x", "phone": "y"}),
        content_type="application/json",
        REMOTE_ADDR="10.0.0.10",
    )
    assert api.status_code == 429
    assert api.json() == {"detail": "报名提交过于频繁,请 10 分钟后再试。"}


def test_an_ipv6_client_is_counted_by_its_64(client, mob, settings):
    _limits(settings, per_address=1)
    first = client.post(_url(mob), _form(1, phone_for(1)), REMOTE_ADDR="2001:db8:1:2::1")
    assert first.status_code == 200
    same_64 = client.post(_url(mob), _form(2, phone_for(2)), REMOTE_ADDR="2001:db8:1:2::ff")
    assert same_64.status_code == 429
