"""Error pages that say what went wrong in the user's language, never a stack trace.
Under /api/ they are JSON, `{"detail": ...}`, like the API's other errors."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.core import outbox
from jijie.core.middleware import API_PREFIX

# The header a page the service worker may keep carries (`offline_page`).
OFFLINE_HEADER = "X-Offline-Page"
# The static files a page used with no signal needs, kept by the service worker.
OFFLINE_ASSETS = (
    "vendor/pico.min.css",
    "jijie/site.css",
    "vendor/htmx.min.js",
    "jijie/picker.js",
    "jijie/outbox.js",
    "jijie/scanner.js",
    "vendor/jsQR.js",
    "jijie/icon.svg",
)

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


@require_POST
def sync(request: HttpRequest) -> HttpResponse:
    """The phone's outbox sent in (jijie/core/outbox.py): `{"items": [...]}` in, one
    result per item out, in the same order. A phone signed out is told so, not sent to
    the sign-in page: its items wait until the worker signs in again."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("登录已过期,请重新登录后同步。")}, status=401)
    try:
        items = outbox.read(json.loads(request.body or b"null"), request.user)
    except (ValueError, outbox.BatchError) as error:
        detail = str(error) if isinstance(error, outbox.BatchError) else _("请求的内容不正确。")
        return JsonResponse({"detail": detail}, status=400)
    return JsonResponse({"results": outbox.answer_all(items)})


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so that its scope is every page: the
    static file, with the static files it keeps for pages used with no signal."""
    assets = [static(name) for name in (*OFFLINE_ASSETS, *outbox.page_assets())]
    offline = (
        '<!DOCTYPE html><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(_('没有网络'))}</title><p>{escape(_('没有网络,这个页面没有保存在手机上。有网络时再打开。'))}</p>"
    )
    page = loader.get_template("core/sw.js").render(
        {
            "assets": json.dumps(assets),
            "version": hashlib.sha256(json.dumps(assets).encode()).hexdigest()[:12],
            "static_prefix": settings.STATIC_URL,
            "offline": json.dumps(offline, ensure_ascii=False),
        }
    )
    answer = HttpResponse(page, content_type="text/javascript; charset=utf-8")
    answer["Service-Worker-Allowed"] = "/"
    return answer


def offline_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a page the service worker may keep for use with no signal. Only pages that
    hold no personal data: the cache is on the phone, outside the app's reach."""

    @wraps(view)
    def marked(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        answer = view(request, *args, **kwargs)
        if answer.status_code == 200:
            answer[OFFLINE_HEADER] = "keep"
        return answer

    return marked
