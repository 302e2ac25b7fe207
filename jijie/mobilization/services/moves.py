"""A sign-up moves through these states; every other move is refused with a message that
names the state it is in:

    requested → approved | declined | withdrawn
    approved  → deployed | declined | withdrawn
    declined  → approved            (a committee may reconsider)
    deployed  → withdrawn | ended
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.mobilization.models import (
    Deployment,
    DeploymentStatus,
    SignUp,
    SignUpStatus,
)
from jijie.mobilization.services.base import area_of, require_manage

if TYPE_CHECKING:
    from jijie.accounts.models import User


TRANSITIONS: dict[str, frozenset[str]] = {
    SignUpStatus.REQUESTED: frozenset(
        {SignUpStatus.APPROVED, SignUpStatus.DECLINED, SignUpStatus.WITHDRAWN}
    ),
    SignUpStatus.APPROVED: frozenset(
        {SignUpStatus.DEPLOYED, SignUpStatus.DECLINED, SignUpStatus.WITHDRAWN}
    ),
    SignUpStatus.DECLINED: frozenset({SignUpStatus.APPROVED}),
    SignUpStatus.DEPLOYED: frozenset({SignUpStatus.WITHDRAWN, SignUpStatus.ENDED}),
    SignUpStatus.WITHDRAWN: frozenset(),
    SignUpStatus.ENDED: frozenset(),
}


def refuse_move(sign_up: SignUp, to: str) -> ValidationError:
    label = dict(SignUpStatus.choices)
    return ValidationError(
        _("%(name)s 的报名目前是“%(state)s”,不能改为“%(target)s”。")
        % {
            "name": sign_up.member.name,
            "state": label[sign_up.status],
            "target": label[to],
        },
        code="transition",
    )


def locked_sign_up(sign_up: SignUp) -> SignUp:
    return (
        SignUp.objects.select_for_update(of=("self",))
        .select_related("member", "call_up__organisation")
        .get(pk=sign_up.pk)
    )


def move(actor: Actor, sign_up: SignUp, to: str, reason: str) -> SignUp:
    """Move a sign-up to `to` with its audit row, inside the caller's transaction; locks
    the sign-up's row."""
    current = locked_sign_up(sign_up)
    if to not in TRANSITIONS[current.status]:
        raise refuse_move(current, to)
    origin = current.status
    current.status = to
    if to in (SignUpStatus.APPROVED, SignUpStatus.DECLINED):
        current.reason = reason.strip()[:200]
        current.screened_by = account_of(actor)
        current.screened_at = timezone.now()
    current.save()
    audit_record(
        actor=actor,
        action=f"sign_up.{to}",
        target=current,
        area=area_of(current.call_up.organisation),
        reason=reason.strip(),
        data={"from": origin},
    )
    return current


def sign_up_approve(*, actor: User, sign_up: SignUp, reason: str = "") -> SignUp:
    """`do_sign_up_approve` by someone who manages the call-up."""
    require_manage(actor, sign_up.call_up.organisation)
    return do_sign_up_approve(actor=actor, sign_up=sign_up, reason=reason)


@transaction.atomic
def do_sign_up_approve(*, actor: Actor, sign_up: SignUp, reason: str = "") -> SignUp:
    """Approve a sign-up by hand. Locks the sign-up's row."""
    return move(actor, sign_up, SignUpStatus.APPROVED, reason or _("人工审核通过"))


def sign_up_decline(*, actor: User, sign_up: SignUp, reason: str) -> SignUp:
    """`do_sign_up_decline` by someone who manages the call-up."""
    require_manage(actor, sign_up.call_up.organisation)
    return do_sign_up_decline(actor=actor, sign_up=sign_up, reason=reason)


@transaction.atomic
def do_sign_up_decline(*, actor: Actor, sign_up: SignUp, reason: str) -> SignUp:
    """Decline a sign-up, with a reason the member reads. Locks the sign-up's row."""
    if not reason.strip():
        raise ValidationError({"reason": _("请写明不通过的原因,报名人可以看到。")})
    return move(actor, sign_up, SignUpStatus.DECLINED, reason)


def sign_up_withdraw(*, actor: User, sign_up: SignUp, reason: str = "") -> SignUp:
    """`do_sign_up_withdraw` by the member themselves (on their own page) or someone who
    manages the call-up."""
    if not access.is_self(actor, sign_up.member.user_id):
        require_manage(actor, sign_up.call_up.organisation)
    return do_sign_up_withdraw(actor=actor, sign_up=sign_up, reason=reason)


@transaction.atomic
def do_sign_up_withdraw(*, actor: Actor, sign_up: SignUp, reason: str = "") -> SignUp:
    """Take a sign-up back; a member deployed under it is recalled the same day. Locks
    the sign-up's row and its active deployments."""
    current = move(actor, sign_up, SignUpStatus.WITHDRAWN, reason)
    finish_deployments(current, DeploymentStatus.WITHDRAWN, timezone.localdate())
    return current


def finish_deployments(sign_up: SignUp, status: str, on: date) -> None:
    for deployment in Deployment.objects.select_for_update().filter(
        sign_up=sign_up, status=DeploymentStatus.ACTIVE
    ):
        deployment.status = status
        deployment.ends_on = max(min(deployment.ends_on, on), deployment.starts_on)
        deployment.save(update_fields=["status", "ends_on"])
