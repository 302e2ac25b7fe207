"""The fast path of `POST /api/gates/scans`: one scan sent by a phone with its bearer
token, answered in two statements instead of the API's six.

A gate at rush hour sends a scan every few seconds, and a district has hundreds of
gates; through the ORM, one scan cost about 7 ms of Python, most of it building and
reading six small statements (docs/decisions.md). Here the token, the user's roles over
the gate, the gate, the response in force, its rule and the scanned pass are read in
one hand-written statement (`selectors.scan_context`), the rules decide as they always
do (`services.scan_judge`), and the scan is stored with one insert (`services.scan_save`).

The API's own view stays the reference: this path answers only what it is sure of, a
scan it stores, a replay of one, or an id reused (409), exactly as the view would, and
hands every other request to the view untouched and unanswered: no token or a dead
one, a gate out of sight or missing, a role that may not scan, no response in force,
a body that does not validate, a token whose use is due to be written down. Nothing is
written before it knows it will answer. `GATES_FAST_SCAN = False` turns it off.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel
from pydantic import ValidationError as SchemaError

from jijie.accounts.services import token_hash, token_needs_touch
from jijie.gates import selectors, services
from jijie.gates.api import ErrorOut, ScanIn, scan_data, scan_out

CONTENT_TYPE = "application/json; charset=utf-8"  # as the API's renderer answers


def _bearer(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer …` header, read as the API reads it."""
    parts = request.META.get("HTTP_AUTHORIZATION", "").split(" ")
    if parts[0].lower() != "bearer":
        return None
    return " ".join(parts[1:])


def _json(status: int, body: BaseModel) -> HttpResponse:
    content = json.dumps(body.model_dump(), cls=NinjaJSONEncoder).encode()
    response = HttpResponse(content, status=status, content_type=CONTENT_TYPE)
    response["Content-Length"] = str(len(content))  # as the common middleware sets it
    return response


def answer(request: HttpRequest) -> HttpResponse | None:
    """The answer to a scan posted with a bearer token, or None for the API's view to
    answer (see the module's docstring)."""
    key = _bearer(request)
    if not key:
        return None
    try:
        payload = ScanIn.model_validate(json.loads(request.body))
    except (ValueError, SchemaError):  # not JSON, or not a scan: the view says why
        return None
    now = timezone.now()
    context = selectors.scan_context(
        key_hash=token_hash(key), gate_id=payload.gate_id, token=payload.token, now=now
    )
    if (
        context is None
        or not context.may_scan
        or context.response is None
        or token_needs_touch(context.token_last_used_at, now)
    ):
        return None
    try:
        scan = services.scan_judge(
            gate=context.gate,
            response=context.response,
            rule=context.rule,
            data=scan_data(payload),
            recorded_by_id=context.user_id,
            passes=context.passes,
        )
    except ValidationError:
        return None
    try:
        result = services.scan_save(scan)
    except services.ScanConflictError as error:
        return _json(409, ErrorOut(detail=str(error)))
    return _json(201 if result.is_new else 200, scan_out(result.scan))


class FastScanMiddleware:
    """Answers `POST /api/gates/scans` by `answer` when it can, before the rest of the
    middleware and the URL resolver run. It sits after the locale middleware, so that
    the rules' messages are in the phone's language, and after those that only add
    headers to a response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.path: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and getattr(settings, "GATES_FAST_SCAN", True):
            if self.path is None:
                self.path = reverse("api:gates_scan")
            if request.path_info == self.path:
                response = answer(request)
                if response is not None:
                    return response
        return self.get_response(request)
