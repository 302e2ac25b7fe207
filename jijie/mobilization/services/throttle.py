"""How often a public sign-up link may be posted to: per client address and per link,
within a sliding window. The counts live in the database (`SignUpAttempt`) so that every
worker process shares them; a row is written per attempt let through and dropped once
the window has passed, so the table holds one window's attempts at most.

The limits are Django settings (docs/operations.md), read when an attempt is made:
`SIGN_UP_ATTEMPTS_PER_ADDRESS` (30), `SIGN_UP_ATTEMPTS_PER_LINK` (1,000) and
`SIGN_UP_ATTEMPTS_WINDOW_MINUTES` (10)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from jijie.mobilization.models import SignUpAttempt

# One person needs a few attempts (a typo in an ID number); a unit's office behind one
# address signs up together, so the limit per address is well above one person's.
PER_ADDRESS = 30
# The 2020 call-ups took ten thousand sign-ups over days, a few hundred in the busiest
# ten minutes: a link's limit three times that stops a flood without stopping a rush.
PER_LINK = 1000
WINDOW_MINUTES = 10


@dataclass(frozen=True)
class Limits:
    per_address: int
    per_link: int
    window: timedelta


def limits() -> Limits:
    return Limits(
        per_address=getattr(settings, "SIGN_UP_ATTEMPTS_PER_ADDRESS", PER_ADDRESS),
        per_link=getattr(settings, "SIGN_UP_ATTEMPTS_PER_LINK", PER_LINK),
        window=timedelta(
            minutes=getattr(settings, "SIGN_UP_ATTEMPTS_WINDOW_MINUTES", WINDOW_MINUTES)
        ),
    )


def _network(address: str | None) -> str:
    """The address an attempt is counted by: an IPv6 client by its /64, which one
    subscriber holds whole."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _key(kind: str, value: str) -> str:
    return salted_hmac("jijie.mobilization.sign_up_attempt", f"{kind}:{value}").hexdigest()


@transaction.atomic
def sign_up_attempt(*, address: str | None, token: str, now: datetime | None = None) -> bool:
    """Count one attempt on the sign-up link `token` from `address`; False (and nothing
    counted) when either has reached its limit within the window. Not audited: an
    attempt is not a change to anyone's data, and a flood must not grow the audit log."""
    now = now or timezone.now()
    rules = limits()
    since = now - rules.window
    SignUpAttempt.objects.filter(at__lt=since).delete()
    keys = [
        (_key("address", _network(address)), rules.per_address),
        (_key("link", token), rules.per_link),
    ]
    for key, limit in keys:
        if SignUpAttempt.objects.filter(key=key, at__gte=since).count() >= limit:
            return False
    SignUpAttempt.objects.bulk_create(SignUpAttempt(key=key, at=now) for key, _limit in keys)
    return True


def sign_up_too_often() -> str:
    """What a client over a limit is told (the same for either limit)."""
    minutes = int(limits().window.total_seconds() // 60)
    return _("报名提交过于频繁,请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
