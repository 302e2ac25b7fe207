"""Writes for accounts: sign-in and sign-out, users, role assignments, API tokens.
Each writes its audit row in the same transaction."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.accounts import mfa, requests, tokens
from jijie.accounts.models import ApiToken, RoleAssignment, User
from jijie.areas import access
from jijie.areas.models import Area, AreaKind
from jijie.areas.roles import Role
from jijie.audit.actors import NOBODY, Actor, SystemActor, account_of
from jijie.audit.services import audit_record
from jijie.core.queries import unique_or_none

# The area levels each role may be assigned at: a grid worker holds grids, not a city.
ROLE_LEVELS: dict[str, frozenset[str]] = {
    Role.COMMAND: frozenset({AreaKind.CITY, AreaKind.DISTRICT}),
    Role.WORKING_COMMITTEE: frozenset({AreaKind.CITY, AreaKind.DISTRICT}),
    Role.STREET_OFFICE: frozenset({AreaKind.STREET, AreaKind.TOWN}),
    Role.COMMUNITY_SECRETARY: frozenset({AreaKind.COMMUNITY, AreaKind.VILLAGE}),
    Role.COMMUNITY_WORKER: frozenset({AreaKind.COMMUNITY, AreaKind.VILLAGE}),
    Role.GRID_WORKER: frozenset({AreaKind.GRID}),
    Role.GATE_GUARD: frozenset({AreaKind.COMMUNITY, AreaKind.VILLAGE, AreaKind.GRID}),
    Role.MEMBER: frozenset({AreaKind.COMMUNITY, AreaKind.VILLAGE}),
    Role.INSPECTOR: frozenset({AreaKind.CITY, AreaKind.DISTRICT, AreaKind.STREET, AreaKind.TOWN}),
    Role.AUDITOR: frozenset({AreaKind.CITY, AreaKind.DISTRICT}),
}


@transaction.atomic
def session_login(*, request: HttpRequest, user: User) -> None:
    """Start a session for an authenticated user and record it."""
    login(request, user)
    requests.signed_in_mark(request.session, timezone.now())
    audit_record(actor=user, action="session.login", request=request)


# What the audit keeps of a typed username that names no account: enough to tell a spray
# of guessed names from one person's typo, too little to hold a password typed in the
# wrong field.
UNKNOWN_USERNAME_KEPT = 3


@transaction.atomic
def login_failure_record(*, request: HttpRequest | None, username: str) -> None:
    """Record a refused password sign-in: the account it named, or the first characters
    of a name that is none, and the client address (which the address limit counts)."""
    account = User.objects.filter(username=username).first()
    if account is None:
        typed = username.strip()
        kept = typed[:UNKNOWN_USERNAME_KEPT] + ("…" if len(typed) > UNKNOWN_USERNAME_KEPT else "")
        data = {"username": kept, "account": False}
    else:
        data = {"username": account.username, "account": True}
    audit_record(
        actor=NOBODY, action="session.login.failed", target=account, data=data, request=request
    )


@transaction.atomic
def session_expire(*, request: HttpRequest, user: User) -> None:
    """End a session that has lived its SESSION_MAX_HOURS since sign-in."""
    audit_record(actor=user, action="session.expired", request=request)
    logout(request)


@transaction.atomic
def session_logout(*, request: HttpRequest) -> None:
    user = request.user if request.user.is_authenticated else None
    if isinstance(user, User):
        audit_record(actor=user, action="session.logout", request=request)
    logout(request)


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    full_name: str = "",
    password_change_required: bool = False,
) -> User:
    """Create a user after the password rules (length, common passwords) accept it."""
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("用户名不能为空。")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名“%(name)s”已被使用。") % {"name": username}})
    user = User(
        username=username,
        full_name=full_name.strip(),
        password_change_required=password_change_required,
    )
    user.full_clean(exclude=["password"])  # the username's characters and length
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action="user.create", target=user)
    return user


def _check_role(role: str, area: Area) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("未知角色“%(role)s”。") % {"role": role}})
    if area.kind not in ROLE_LEVELS[role]:
        raise ValidationError(
            {
                "area": _("角色“%(role)s”不能分配在“%(kind)s”一级。")
                % {"role": Role(role).label, "kind": AreaKind(area.kind).label}
            }
        )


def _check_grant(actor: User, role: str, area: Area) -> None:
    """The role may sit at `area`, and `actor` may grant it there (404 out of sight)."""
    _check_role(role, area)
    if not access.may(actor, access.Action.AREA_VIEW, area):
        raise Http404
    if not access.may_grant(actor, role, area):
        raise PermissionDenied(
            _("您不能在“%(area)s”分配“%(role)s”角色。")
            % {"area": area.name, "role": Role(role).label}
        )


def role_assign(*, actor: User, user: User, role: str, area: Area) -> RoleAssignment:
    """`do_role_assign` by someone allowed to grant that role there
    (`access.grantable_roles`)."""
    _check_grant(actor, role, area)
    return do_role_assign(actor=actor, user=user, role=role, area=area)


@transaction.atomic
def do_role_assign(*, actor: Actor, user: User, role: str, area: Area) -> RoleAssignment:
    """Give `user` a role over `area`'s subtree. A superuser is never an auditor
    (`RoleAssignment.clean`). Takes no lock: the same grant twice at once is one row
    (the table's unique constraint)."""
    _check_role(role, area)
    RoleAssignment(user=user, role=role, area=area).clean()
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, area=area, defaults={"granted_by": account_of(actor)}
    )
    if created:
        audit_record(
            actor=actor,
            action="role.assign",
            target=user,
            area=area,
            data={"role": role, "area": area.code},
        )
    access.forget(user)
    if created and not isinstance(actor, SystemActor):
        # A role given by a person is a real account's: it enrols at sign-in. The system's
        # grants (fixtures, the demo) leave it to the first reveal; `grant_role` asks.
        mfa.mfa_enrolment_require(user=user, actor=actor)
    return assignment


