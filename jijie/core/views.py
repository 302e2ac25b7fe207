"""Error pages that say what went wrong in the user's language, never a stack trace."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _message(exception: Exception | None, default: str) -> str:
    text = str(exception) if exception is not None and exception.args else ""
    # Django's own resolver messages are dicts/paths meant for developers.
    if not text or text.startswith("{") or text.startswith("/"):
        return default
    return text


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(
        request,
        "core/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("请求有误"), _message(exception, _("请求的内容不正确。")))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("无权操作"), _message(exception, _("您的角色不能进行此操作。")))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        _("没有找到"),
        _message(exception, _("没有找到该页面,或它不在您的管辖范围内。")),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("系统出错"), _("系统出错了,已记录。请稍后再试。"))


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
