"""A request that does not use the session stores none: a cookie naming no session
(expired, or made up) is not answered with a new empty row."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jijie.core.tests.fixtures import new_token


def test_requests_with_an_unknown_session_cookie_store_no_session(actors):
    # given a cookie naming no session (expired, or made up), sent again and again
    signed_in = Client()
    signed_in.force_login(actors.guard)
    _, key = new_token(signed_in)
    before = Session.objects.count()
    for n in range(10):
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = f"made-up-session-key-{n:012d}"
        # when a health check, the sign-in page and a bearer-token API call come with it
        assert client.get("/healthz").status_code == 200
        assert client.get(reverse("accounts:login")).status_code == 200
        answer = client.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert answer.status_code == 200
    # then no session was stored
    assert Session.objects.count() == before


def test_a_signed_in_page_still_pushes_the_sessions_expiry_forward(client, actors):
    client.force_login(actors.manager)
    soon = timezone.now() + timedelta(minutes=1)
    Session.objects.update(expire_date=soon)
    # a page read by the signed-in user pushes the idle expiry forward
    assert client.get(reverse("accounts:home")).status_code == 200
    assert Session.objects.get().expire_date > soon + timedelta(minutes=10)
    # a health check with the same cookie neither reads the session nor saves it
    Session.objects.update(expire_date=soon)
    assert client.get("/healthz").status_code == 200
    assert Session.objects.get().expire_date == soon
