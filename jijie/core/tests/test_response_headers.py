"""Every answer but a static file's is kept by no cache and carries the CSP, and the
policy allows what the pages hold."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from jijie.core.middleware import CONTENT_SECURITY_POLICY
from jijie.core.tests.fixtures import assert_hardened, new_token

_SAMPLES = {"int": "1", "str": "441602004001", "slug": "x", "path": "x", "uuid": "0" * 32}


def _route_to_url(route: str) -> str:
    """A URL a pattern matches, with sample values for its parameters (`<int:pk>`,
    regular expressions' groups); an id that names nothing is answered 404, which must
    carry the headers as well."""
    url = re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES.get(m.group(1) or "str", "1"), route)
    url = re.sub(r"\(\?P<\w+>[^)]*\)", "1", url)
    return "/" + re.sub(r"[\^$]|\\Z", "", url)


def _every_url(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    urls = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            urls += _every_url(pattern.url_patterns, route)
        else:
            urls.append(_route_to_url(route))
    return sorted(set(urls))


def test_the_sweep_builds_a_url_for_every_kind_of_pattern():
    urls = _every_url(get_resolver().url_patterns)
    assert "/healthz" in urls
    assert "/residents/1/" in urls or any(u.startswith("/residents/") for u in urls)
    assert any(u.startswith("/api/") for u in urls)
    assert any(u.startswith("/admin/") for u in urls)
    assert len(urls) > 100


def test_every_page_and_api_answer_is_no_store_with_the_csp(actors, tree):
    # given a community secretary signed in
    client = Client(raise_request_exception=False)
    client.force_login(actors.manager)
    statuses = {}
    # when every URL the app has is asked for
    for url in _every_url(get_resolver().url_patterns):
        response = client.get(url)
        statuses[url] = response.status_code
        # then every answer, found or not, is kept by no cache and carries the CSP
        assert_hardened(url, response)
    assert [url for url, status in statuses.items() if status >= 500] == []
    assert statuses["/healthz"] == 200
    assert statuses["/residents/"] == 200
    assert sum(status == 200 for status in statuses.values()) > 30


def test_anew_tokens_secret_and_an_api_answer_are_no_store(client, actors):
    client.force_login(actors.guard)  # a role without a second factor to prove first
    page, key = new_token(client)
    assert_hardened("tokens", page)
    answer = Client().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200
    assert_hardened("/api/accounts/me", answer)


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_keep_their_own_caching(db):
    response = Client().get(settings.STATIC_URL + "jijie/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def _templates() -> list[Path]:
    return sorted(Path(settings.BASE_DIR, "jijie").glob("*/templates/**/*.html"))


def _directive(name: str) -> list[str]:
    for directive in CONTENT_SECURITY_POLICY.split("; "):
        if directive.split()[0] == name:
            return directive.split()[1:]
    raise AssertionError(f"{name} missing")


def test_the_policy_allows_what_the_templates_hold_and_nothing_inline_else():
    """A template that runs inline code the policy does not name is broken in every
    browser: move it to a static file (or, if it must stay, add it to the middleware)."""
    assert _templates()
    script_src, style_src = _directive("script-src"), _directive("style-src")
    assert "'unsafe-inline'" not in script_src + style_src
    assert "'unsafe-eval'" not in script_src
    for template in _templates():
        text = template.read_text()
        for script in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in script, f"{template}: inline <script>"
        assert "javascript:" not in text, template
        for handler in re.findall(r"\son\w+=\"([^\"]*)\"", text):
            assert _sha256(handler) in script_src, f"{template}: on…=“{handler}”"
        for style in re.findall(r"<style>(.*?)</style>", text, flags=re.S):
            assert _sha256(style) in style_src, f"{template}: <style>"
