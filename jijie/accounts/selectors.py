"""Reads for accounts: the audit log in the reader's scope, a user's tokens, people whose
roles one manages, second factors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from jijie.accounts import tokens
from jijie.accounts.models import ApiToken, MfaDevice, RoleAssignment, User
from jijie.areas import access
from jijie.audit.models import AuditEvent


def audit_list(
    *, actor: User | AnonymousUser, action: str = "", username: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(access.audit_filter(actor)).select_related("actor")
    if action:
        events = events.filter(action__startswith=action)
    if username:
        events = events.filter(actor_label=username)
    return events.order_by("-seq")


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def people_list(*, actor: User | AnonymousUser) -> QuerySet[RoleAssignment]:
    """Role assignments in the areas where `actor` may grant roles."""
    return (
        RoleAssignment.objects.filter(
            access.path_filter(actor, access.Action.ROLE_GRANT, path_field="area__path")
        )
        .select_related("user", "area")
        .order_by("area__path", "user__username", "role")
    )


def managed_user(*, actor: User | AnonymousUser, pk: int) -> User:
    """A user holding a role where `actor` may grant roles; 404 for anyone else."""
    user = User.objects.filter(pk=pk, role_assignments__in=people_list(actor=actor)).first()
    if user is None:
        raise Http404
    return user


def mfa_device(*, user: User) -> MfaDevice | None:
    """The user's second factor, confirmed or waiting for its first code."""
    return MfaDevice.objects.filter(user=user).first()


def mfa_confirmed(*, user: User) -> MfaDevice | None:
    return MfaDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def recovery_codes_left(*, device: MfaDevice) -> int:
    return device.recovery_codes.filter(used_at__isnull=True).count()


def appointed_by(*, granter: User, user: User, since: datetime) -> bool:
    """Whether `granter` gave `user` any role, ever, or someone `granter` gave a role
    to gave `user` one since `since`: read from the audit log, which a revoked role
    does not erase."""
    grants = AuditEvent.objects.filter(action="role.assign", target_type="accounts.user")
    if grants.filter(actor=granter, target_id=str(user.pk)).exists():
        return True
    appointees = grants.filter(actor=granter).values_list("target_id", flat=True)
    return grants.filter(
        target_id=str(user.pk),
        actor_id__in=[int(pk) for pk in appointees if pk.isdigit()],
        at__gte=since,
    ).exists()


def login_address_paused(*, address: str) -> bool:
    """Whether an address has had LOGIN_ADDRESS_FAILURE_LIMIT failed sign-ins, on any
    usernames, within the cool-off: counted from the audit log, which a successful
    sign-in does not reset."""
    cooloff: timedelta = settings.AXES_COOLOFF_TIME
    failures = AuditEvent.objects.filter(
        action="session.login.failed", ip_address=address, at__gte=timezone.now() - cooloff
    )
    limit: int = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    return failures.count() >= limit


@dataclass(frozen=True)
class Profile:
    """What the user's own page shows of their account."""

    roles: list[RoleAssignment]
    mfa_required: bool
    mfa_on: bool
    live_tokens: int


def profile_of(*, user: User, now: datetime | None = None) -> Profile:
    now = now or timezone.now()
    return Profile(
        roles=access.assignments(user),
        mfa_required=access.requires_mfa(user),
        mfa_on=mfa_confirmed(user=user) is not None,
        live_tokens=token_list(user=user).filter(tokens.live_q(now)).count(),
    )
