"""What an account meets before anything else. A session that signed in more than
SESSION_MAX_HOURS ago ends, however busy it was. Then the steps: replace a password
someone else chose (`User.password_change_required`), then enrol the second factor its
roles ask for (`User.mfa_enrolment_required`). Until then every page leads to the step's page, and
the API answers 403 to such a session; the step's own pages, signing out, static files,
health checks and bearer tokens' calls stay open (the tokens of a user with a step to
take are refused, and ended when the step is set: jijie.accounts.tokens).

The flags are set where an account gets a password or a role from someone else
(`account_open`, `password_reset`, a role given by a person, `mfa_reset`), not for
every account holding such a role: the system's own grants (the demo, test fixtures)
leave enrolment to the first reveal, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import get_user
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from jijie.accounts import requests, selectors, services
from jijie.accounts.models import User
from jijie.areas import access

PASSWORD = "password"  # noqa: S105 - the name of a step, not a password
MFA = "mfa"

STEP_PAGES = {
    PASSWORD: ("accounts:password_change",),
    MFA: ("accounts:mfa", "accounts:mfa_start", "accounts:mfa_confirm"),
}
ALWAYS_OPEN = ("accounts:logout", "set_language", "accounts:healthz")


def pending_step(user: User) -> str | None:
    """The first step the user still has to take, if any."""
    if user.password_change_required:
        return PASSWORD
    if (
        user.mfa_enrolment_required
        and access.requires_mfa(user)
        and selectors.mfa_confirmed(user=user) is None
    ):
        return MFA
    return None


def _step_message(step: str) -> str:
    if step == PASSWORD:
        return _("您的密码由他人设置,请先在网页上修改密码,再继续使用。")
    return _("您的角色需要两步验证,请先在网页上完成设置,再继续使用。")


class AccountSetupMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Decided before `request.user` opens the session: a health check or a bearer
        # token's call leaves the session alone (jijie.core.middleware.ReadSessionMiddleware).
        if self._session_free(request):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if isinstance(user, SimpleLazyObject):
            # Read here anyway: the account itself from now on, not the lazy proxy
            # that every one of a page's hundreds of reads of it would go through.
            request.user = user = get_user(request)
        if isinstance(user, User) and requests.session_over(request.session, timezone.now()):
            # Signed in too long ago: signed out, the request goes on as anonymous (a
            # page leads to the sign-in, the API answers 401).
            services.session_expire(request=request, user=user)
            messages.info(
                request,
                _("您已登录超过 %(hours)s 小时,请重新登录。")
                % {"hours": settings.SESSION_MAX_HOURS},
            )
            return self.get_response(request)
        step = pending_step(user) if isinstance(user, User) and user.is_active else None
        if step is None or self._open(request.path_info, step):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _step_message(step)}, status=403)
        page = reverse(STEP_PAGES[step][0])
        if request.method == "GET":
            page = f"{page}?{urlencode({'next': request.get_full_path()})}"
        return HttpResponseRedirect(page)

    @staticmethod
    def _session_free(request: HttpRequest) -> bool:
        path = request.path_info
        if settings.STATIC_URL and path.startswith(str(settings.STATIC_URL)):
            return True
        if (
            request.headers.get("Authorization", "").startswith("Bearer ")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            # The token names the user. With a session cookie too, the API falls back
            # to the session when the token is refused, so the session is checked.
            return True
        return path in {reverse(name) for name in ALWAYS_OPEN}

    @staticmethod
    def _open(path: str, step: str) -> bool:
        return path in {reverse(name) for name in STEP_PAGES[step]}
