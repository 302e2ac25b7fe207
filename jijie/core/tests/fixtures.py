"""Helpers of core's tests that other tests share: what every answer must carry, and a
new API token made through the page that shows its secret once."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from jijie.core.middleware import CONTENT_SECURITY_POLICY


def assert_hardened(url: str, response) -> None:
    assert "no-store" in response.get("Cache-Control", ""), (url, response.status_code)
    assert response.get("Content-Security-Policy") == CONTENT_SECURITY_POLICY, url


def new_token(client: Client) -> tuple[Any, str]:
    """The page that shows a new API token's secret, once, and the secret."""
    form = {"name": "phone", "scopes": ["gates"], "days": 7}
    page = client.post(reverse("accounts:tokens"), form)
    assert page.status_code == 200
    secret = re.search(r"jj_[\w-]+", page.content.decode())
    assert secret is not None
    return page, secret.group()
