"""Bearer tokens for phones and other systems: made, checked, ended.

The rules every reader of tokens shares; making, revoking and authenticating are
services (`jijie.accounts.services.token_*`). A token is made by its user on the tokens page, with a fresh second factor where their
roles have one (the view asks for it); it names the parts of the API it may call
(`TokenScope`) and lives `API_TOKEN_DAYS` unless its maker chooses a life up to
`API_TOKEN_MAX_DAYS`. Only its SHA-256 is stored. A token stops working when it expires,
is revoked, or its user is disabled or has a step to take first (a password someone
else set, a second factor to enrol: jijie.accounts.middleware) — and such a step ends
every token the user had, so that a reset account's old phones do not come back to life
with the new password.

The scan lane (jijie.gates.lane) reads tokens in its own SQL
(`gates.selectors.scan_contexts_statement`) and asks `live_sql` of them: the same rule.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.accounts.models import ApiToken, TokenScope, User
from jijie.audit.actors import Actor
from jijie.audit.services import audit_record

TOUCH_EVERY = timedelta(minutes=1)
# Every token may ask whose it is.
ALWAYS_OPEN = "accounts"
ALL_SCOPES: tuple[str, ...] = tuple(TokenScope.values)


def live_q(now: datetime) -> Q:
    """Tokens live at `now`: not revoked, not expired, of a user who is active and has
    no step to take first. `live_sql` is the same rule in SQL."""
    return Q(
        revoked_at__isnull=True,
        expires_at__gt=now,
        user__is_active=True,
        user__password_change_required=False,
        user__mfa_enrolment_required=False,
    )


def may_call(token: ApiToken, scope: str) -> bool:
    """Whether `token` may call `scope`, the part of the API asked."""
    return scope == ALWAYS_OPEN or scope in token.scopes


def live_sql(*, now: str, scope: str) -> str:
    """`live_q` and `may_call` as one PostgreSQL condition, for the scan lane: the token
    `t` of the user `u` is live at `now` (an SQL expression) and may call `scope`.
    Fragments of ours; the scope is one of ours, checked here."""
    if scope not in (*ALL_SCOPES, ALWAYS_OPEN):
        raise ValueError(scope)
    live = (
        f"t.revoked_at IS NULL AND t.expires_at > {now} AND u.is_active"
        " AND NOT u.password_change_required AND NOT u.mfa_enrolment_required"
    )
    if scope == ALWAYS_OPEN:
        return live
    return f"{live} AND t.scopes @> '[\"{scope}\"]'::jsonb"


def key_hash(key: str) -> str:
    """What is stored of a token, and looked up."""
    return hashlib.sha256(key.encode()).hexdigest()


def needs_touch(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a use of a token at `now` is written down: at most once a minute, so that
    a busy phone does not write on every request."""
    return last_used_at is None or now - last_used_at > TOUCH_EVERY


def lifetime(days: int | None = None) -> timedelta:
    """A token's life: `days` if given (1 to API_TOKEN_MAX_DAYS), else API_TOKEN_DAYS."""
    chosen = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= chosen <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": _("令牌有效期为 1 至 %(max)s 天。") % {"max": settings.API_TOKEN_MAX_DAYS}}
        )
    return timedelta(days=chosen)


def tokens_end(*, actor: Actor, user: User, why: str) -> int:
    """End every live token of `user` (their password was reset, their second factor
    must be enrolled again), in the caller's transaction. Returns how many ended."""
    ended = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if ended:
        audit_record(
            actor=actor, action="token.end", target=user, data={"why": why, "count": ended}
        )
    return ended
