"""Errands for a household that cannot go out (home isolation or hardship), run by a
member serving in its community: requested, accepted, done, then confirmed by the
household, or cancelled before.

The community's steps (create, assign, confirm, cancel) check the actor's role over the
household in their entry. The member's steps (accept, claim, release, done) resolve the
signed-in user's member record in their entry and hand it to the write, which holds
the errand's own rule: only the member it was offered to, or who runs it, may act."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import community_path_of
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.care.models import (
    OPEN_ERRAND_STATES,
    CaseStatus,
    Errand,
    ErrandKind,
    ErrandState,
    IsolationCase,
)
from jijie.care.services.base import _area, _choice, _text, serves
from jijie.mobilization import selectors as mobilization
from jijie.mobilization.models import Member
from jijie.residents.models import Household

if TYPE_CHECKING:
    from jijie.accounts.models import User


# An errand's minutes, when the member does not say, are counted from accepting to done,
# at most this long (a member who forgets to close it does not earn a day).
ERRAND_DEFAULT_MAX_MINUTES = 240
ERRAND_MAX_MINUTES = 600
ERRAND_MAX_MONEY = Decimal("100000")


@dataclass
class ErrandData:
    kind: str
    needed: str
    due_by: datetime
    money_advanced: Decimal | str = Decimal(0)


def _money(raw: Decimal | str) -> Decimal:
    try:
        money = Decimal(str(raw or "0"))
    except InvalidOperation:
        raise ValidationError(
            {"money_advanced": _("金额“%(value)s”不是数字。") % {"value": raw}}
        ) from None
    if money < 0 or money > ERRAND_MAX_MONEY or money != money.quantize(Decimal("0.01")):
        raise ValidationError(
            {"money_advanced": _("垫付金额须在 0 至 100000 元之间,最多两位小数。")}
        )
    return money.quantize(Decimal("0.01"))


def _errand_runner(actor: User) -> Member:
    """The signed-in user's member record (`mobilization.member_of`), which running an
    errand takes; 403 for a user who is no member."""
    member = mobilization.member_of(actor)
    if member is None:
        raise PermissionDenied(_("只有登记在册的队员可以代办。"))
    return member


def errand_create(*, actor: User, household: Household, data: ErrandData) -> Errand:
    """`do_errand_create` by someone who may record care over the household."""
    access.require_path(actor, Action.CARE_RECORD, household.area_path)
    return do_errand_create(actor=actor, household=household, data=data)


@transaction.atomic
def do_errand_create(*, actor: Actor, household: Household, data: ErrandData) -> Errand:
    """Register an errand for a household that cannot go out: one under home isolation
    (an open case or the registry's flag) or a hardship household. Takes no lock."""
    _choice(data.kind, ErrandKind.values, "kind")
    needed = _text(data.needed, "needed", _("所需事项"), 300)
    money = _money(data.money_advanced)
    if data.due_by <= timezone.now():
        raise ValidationError({"due_by": _("期望完成时间须晚于现在。")})
    case = IsolationCase.objects.filter(household=household, status=CaseStatus.OPEN).first()
    if case is None and not (household.is_home_isolation or household.is_hardship):
        raise ValidationError(
            {"household": _("只有居家隔离户或生活困难户可以登记代办。")}, code="household"
        )
    errand = Errand.objects.create(
        household=household,
        case=case,
        area_path=household.area_path,
        community_path=community_path_of(household.area_path),
        kind=data.kind,
        needed=needed,
        money_advanced=money,
        due_by=data.due_by,
        requested_by=account_of(actor),
    )
    audit_record(
        actor=actor,
        action="care.errand_create",
        target=errand,
        area=_area(errand.area_path),
        data={"kind": errand.kind, "money_advanced": str(money)},
    )
    return errand


def _locked_errand(errand: Errand) -> Errand:
    return Errand.objects.select_for_update().get(pk=errand.pk)


def _refuse_move(current: Errand, to: str) -> ValidationError:
    return ValidationError(
        _("该代办当前为“%(state)s”,不能改为“%(target)s”。")
        % {"state": current.get_state_display(), "target": ErrandState(to).label},
        code="state",
    )


def _errand_audit(actor: Actor, action: str, errand: Errand, **data: object) -> None:
    audit_record(
        actor=actor,
        action=f"care.errand_{action}",
        target=errand,
        area=_area(errand.area_path),
        data={"state": errand.state, **data},
    )


def errand_assign(*, actor: User, errand: Errand, member: Member) -> Errand:
    """`do_errand_assign` by someone who may manage care over the errand's household."""
    access.require_path(actor, Action.CARE_MANAGE, errand.area_path)
    return do_errand_assign(actor=actor, errand=errand, member=member)


@transaction.atomic
def do_errand_assign(*, actor: Actor, errand: Errand, member: Member) -> Errand:
    """The community offers a waiting errand to a member serving in the community (the
    chosen member checked as a value, `serves`); the member accepts it
    (`errand_accept`). Locks the errand's row."""
    current = _locked_errand(errand)
    if current.state != ErrandState.REQUESTED:
        raise ValidationError(
            _("该代办当前为“%(state)s”,只有待接单的代办可以指派。")
            % {"state": current.get_state_display()},
            code="state",
        )
    if not serves(member, current.community_path, timezone.localdate()):
        raise ValidationError({"member": _("该队员没有下沉到或居住在本社区。")}, code="member")
    current.member = member
    current.save(update_fields=["member"])
    _errand_audit(actor, "assign", current, member=member.pk)
    return current


def _take(actor: Actor, errand: Errand, member: Member, *, offered: bool) -> Errand:
    # The errand's row locked: of two members taking it at once, the second sees it
    # accepted and is refused.
    current = _locked_errand(errand)
    if current.state != ErrandState.REQUESTED:
        raise _refuse_move(current, ErrandState.ACCEPTED)
    if offered and current.member_id != member.pk:
        raise ValidationError(_("该代办没有指派给您。"), code="member")
    if not offered:
        if current.member_id is not None and current.member_id != member.pk:
            raise ValidationError(_("该代办已指派给其他队员。"), code="member")
        if not serves(member, current.community_path, timezone.localdate()):
            raise ValidationError(
                _("您没有下沉到或居住在该社区,不能认领这里的代办。"), code="member"
            )
    current.member = member
    current.state = ErrandState.ACCEPTED
    current.accepted_at = timezone.now()
    current.save(update_fields=["member", "state", "accepted_at"])
    _errand_audit(actor, "claim" if not offered else "accept", current, member=member.pk)
    return current


def errand_accept(*, actor: User, errand: Errand) -> Errand:
    """`do_errand_accept` by the signed-in user's member record."""
    return do_errand_accept(actor=actor, errand=errand, member=_errand_runner(actor))


@transaction.atomic
def do_errand_accept(*, actor: Actor, errand: Errand, member: Member) -> Errand:
    """`member` accepts the waiting errand offered to them. Locks the errand's row."""
    return _take(actor, errand, member, offered=True)


def errand_claim(*, actor: User, errand: Errand) -> Errand:
    """`do_errand_claim` by the signed-in user's member record."""
    return do_errand_claim(actor=actor, errand=errand, member=_errand_runner(actor))


@transaction.atomic
def do_errand_claim(*, actor: Actor, errand: Errand, member: Member) -> Errand:
    """`member`, serving in the errand's community, takes a waiting errand offered to no
    one else. Locks the errand's row."""
    return _take(actor, errand, member, offered=False)


def _check_runner(current: Errand, member: Member) -> None:
    """The errand's rule: only the member who runs it may release it or report it done."""
    if current.member_id != member.pk:
        raise PermissionDenied(_("只有接单的队员可以办理这项代办。"))


def errand_release(*, actor: User, errand: Errand, reason: str) -> Errand:
    """`do_errand_release` by the signed-in user's member record."""
    return do_errand_release(
        actor=actor, errand=errand, member=_errand_runner(actor), reason=reason
    )


@transaction.atomic
def do_errand_release(*, actor: Actor, errand: Errand, member: Member, reason: str) -> Errand:
    """The member running an accepted errand gives it back (`_check_runner`): it waits
    for another member. Locks the errand's row."""
    current = _locked_errand(errand)
    _check_runner(current, member)
    if current.state != ErrandState.ACCEPTED:
        raise _refuse_move(current, ErrandState.REQUESTED)
    reason = _text(reason, "reason", _("退回原因"), 200)
    current.state = ErrandState.REQUESTED
    current.member = None
    current.accepted_at = None
    current.save(update_fields=["state", "member", "accepted_at"])
    audit_record(
        actor=actor,
        action="care.errand_release",
        target=current,
        area=_area(current.area_path),
        reason=reason,
    )
    return current


def errand_done(
    *,
    actor: User,
    errand: Errand,
    proof_note: str,
    minutes: int | None = None,
    at: datetime | None = None,
) -> Errand:
    """`do_errand_done` by the signed-in user's member record."""
    return do_errand_done(
        actor=actor,
        errand=errand,
        member=_errand_runner(actor),
        proof_note=proof_note,
        minutes=minutes,
        at=at,
    )


@transaction.atomic
def do_errand_done(
    *,
    actor: Actor,
    errand: Errand,
    member: Member,
    proof_note: str,
    minutes: int | None = None,
    at: datetime | None = None,
) -> Errand:
    """The member running the errand (`_check_runner`) reports it run, with a note of
    what was handed over and the minutes it took (by default the time since accepting,
    at most four hours). `at` is when it was run, by the phone's clock for one reported
    with no signal (never before it was accepted); now by default. Locks the errand's
    row."""
    current = _locked_errand(errand)
    _check_runner(current, member)
    if current.state != ErrandState.ACCEPTED:
        raise _refuse_move(current, ErrandState.DONE)
    proof = _text(proof_note, "proof_note", _("办结说明"), 300)
    now = at or timezone.now()
    if current.accepted_at is not None and now < current.accepted_at:
        raise ValidationError({"recorded_at": _("办结时间早于接单时间:请核对手机的时间。")})
    if minutes is None:
        assert current.accepted_at is not None  # accepted errands have the time
        elapsed = int((now - current.accepted_at).total_seconds() // 60)
        minutes = min(max(elapsed, 1), ERRAND_DEFAULT_MAX_MINUTES)
    elif not 1 <= minutes <= ERRAND_MAX_MINUTES:
        raise ValidationError(
            {"minutes": _("服务时长须在 1 至 %(max)s 分钟之间。") % {"max": ERRAND_MAX_MINUTES}}
        )
    current.state = ErrandState.DONE
    current.proof_note = proof
    current.minutes = minutes
    current.done_at = now
    current.save(update_fields=["state", "proof_note", "minutes", "done_at"])
    _errand_audit(actor, "done", current, minutes=minutes)
    return current


def errand_confirm(*, actor: User, errand: Errand) -> Errand:
    """`do_errand_confirm` by someone who may record care over the errand's household."""
    access.require_path(actor, Action.CARE_RECORD, errand.area_path)
    return do_errand_confirm(actor=actor, errand=errand)


@transaction.atomic
def do_errand_confirm(*, actor: Actor, errand: Errand) -> Errand:
    """The household (through its grid worker or the community) confirms the errand
    was run; the minutes then count on the member's service record. Locks the errand's
    row."""
    current = _locked_errand(errand)
    if current.state != ErrandState.DONE:
        raise _refuse_move(current, ErrandState.CONFIRMED)
    current.state = ErrandState.CONFIRMED
    current.confirmed_at = timezone.now()
    current.confirmed_by = account_of(actor)
    current.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    _errand_audit(actor, "confirm", current, member=current.member_id, minutes=current.minutes)
    return current


def errand_cancel(*, actor: User, errand: Errand, reason: str) -> Errand:
    """`do_errand_cancel` by someone who may record care over the errand's household."""
    access.require_path(actor, Action.CARE_RECORD, errand.area_path)
    return do_errand_cancel(actor=actor, errand=errand, reason=reason)


@transaction.atomic
def do_errand_cancel(*, actor: Actor, errand: Errand, reason: str) -> Errand:
    """The household or the community withdraws an errand not yet run. Locks the
    errand's row."""
    current = _locked_errand(errand)
    if current.state not in OPEN_ERRAND_STATES:
        raise _refuse_move(current, ErrandState.CANCELLED)
    current.cancel_reason = _text(reason, "reason", _("取消原因"), 200)
    current.state = ErrandState.CANCELLED
    current.cancelled_at = timezone.now()
    current.save(update_fields=["state", "cancel_reason", "cancelled_at"])
    audit_record(
        actor=actor,
        action="care.errand_cancel",
        target=current,
        area=_area(current.area_path),
        reason=current.cancel_reason,
    )
    return current
