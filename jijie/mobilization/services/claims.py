"""Claims on a registered member's record (认领申请): a sign-up that says it is a member
it cannot prove to be, left for the member's unit to approve or decline, and the notices
that tell the member about it. Nothing of the member's changes, and the claiming
account gets nothing of theirs, until the unit approves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from jijie.areas.models import Area
from jijie.audit.actors import Actor, Audited, account_of
from jijie.audit.services import audit_record
from jijie.mobilization import selectors
from jijie.mobilization.models import (
    CallUp,
    ClaimStatus,
    Member,
    MemberClaim,
    MemberNotice,
    SignUp,
)

if TYPE_CHECKING:
    from jijie.accounts.models import User
    from jijie.mobilization.services.call_ups import SignUpData


def _area(member: Member) -> Area:
    return Area(path=member.residence_path)


def _claimant(claim: MemberClaim) -> str:
    """Who claims, as the member and the unit are told: the account, else the phone."""
    if claim.user is not None:
        return _("账号 %(account)s") % {"account": claim.user.get_username()}
    return _("手机号 %(phone)s") % {"phone": claim.phone_masked}


def _notify(member: Member, text: str) -> None:
    """Tell the member on their own page, if they have an account to read it with."""
    if member.user_id is not None:
        MemberNotice.objects.create(member=member, text=text[:200])


def _duplicate_claim() -> str:
    return _("您的认领申请正在由所在单位审核,无需重复提交。")


@sensitive_variables("probe", "data")
def do_member_claim_open(
    *, actor: Audited, call_up: CallUp, member: Member, probe: Member, data: SignUpData
) -> MemberClaim:
    """Leave a sign-up as `member` for their unit to review (inside the sign-up's
    transaction): `probe` holds what the form gave (its name and phone are kept on the
    claim, nothing is written to the member). The claim is the account of `actor`, if
    any. The member is told if they have an account. The same claim twice is refused as
    a duplicate."""
    user = account_of(actor)
    pending = MemberClaim.objects.filter(
        member=member, call_up=call_up, user=user, status=ClaimStatus.PENDING
    )
    if pending.filter(phone_hash=probe.phone_hash).exists():
        raise ValidationError(_duplicate_claim(), code="duplicate")
    claim = MemberClaim.objects.create(
        member=member,
        call_up=call_up,
        user=user,
        name=probe.name,
        phone_cipher=probe.phone_cipher,
        phone_hash=probe.phone_hash,
        phone_masked=probe.phone_masked,
        phone_tail=probe.phone_tail,
        health_declared=data.health_declared,
        availability=data.availability,
        note=data.note.strip()[:200],
    )
    _notify(
        member,
        _(
            "有人以您的身份证号报名“%(title)s”,并申请认领您的队员信息(%(who)s),"
            "已交所在单位审核。如不是您本人,请联系所在单位。"
        )
        % {"title": call_up.title, "who": _claimant(claim)},
    )
    audit_record(
        actor=actor,
        action="member.claim",
        target=claim,
        area=_area(member),
        data={
            "member": member.pk,
            "call_up": call_up.pk,
            "account": user.pk if user is not None else None,
            "member_has_account": member.user_id is not None,
            "same_phone": probe.phone_hash == member.phone_hash,
        },
    )
    return claim


def _lock_pending(claim: MemberClaim) -> MemberClaim:
    current = (
        MemberClaim.objects.select_for_update(of=("self",))
        .select_related("call_up", "call_up__organisation", "user")
        .get(pk=claim.pk)
    )
    if current.status != ClaimStatus.PENDING:
        raise ValidationError(
            _("该申请已经处理过了(%(status)s)。") % {"status": current.get_status_display()},
            code="decided",
        )
    return current


def member_claim_approve(*, actor: User, claim: MemberClaim, reason: str = "") -> MemberClaim:
    """`do_member_claim_approve` by someone who may edit the claimed member."""
    selectors.member_claim_for(actor=actor, pk=claim.pk)
    return do_member_claim_approve(actor=actor, claim=claim, reason=reason)


@transaction.atomic
def do_member_claim_approve(*, actor: Actor, claim: MemberClaim, reason: str = "") -> MemberClaim:
    """The unit has checked that the claimant is the member (in person, by their ID
    card, or by asking the member): the account (if any) is linked to the member in
    place of any other, the phone given becomes the member's, and the member is signed
    up for the call-up unless they already are. Locks the claim's row, then the
    member's."""
    current = _lock_pending(claim)
    member = Member.objects.select_for_update().get(pk=current.member_id)
    previous_account = member.user_id
    if (
        current.user_id is not None
        and Member.objects.filter(user_id=current.user_id).exclude(pk=member.pk).exists()
    ):
        raise ValidationError(
            _("%(who)s 已关联其他队员,不能再认领“%(name)s”。")
            % {"who": _claimant(current), "name": member.name},
            code="linked",
        )
    if current.user_id is not None:
        member.user_id = current.user_id
    phone_changed = current.phone_hash is not None and current.phone_hash != member.phone_hash
    if phone_changed:
        member.phone_cipher = current.phone_cipher
        member.phone_hash = current.phone_hash
        member.phone_masked = current.phone_masked
        member.phone_tail = current.phone_tail
    member.version += 1
    member.save()
    sign_up = SignUp.objects.filter(call_up=current.call_up, member=member).first()
    signed_up = False
    if sign_up is None:
        try:
            with transaction.atomic():
                sign_up = SignUp.objects.create(
                    call_up=current.call_up,
                    member=member,
                    unit=selectors.unit_of(current.call_up, member.organisation),
                    health_declared=current.health_declared,
                    availability=current.availability,
                    note=current.note,
                )
                signed_up = True
        except IntegrityError:  # the member signed up a moment ago
            sign_up = SignUp.objects.get(call_up=current.call_up, member=member)
    current.status = ClaimStatus.APPROVED
    current.reason = reason.strip()[:200]
    current.decided_by = account_of(actor)
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    _notify(
        member,
        _("所在单位已同意 %(who)s 认领您的队员信息,并为您报名“%(title)s”。")
        % {"who": _claimant(current), "title": current.call_up.title},
    )
    audit_record(
        actor=actor,
        action="member.claim_approve",
        target=current,
        area=_area(member),
        reason=current.reason,
        data={
            "member": member.pk,
            "account": current.user_id,
            "previous_account": previous_account,
            "phone_changed": phone_changed,
            "sign_up": sign_up.pk if signed_up else None,
        },
    )
    return current


