"""What every answer of the app carries, and which requests save a session.

Static files never reach these: WhiteNoise answers them before, with their own caching.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from collections.abc import Callable, Sequence
from functools import cache
from typing import TypeAlias

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
# When a session was last saved (jijie.core.middleware.ReadSessionMiddleware).
TOUCHED_SESSION_KEY = "touched_at"
IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


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
    """Django's session middleware, saving only a session that was read or written, and
    a session only read at most once every `SESSION_TOUCH_SECONDS`.

    A session ends after `SESSION_COOKIE_AGE` of idle time, so a request that uses it
    pushes its expiry forward. Django's SESSION_SAVE_EVERY_REQUEST did that, but it also
    saved the session of requests that never opened it: with a cookie naming no session
    (an expired one, or made up), each such request stored a new empty session (30
    requests to /healthz, 30 rows). A session is opened when a page asks who is signed
    in, so a signed-in user's pages still push it forward; health checks, bearer-token
    API calls and anonymous pages leave the table alone.

    Pushing the expiry is a write (an UPDATE and its commit) for every page read. A
    session that was only read is saved when its last save is `SESSION_TOUCH_SECONDS`
    old or more (the time is kept in the session): the idle time it is allowed can come
    out at most that much short. A session written to is saved as always."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        # Read, a session whose key named no row has no key left and is empty.
        if session is not None and session.accessed and not session.is_empty():
            now = timezone.now().timestamp()
            touched = session.get(TOUCHED_SESSION_KEY)
            if (
                session.modified
                or not isinstance(touched, int | float)
                or not 0 <= now - touched < settings.SESSION_TOUCH_SECONDS
            ):
                session[TOUCHED_SESSION_KEY] = now
        return super().process_response(request, response)


class ForwardedForMiddleware:
    """The client's address in `REMOTE_ADDR` when a trusted proxy passed the request on.

    Behind nginx, the WSGI workers see nginx's address; nginx names the client in
    `X-Forwarded-For`. Where the peer is one of `settings.FORWARDED_ALLOW_IPS` (the
    same list, and the same reading, as uvicorn's: `127.0.0.1` by default, `*` for any),
    the address is the header's last hop that is not itself a trusted proxy. The login
    throttle, the sign-up limits and the audit rows read it. A request from any other
    peer keeps its own address, so a client cannot name itself by the header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        client = forwarded_client(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR", ""),
            settings.FORWARDED_ALLOW_IPS,
        )
        if client:
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


def forwarded_client(peer: str, header: str, trusted: Sequence[str]) -> str | None:
    """The client's address behind the trusted proxies (addresses or networks, `*` for
    any), or None to keep the peer's."""
    networks = _networks(tuple(trusted))
    if not header or not _within(peer, networks):
        return None
    hops = [hop.strip() for hop in header.split(",")]
    if networks is None:  # every proxy trusted: the first hop is the client
        hops = hops[:1]
    for hop in reversed(hops):
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return None  # not an address: the peer's own is kept
        if networks is None or not _within(hop, networks):
            return str(address)
    return None


@cache
def _networks(trusted: tuple[str, ...]) -> tuple[IPNetwork, ...] | None:
    """The trusted proxies' networks; None when every peer is trusted."""
    if "*" in trusted:
        return None
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted)


def _within(host: str, networks: tuple[IPNetwork, ...] | None) -> bool:
    if networks is None:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)
