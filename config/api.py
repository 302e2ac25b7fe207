"""The JSON API: one NinjaAPI, session or bearer-token auth, each app's router mounted.
The OpenAPI schema is at /api/openapi.json and its documentation at /api/docs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, SessionAuth

from jijie.accounts.api import router as accounts_router
from jijie.accounts.services import token_authenticate
from jijie.areas.api import router as areas_router
from jijie.core.openapi import DocumentedAPI
from jijie.funds.api import router as funds_router
from jijie.gates.api import router as gates_router
from jijie.mobilization.api import router as mobilization_router
from jijie.problems.api import router as problems_router
from jijie.reports.api import router as reports_router
from jijie.residents.api import router as residents_router
from jijie.screening.api import router as screening_router
from jijie.supplies.api import router as supplies_router


class TokenAuth(HttpBearer):
    """A bearer token (jijie.accounts.tokens), for the part of the API it may call: the
    first segment of the path under /api/ (each router's mount point)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        scope = request.path_info.removeprefix("/api/").split("/", 1)[0]
        user = token_authenticate(token, scope=scope)
        if user is not None:
            request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """The signed-in browser's session, its CSRF token checked. A request with no
    session cookie has no session to check: without this, a phone whose bearer token
    had died was answered 403 "CSRF check Failed" instead of 401."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


api = DocumentedAPI(
    title="Jijie API",
    version="1",
    description="集结 — community-level emergency response. All data is scoped to the "
    "caller's areas; out-of-scope records answer 404.",
    auth=[TokenAuth(), BrowserSessionAuth()],
    urls_namespace="api",
)


def _detail(exc: Exception, default: str) -> str:
    return str(exc) if exc.args and str(exc) else default


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"detail": _detail(exc, _("没有找到,或不在您的管辖范围内。"))}, status=404
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": _detail(exc, _("您的角色不能进行此操作。"))}, status=403
    )


@api.exception_handler(BadRequest)
def bad_request(request: HttpRequest, exc: BadRequest) -> HttpResponse:
    return api.create_response(request, {"detail": _detail(exc, _("请求有误。"))}, status=400)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("请先登录,或提供有效的令牌。")}, status=exc.status_code
    )


@api.exception_handler(HttpError)
def refused(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own refusals (a body that is not JSON, a session request without
    its CSRF token), said in the user's language rather than in English."""
    detail = {
        400: _("请求的内容无法解析。"),
        403: _("请求缺少有效的 CSRF 令牌,请刷新页面后重试。"),
    }.get(exc.status_code, str(exc))
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = {
            field: [str(m) for e in errs for m in e.messages]
            for field, errs in exc.error_dict.items()
        }
        detail = "; ".join(f"{f}: {' '.join(m)}" for f, m in errors.items())
        return api.create_response(request, {"detail": detail, "errors": errors}, status=400)
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=400)


api.add_router("/accounts", accounts_router)
api.add_router("/areas", areas_router)
api.add_router("/residents", residents_router)
api.add_router("/mobilization", mobilization_router)
api.add_router("/gates", gates_router)
api.add_router("/supplies", supplies_router)
api.add_router("/funds", funds_router)
api.add_router("/problems", problems_router)
api.add_router("/reports", reports_router)
api.add_router("/screening", screening_router)
