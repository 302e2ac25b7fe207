"""Outside DEBUG, errors are the app's own pages, and JSON under /api/, in the user's
language: never a traceback, a list of URLs or a setting's name."""

from __future__ import annotations

from unittest import mock

from django.test import Client, override_settings
from django.urls import reverse

from jijie.core.tests.fixtures import assert_hardened


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@override_settings(DEBUG=False)
def test_unknown_page_is_the_apps_404_not_a_url_list(actors):
    response = _client(actors.manager).get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "没有找到该页面" in page
    assert "URLconf" not in page
    assert "admin/" not in page


@override_settings(DEBUG=False)
def test_a_404_of_get_object_or_404_names_no_model(actors):
    response = _client(actors.manager).post(reverse("accounts:token_revoke", args=[999999]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "没有找到该页面" in page
    assert "ApiToken" not in page
    assert "matches the given query" not in page


@override_settings(DEBUG=False)
def test_a_refused_host_is_the_apps_400_without_the_settings(db):
    for path in ["/", "/api/accounts/me"]:
        response = _client().get(path, HTTP_HOST="probe.example")
        assert response.status_code == 400
        text = response.content.decode()
        assert "ALLOWED_HOSTS" not in text
        assert "probe.example" not in text
        assert "Traceback" not in text
    assert response.json() == {"detail": "请求的内容不正确。"}


@override_settings(DEBUG=False)
def test_a_page_that_fails_is_the_apps_500_even_when_the_menu_fails(actors):
    # given a failure that the page's context (the menu's roles) meets as well
    client = _client(actors.manager)
    with mock.patch("jijie.areas.access.roles", side_effect=RuntimeError("boom at line 1")):
        response = client.get(reverse("accounts:home"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错了" in page
    assert "boom" not in page
    assert "Traceback" not in page
    assert_hardened("500", response)


@override_settings(DEBUG=False)
def test_an_api_view_that_fails_answers_json_500_in_the_users_language(actors):
    client = _client(actors.manager)
    with mock.patch("jijie.areas.access.assignments", side_effect=RuntimeError("boom")):
        response = client.get("/api/accounts/me")
        english = client.get("/api/accounts/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == english.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "系统出错了,已记录。请稍后再试。"}
    assert english.json() == {
        "detail": "Something went wrong and it has been logged. Please try again later."
    }


@override_settings(DEBUG=False)
def test_api_errors_are_json_in_the_users_language(actors):
    client = _client(actors.manager)
    # a path the API does not have
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "没有找到该页面,或它不在您的管辖范围内。"}
    english = client.get("/api/no/such/thing", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json() == {"detail": "This page was not found, or it is not within your area."}
    # a method a path does not take
    response = client.delete("/api/accounts/me")
    assert response.status_code == 405
    assert response.json() == {"detail": "该地址不接受这种请求方法。"}
    assert response["Allow"] == "GET"
    assert_hardened("405", response)
    # a body that is not JSON
    response = client.post("/api/residents/search", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求的内容无法解析。"}
    # no credentials
    response = _client().get("/api/accounts/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in, or send a valid token."}
    # a signed-in browser's write without its CSRF token
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    strict.force_login(actors.manager)
    response = strict.post("/api/residents/search", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": "请求缺少有效的 CSRF 令牌,请刷新页面后重试。"}
