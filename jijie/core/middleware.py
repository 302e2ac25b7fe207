"""What every answer of the app carries, and which requests save a session.

Static files never reach these: WhiteNoise answers them before, with their own caching.
"""

from __future__ import annotations

import base64
import hashlib

from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


# The inline code the templates hold, each allowed by its hash alone. Better moved to a
# static file; jijie/core/tests/test_response_headers.py fails on one the policy does not allow.
INLINE_HANDLERS = ("window.print(); return false;",)  # duty/roster.html: the print link
INLINE_STYLES = (
    # duty/roster.html: what a printed roster leaves out
    "\n    @media print { nav, .no-print, footer { display: none !important; }"
    " table { font-size: 11pt; } }\n  ",
)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # Scripts from our own static files only (htmx, the gates' scan page, the API
        # docs' Swagger UI); inline event handlers only those listed above.
        " ".join(["script-src 'self'", "'unsafe-hashes'", *map(_sha256, INLINE_HANDLERS)]),
        " ".join(["style-src 'self'", *map(_sha256, INLINE_STYLES)]),
        # style="" attributes (a tree's indentation, Swagger UI's icons) cannot run code.
        "style-src-attr 'unsafe-inline'",
        # Pico's form controls draw their marks with data: SVG images.
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ResponseHeadersMiddleware(MiddlewareMixin):
    """Every answer the app makes may hold personal data (a household's page, a search,
    a reveal, a new token's secret), so none is kept by a browser's or a proxy's cache;
    and a page runs only the scripts and styles it was built with."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.status_code == 405 and request.path.startswith(API_PREFIX):
            response = _method_not_allowed_as_json(response)
        patch_cache_control(response, no_store=True)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


def _method_not_allowed_as_json(response: HttpResponseBase) -> HttpResponseBase:
    """django-ninja answers a method a path does not take in plain text; the API answers
    every error as `{"detail": ...}`."""
    if response.get("Content-Type", "").startswith("application/json"):
        return response
    answer = JsonResponse({"detail": _("该地址不接受这种请求方法。")}, status=405)
    answer["Allow"] = response.get("Allow", "")
    return answer


class ReadSessionMiddleware(SessionMiddleware):
    """Django's session middleware, saving only a session that was read or written.

    A session ends after `SESSION_COOKIE_AGE` of idle time, so each request that uses it
    pushes its expiry forward. Django's SESSION_SAVE_EVERY_REQUEST did that, but it also
    saved the session of requests that never opened it: with a cookie naming no session
    (an expired one, or made up), each such request stored a new empty session (30
    requests to /healthz, 30 rows). A session is opened when a page asks who is signed
    in, so a signed-in user's pages still push it forward; health checks, bearer-token
    API calls and anonymous pages leave the table alone."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        # Read, a session whose key named no row has no key left and is empty.
        if session is not None and session.accessed and not session.is_empty():
            session.modified = True
        return super().process_response(request, response)
