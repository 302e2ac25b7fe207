"""What views need from a request: its signed-in user, when it signed in (a session
ends SESSION_MAX_HOURS after, whatever its activity), and the step-up of the second
factor (a code verified in this session a few minutes ago) before personal data is
shown or exported in full."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from jijie.accounts import mfa, selectors
from jijie.accounts.models import MfaDevice, User

STEP_UP_SESSION_KEY = "mfa_step_up"
SIGNED_IN_SESSION_KEY = "signed_in_at"


def actor(request: HttpRequest) -> User:
    """The signed-in user of a request (views behind login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def signed_in_mark(session: SessionBase, now: datetime) -> None:
    """Remember in the session when its user signed in."""
    session[SIGNED_IN_SESSION_KEY] = now.timestamp()


def session_over(session: SessionBase, now: datetime) -> bool:
    """Whether the session's user signed in more than SESSION_MAX_HOURS before `now`,
    however busy the session has been since. A session that does not know when (one
    started before this rule) counts from now."""
    signed_in = session.get(SIGNED_IN_SESSION_KEY)
    if not isinstance(signed_in, int | float):
        signed_in_mark(session, now)
        return False
    return bool(now.timestamp() - signed_in > settings.SESSION_MAX_HOURS * 3600)


def step_up_mark(session: SessionBase, device: MfaDevice) -> None:
    """Remember in the session that its user has just proved their second factor."""
    session[STEP_UP_SESSION_KEY] = {"device": device.pk, "at": timezone.now().timestamp()}


def step_up_fresh(request: HttpRequest) -> bool:
    """Whether this session verified a code within MFA_STEP_UP_MINUTES, with the device
    the user still has (a reset or a new enrolment voids older proofs)."""
    mark = request.session.get(STEP_UP_SESSION_KEY)
    if not isinstance(mark, dict) or not isinstance(request.user, User):
        return False
    age = timezone.now().timestamp() - float(mark.get("at", 0))
    if not 0 <= age <= settings.MFA_STEP_UP_MINUTES * 60:
        return False
    device = selectors.mfa_confirmed(user=request.user)
    return device is not None and device.pk == mark.get("device")


def step_up_redirect(request: HttpRequest, back_to: str = "") -> HttpResponse | None:
    """None when the session stepped up recently; otherwise a redirect to the code page,
    which comes back to `back_to` (default: this page) after a valid code."""
    if step_up_fresh(request):
        return None
    query = urlencode({"next": back_to or request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('accounts:mfa_verify')}?{query}")


def step_up_or_code(request: HttpRequest, code: str) -> None:
    """For the API: a session that stepped up recently, or a valid code sent with the
    call; otherwise 403 with what to do."""
    if step_up_fresh(request):
        return
    user = actor(request)
    if selectors.mfa_confirmed(user=user) is None:
        raise PermissionDenied(_("此操作需要两步验证:请先在网页的“两步验证”页面完成设置。"))
    if not code:
        raise PermissionDenied(_("此操作需要两步验证:请在请求中附上验证器上的动态码(code)。"))
    result = mfa.mfa_verify(user=user, code=code, request=request)
    if not result.ok:
        raise PermissionDenied(result.message)


def next_url(request: HttpRequest) -> str:
    """The `next` page of a request if it is one of ours, else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""
