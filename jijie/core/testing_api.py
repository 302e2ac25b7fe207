"""Test support for the JSON API: a case schemathesis generated, sent through Django's
test client (inside the test's transaction, as no real server could be), and its answer
handed back in the form schemathesis's checks read. Imported only by tests."""

from __future__ import annotations

import http.client
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import requests
from django.test import Client
from schemathesis import Case as AnyCase
from schemathesis import Response

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

Case = AnyCase[Any]


def _has_body(case: Case) -> bool:
    return case.body is not None and type(case.body).__name__ != "NotSet"


def case_path(case: Case) -> str:
    path = case.formatted_path
    if case.query:
        path += "?" + urlencode(case.query, doseq=True)
    return path


def case_body(case: Case) -> bytes:
    """The body as sent: JSON, or the raw bytes a negative case made on purpose."""
    if not _has_body(case):
        return b""
    if isinstance(case.body, bytes):
        return case.body
    return json.dumps(case.body).encode()


def send(client: Client, case: Case, headers: dict[str, str]) -> TestResponse:
    """The case as a request through the test client, with the caller's headers."""
    sent: TestResponse = client.generic(
        case.method,
        case_path(case),
        case_body(case),
        content_type=case.media_type or "application/json",
        headers={**dict(case.headers or {}), **headers},
    )
    return sent


def as_response(case: Case, response: TestResponse, *, headers: dict[str, str]) -> Response:
    """A Django test response as schemathesis reads one."""
    request = requests.Request(
        method=case.method,
        url=f"http://testserver{case_path(case)}",
        headers=headers,
        data=case_body(case),
    ).prepare()
    return Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=response.content,
        request=request,
        elapsed=0.0,
        verify=False,
        message=http.client.responses.get(response.status_code, "Unknown"),
    )


def validate(
    case: Case, response: TestResponse, checks: list[Any], headers: dict[str, str]
) -> None:
    """Run schemathesis's `checks` on the answer; a failure raises with the case to
    replay it (`curl` line included)."""
    case.validate_response(
        as_response(case, response, headers=headers),
        checks=checks,
        transport_kwargs={"base_url": "http://testserver"},
    )
