"""Authentication backends around Django's ModelBackend that throttle and audit password
sign-ins per client address, whichever login page the password was typed on.

django-axes pauses a username on an address (AXES_LOCKOUT_PARAMETERS). Its parameter
sets share one failure limit, and a success resets every set it matched, the address's
too: one valid account would wipe the count of a password spray. So the address limit
is counted here, from the audit log, which nothing resets.

Order in AUTHENTICATION_BACKENDS: axes, `AddressThrottleBackend`, ModelBackend,
`FailedLoginAuditBackend`. Django stops at the first backend that returns a user or
raises PermissionDenied, so the last one runs only when the password was checked and
refused. Neither has `get_user`: they never sign anyone in, and a session (or a test's
`force_login`) names the backend that did.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from jijie.accounts import selectors, services
from jijie.audit.services import client_ip

PAUSED_BY_ADDRESS = "jijie_login_paused_by_address"


class AddressThrottleBackend:
    """Refuse any password, right or wrong, from an address with too many recent failed
    sign-ins (LOGIN_ADDRESS_FAILURE_LIMIT over LOGIN_COOLOFF_MINUTES), before it is
    checked. The request is marked so that the login page can say why."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        address = client_ip(request)
        if request is None or address is None:
            return None
        if selectors.login_address_paused(address=address):
            setattr(request, PAUSED_BY_ADDRESS, True)  # read by the login view
            raise PermissionDenied
        return None


class FailedLoginAuditBackend:
    """Reached only when every backend before it refused the credentials: record the
    failure in the audit log, which is also what the address limit counts."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **credentials: Any
    ) -> None:
        if username is not None:
            services.login_failure_record(request=request, username=username)
        return None