@transaction.atomic
def role_revoke(*, actor: User, assignment: RoleAssignment) -> None:
    """Take a role away. The actor must be allowed to grant it, and nobody revokes their
    own roles (which could lock a community out of its own data)."""
    if assignment.user_id == actor.pk:
        raise ValidationError(_("不能撤销自己的角色,请由上级办理。"))
    _check_grant(actor, assignment.role, assignment.area)
    audit_record(
        actor=actor,
        action="role.revoke",
        target=assignment.user,
        area=assignment.area,
        data={"role": assignment.role, "area": assignment.area.code},
    )
    RoleAssignment.objects.filter(pk=assignment.pk).delete()
    access.forget(assignment.user)


@transaction.atomic
def account_open(
    *,
    actor: User,
    username: str,
    full_name: str,
    password: str,
    role: str,
    area: Area,
) -> User:
    """Open an account for a person and give them their first role, or nothing at all:
    an account without a role would be a login that sees nothing. The opener chose the
    password, so the person replaces it (and enrols a second factor, if the role asks
    for one) before anything else."""
    _check_grant(actor, role, area)
    user = user_create(
        actor=actor,
        username=username,
        password=password,
        full_name=full_name,
        password_change_required=True,
    )
    do_role_assign(actor=actor, user=user, role=role, area=area)
    return user


def _check_password(user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"new_password1": error.messages}) from None


@transaction.atomic
def password_change(*, request: HttpRequest, user: User, password: str) -> None:
    """The user sets a new password (the form checked the current one). The session goes
    on; the user's other sessions end. Clears a required change."""
    if user.check_password(password):
        raise ValidationError({"new_password1": _("新密码不能与当前密码相同。")})
    _check_password(user, password)
    was_required = user.password_change_required
    user.set_password(password)
    user.password_change_required = False
    user.save(update_fields=["password", "password_change_required"])
    update_session_auth_hash(request, user)
    audit_record(
        actor=user,
        action="password.change",
        target=user,
        data={"required": was_required},
        request=request,
    )


@transaction.atomic
def password_reset(*, actor: Actor, user: User, password: str, reason: str) -> None:
    """Someone else (`SYSTEM`: the system administrator's command) sets a user's password,
    for a forgotten one: the user replaces it at their next sign-in."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请写明重置的原因。")})
    _check_password(user, password)
    user.set_password(password)
    user.password_change_required = True
    user.save(update_fields=["password", "password_change_required"])
    audit_record(actor=actor, action="password.reset", target=user, reason=reason)
    tokens.tokens_end(actor=actor, user=user, why="password.reset")


@transaction.atomic
def token_create(
    *,
    user: User,
    name: str,
    scopes: Iterable[str] = tokens.ALL_SCOPES,
    days: int | None = None,
    now: datetime | None = None,
) -> str:
    """Create an API token and return its secret, which is shown once and never stored.
    The caller has checked the user's second factor where their roles need it (the
    tokens page does); `scopes` defaults to every part, for the system's own tokens."""
    chosen = sorted(set(scopes))
    unknown = set(chosen) - set(tokens.ALL_SCOPES)
    if not chosen or unknown:
        raise ValidationError({"scopes": _("请选择令牌可以调用的接口。")})
    life = tokens.lifetime(days)
    key = "jj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scopes=chosen,
        prefix=key[3:11],
        key_hash=tokens.key_hash(key),
        expires_at=(now or timezone.now()) + life,
    )
    audit_record(
        actor=user,
        action="token.create",
        target=token,
        data={"name": name, "scopes": chosen, "days": life.days},
    )
    return key


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise ValidationError(_("只能吊销自己的令牌。"))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(actor=actor, action="token.revoke", target=token)


def token_authenticate(key: str, *, scope: str) -> User | None:
    """The user behind a live bearer token, or None; 403 when the token is live but may
    not call `scope` (the part of the API asked: `/api/<scope>/…`). Touches
    `last_used_at` when `tokens.needs_touch`."""
    now = timezone.now()
    token = unique_or_none(
        ApiToken.objects.select_related("user").filter(
            tokens.live_q(now), key_hash=tokens.key_hash(key)
        )
    )
    if token is None:
        return None
    user = token.user
    if not tokens.may_call(token, scope):
        raise PermissionDenied(_("此令牌不能调用这部分接口,请创建包含它的令牌。"))
    if tokens.needs_touch(token.last_used_at, now):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