def member_claim_decline(*, actor: User, claim: MemberClaim, reason: str = "") -> MemberClaim:
    """`do_member_claim_decline` by someone who may edit the claimed member."""
    selectors.member_claim_for(actor=actor, pk=claim.pk)
    return do_member_claim_decline(actor=actor, claim=claim, reason=reason)


@transaction.atomic
def do_member_claim_decline(*, actor: Actor, claim: MemberClaim, reason: str = "") -> MemberClaim:
    """The unit refuses the claim: nothing of the member's changes; the member (if they
    have an account) is told. Locks the claim's row."""
    current = _lock_pending(claim)
    current.status = ClaimStatus.DECLINED
    current.reason = reason.strip()[:200]
    current.decided_by = account_of(actor)
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    member = current.member
    _notify(
        member,
        _("所在单位已拒绝 %(who)s 对您队员信息的认领申请(“%(title)s”)。")
        % {"who": _claimant(current), "title": current.call_up.title},
    )
    audit_record(
        actor=actor,
        action="member.claim_decline",
        target=current,
        area=_area(member),
        reason=current.reason,
        data={"member": member.pk, "account": current.user_id},
    )
    return current


@transaction.atomic
def member_notices_read(*, member: Member) -> int:
    """Mark the member's unread notices read (they saw them on their page)."""
    return MemberNotice.objects.filter(member=member, read_at__isnull=True).update(
        read_at=timezone.now()
    )
