"""Deployments (下沉): one member to one community for a period, under quota and
overlap checks."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas.models import Area
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.mobilization.models import (
    CallUp,
    Deployment,
    DeploymentStatus,
    Member,
    SignUp,
    SignUpStatus,
)
from jijie.mobilization.selectors import overlap_of, quota_left
from jijie.mobilization.services.base import require_manage
from jijie.mobilization.services.moves import finish_deployments, locked_sign_up, move, refuse_move

if TYPE_CHECKING:
    from jijie.accounts.models import User


def overlap_error(member: Member, other: Deployment) -> ValidationError:
    return ValidationError(
        _(
            "%(name)s 已在 %(start)s 至 %(end)s 下沉到“%(community)s”,时间重叠:一个人不能同时在两处。"
        )
        % {
            "name": member.name,
            "start": other.starts_on.isoformat(),
            "end": other.ends_on.isoformat(),
            "community": other.community.name,
        },
        code="overlap",
    )


def check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})


def deployment_create(
    *,
    actor: User,
    sign_up: SignUp,
    community: Area,
    starts_on: date,
    ends_on: date,
) -> Deployment:
    """`do_deployment_create` by someone who manages the call-up."""
    require_manage(actor, sign_up.call_up.organisation)
    return do_deployment_create(
        actor=actor, sign_up=sign_up, community=community, starts_on=starts_on, ends_on=ends_on
    )


@transaction.atomic
def do_deployment_create(
    *,
    actor: Actor,
    sign_up: SignUp,
    community: Area,
    starts_on: date,
    ends_on: date,
) -> Deployment:
    """Sink an approved member to one of the call-up's communities for a period.

    Refused: a sign-up not approved, a community the call-up does not target, a full
    community or call-up, a period overlapping the member's other active deployment.
    Locks the call-up's row for the quotas, then the sign-up's, then the member's for
    the overlap, so two committees deploying at once cannot both take the last place or
    the same person.
    """
    check_period(starts_on, ends_on)
    call_up = CallUp.objects.select_for_update().get(pk=sign_up.call_up_id)
    current = locked_sign_up(sign_up)
    if current.status != SignUpStatus.APPROVED:
        raise refuse_move(current, SignUpStatus.DEPLOYED)
    member = Member.objects.select_for_update().get(pk=current.member_id)
    total_left, left = quota_left(call_up)
    if community.pk not in left:
        raise ValidationError(
            {"community": _("“%(name)s”不是本次集结号的下沉社区。") % {"name": community.name}}
        )
    if left[community.pk] <= 0:
        raise ValidationError(
            {"community": _("“%(name)s”的名额已满。") % {"name": community.name}}, code="quota"
        )
    if total_left <= 0:
        raise ValidationError(
            _("本次集结号的 %(quota)s 个下沉名额已满。") % {"quota": call_up.quota}, code="quota"
        )
    other = overlap_of(member, starts_on, ends_on)
    if other is not None:
        raise overlap_error(member, other)
    deployment = Deployment.objects.create(
        sign_up=current,
        member=member,
        community=community,
        community_path=community.path,
        residence_id=member.residence_id,
        residence_path=member.residence_path,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=account_of(actor),
    )
    current.status = SignUpStatus.DEPLOYED
    current.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="deployment.create",
        target=deployment,
        area=community,
        data={"sign_up": current.pk},
    )
    return deployment


def deployment_end(*, actor: User, deployment: Deployment, on: date | None = None) -> SignUp:
    """`do_deployment_end` by someone who manages the call-up."""
    require_manage(actor, deployment.sign_up.call_up.organisation)
    return do_deployment_end(actor=actor, deployment=deployment, on=on)


def do_deployment_end(*, actor: Actor, deployment: Deployment, on: date | None = None) -> SignUp:
    """End a member's deployment (the work is done); the sign-up ends with it."""
    return do_sign_up_end(actor=actor, sign_up=deployment.sign_up, on=on)


def sign_up_end(*, actor: User, sign_up: SignUp, on: date | None = None) -> SignUp:
    """`do_sign_up_end` by someone who manages the call-up."""
    require_manage(actor, sign_up.call_up.organisation)
    return do_sign_up_end(actor=actor, sign_up=sign_up, on=on)


@transaction.atomic
def do_sign_up_end(*, actor: Actor, sign_up: SignUp, on: date | None = None) -> SignUp:
    """End the deployment under a deployed sign-up (the work is done), as of `on`.
    Locks the sign-up's row and its active deployments."""
    current = move(actor, sign_up, SignUpStatus.ENDED, "")
    finish_deployments(current, DeploymentStatus.ENDED, on or timezone.localdate())
    return current
