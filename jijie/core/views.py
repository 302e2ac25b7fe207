"""Error pages that say what went wrong in the user's language, never a stack trace.
Under /api/ they are JSON, `{"detail": ...}`, like the API's other errors."""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from jijie.core.middleware import API_PREFIX

# get_object_or_404's message names a model, in English, for developers.
_DJANGO_NOT_FOUND = re.compile(r"^No \w+ matches the given query\.$")


def _message(exception: Exception | None, default: str) -> str:
    """The exception's own message where the app wrote it for users, else `default`."""
    text = str(exception) if exception is not None and exception.args else ""
    # Django's own resolver messages are dicts/paths meant for developers.
    if not text or text.startswith("{") or text.startswith("/"):
        return default
    if isinstance(exception, Http404) and _DJANGO_NOT_FOUND.match(text):
        return default
    return text


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=status)
    return render(
        request,
        "core/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A SuspiciousOperation's message (a refused Host header, too many fields) is for
    # the log, and names settings; a BadRequest the app raises says what to correct.
    if not isinstance(exception, BadRequest) or isinstance(exception, SuspiciousOperation):
        exception = None
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
    """Rendered with no request context: what failed may be the database, or the
    context processors themselves (the menu reads the user's roles)."""
    message = _("系统出错了,已记录。请稍后再试。")
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=500)
    page = loader.get_template("500.html").render({"message": message})
    return HttpResponse(page, status=500)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
