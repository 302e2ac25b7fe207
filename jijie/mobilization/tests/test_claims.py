"""An account asking for a registered member's record through the public sign-up (a
gate guard who knows their ID number and phone) gets nothing of it: a claim goes to the
member's unit, which approves or declines it on the members page, each step audited,
and the member, if they have an account, is told."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jijie.audit.models import AuditEvent
from jijie.mobilization import services
from jijie.mobilization.models import ClaimStatus, Member, MemberClaim, MemberNotice, SignUp
from jijie.mobilization.tests.fixtures import make_id, member, member_data, phone_for

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _form(n, **changes):
    """The sign-up form as member `n` would fill it (their ID number and phone)."""
    return {
        "name": f"队员{n}",
        "document_number": make_id(date(1985, 5, 1), n),
        "phone": phone_for(n),
        "kind": "party_member",
        "fitness": "fit",
        "availability": "full_time",
        "health_declared": "on",
        **changes,
    }


def _join(client, mob, form):
    return client.post(reverse("mobilization:join", args=[mob.call_up.token]), form)


def _data(n):
    return services.SignUpData(member=member_data(n), health_declared=True)


def test_an_account_that_knows_a_members_id_and_phone_gets_nothing_of_them(client, mob, actors):
    # given a member with no account, and a guard who knows their ID number and phone
    target = member(1, organisation=mob.unit)
    guard = _as(client, actors.guard)
    # when the guard signs them up on the call-up's link
    answer = _join(guard, mob, _form(1))
    # then the member's record stays unlinked, and the guard's pages know nothing of it
    assert answer.status_code == 200
    target.refresh_from_db()
    assert target.user_id is None
    assert not SignUp.objects.exists()
    page = answer.content.decode()
    assert target.phone_masked not in page
    assert target.document_masked not in page
    assert guard.get(reverse("mobilization:me")).status_code == 404
    # a claim waits for the unit, audited
    claim = MemberClaim.objects.get()
    assert (claim.member, claim.user, claim.status) == (target, actors.guard, ClaimStatus.PENDING)
    event = AuditEvent.objects.get(action="member.claim")
    assert (event.actor, event.target_id) == (actors.guard, str(claim.pk))
    assert event.data["member_has_account"] is False


def test_the_member_with_an_account_is_told_and_keeps_it(mob, actors):
    target = member(1, organisation=mob.unit)
    target.user = actors.member
    target.save()
    services.do_sign_up_submit(actor=actors.guard, call_up=mob.call_up, data=_data(1))
    target.refresh_from_db()
    assert target.user == actors.member
    notice = MemberNotice.objects.get(member=target)
    assert "申请认领您的队员信息(账号 guard)" in notice.text
    assert "如不是您本人,请联系所在单位" in notice.text


def test_the_same_claim_twice_is_one_claim(mob, actors):
    member(1, organisation=mob.unit)
    services.do_sign_up_submit(actor=actors.guard, call_up=mob.call_up, data=_data(1))
    with pytest.raises(ValidationError) as error:
        services.do_sign_up_submit(actor=actors.guard, call_up=mob.call_up, data=_data(1))
    assert error.value.code == "duplicate"
    assert MemberClaim.objects.count() == 1


def test_the_unit_admin_approves_on_the_members_page(client, mob, actors):
    target = member(1, organisation=mob.unit)
    services.do_sign_up_submit(actor=actors.guard, call_up=mob.call_up, data=_data(1))
    claim = MemberClaim.objects.get()
    admin = _as(client, mob.unit_admin)
    assert "1 条队员认领申请待审核" in admin.get(reverse("mobilization:index")).content.decode()
    page = admin.get(reverse("mobilization:members")).content.decode()
    assert "待审核的认领申请" in page
    assert "申请账号 guard" in page
    answer = admin.post(
        reverse("mobilization:claim_decide", args=[claim.pk]),
        {"decision": "approve", "reason": "已核对身份证"},
    )
    assert answer.status_code == 302
    target.refresh_from_db()
    claim.refresh_from_db()
    assert target.user == actors.guard
    assert (claim.status, claim.decided_by) == (ClaimStatus.APPROVED, mob.unit_admin)
    entry = SignUp.objects.get()
    assert (entry.member, entry.unit, entry.health_declared) == (target, mob.unit, True)
    event = AuditEvent.objects.get(action="member.claim_approve")
    assert event.actor == mob.unit_admin
    assert event.reason == "已核对身份证"
    assert event.data["sign_up"] == entry.pk
    # the guard now has the member's page, with the unit's notice
    assert (
        "已同意 账号 guard 认领"
        in _as(client, actors.guard).get(reverse("mobilization:me")).content.decode()
    )
    # decided once
    with pytest.raises(ValidationError):
        services.member_claim_decline(actor=mob.unit_admin, claim=claim)


def test_a_declined_claim_changes_nothing(client, mob, actors):
    target = member(1, organisation=mob.unit)
    target.user = actors.member
    target.save()
    services.do_sign_up_submit(actor=actors.guard, call_up=mob.call_up, data=_data(1))
    claim = MemberClaim.objects.get()
    _as(client, mob.unit_admin).post(
        reverse("mobilization:claim_decide", args=[claim.pk]),
        {"decision": "decline", "reason": "非本人"},
    )
    target.refresh_from_db()
    claim.refresh_from_db()
    assert target.user == actors.member
    assert claim.status == ClaimStatus.DECLINED
    assert not SignUp.objects.exists()
    assert AuditEvent.objects.filter(action="member.claim_decline").count() == 1
    assert MemberNotice.objects.filter(member=target, text__contains="已拒绝").count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("chair", 302), ("unit_admin", 302), ("other_admin", 404), ("command", 403)],
)
def test_who_decides_a_claim(client, mob, actors, who, status):
    """The member's unit's admin and the committee over it decide; another unit's admin
    does not see the member (404); the command sees members but edits none (403)."""
    member(1, organisation=mob.unit)
    services.do_sign_up_submit(actor=actors.guard, call_up=mob.call_up, data=_data(1))
    claim = MemberClaim.objects.get()
    user = getattr(mob, who, None) or getattr(actors, who)
    c = _as(client, user)
    shown = "待审核的认领申请" in c.get(reverse("mobilization:members")).content.decode()
    assert shown == (status == 302)
    answer = c.post(reverse("mobilization:claim_decide", args=[claim.pk]), {"decision": "decline"})
    assert answer.status_code == status
    claim.refresh_from_db()
    assert (claim.status == ClaimStatus.DECLINED) == (status == 302)


def test_an_account_linked_meanwhile_is_not_linked_twice(mob, actors):
    member(1, organisation=mob.unit)
    services.do_sign_up_submit(actor=actors.guard, call_up=mob.call_up, data=_data(1))
    # the guard signs up with their own, new ID number: that member is theirs
    services.do_sign_up_submit(actor=actors.guard, call_up=mob.call_up, data=_data(2))
    assert Member.objects.get(user=actors.guard).name == "队员2"
    with pytest.raises(ValidationError) as error:
        services.member_claim_approve(actor=mob.unit_admin, claim=MemberClaim.objects.get())
    assert "已关联其他队员" in " ".join(error.value.messages)
