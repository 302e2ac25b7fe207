"""A request that does not use the session stores none: a cookie naming no session
(expired, or made up) is not answered with a new empty row."""

from __future__ import annotations

from datetime import timedelta

import time_machine
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


@time_machine.travel("2026-03-02 23:59:30+08:00", tick=False)
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


def test_a_session_only_read_is_saved_once_a_touch_interval(client, actors, settings):
    with time_machine.travel("2026-03-02 15:00:00+08:00", tick=False) as clock:
        client.force_login(actors.manager)
        assert client.get(reverse("accounts:home")).status_code == 200  # saved: never touched
        soon = timezone.now() + timedelta(minutes=5)
        Session.objects.update(expire_date=soon)
        # pages read again within the interval write nothing
        clock.shift(timedelta(seconds=settings.SESSION_TOUCH_SECONDS - 1))
        assert client.get(reverse("accounts:home")).status_code == 200
        assert Session.objects.get().expire_date == soon
        # the first page read after it pushes the expiry forward again
        clock.shift(timedelta(seconds=1))
        assert client.get(reverse("accounts:home")).status_code == 200
        assert Session.objects.get().expire_date > soon + timedelta(minutes=10)


@time_machine.travel("2026-03-02 15:00:00+08:00", tick=False)
def test_a_touch_time_from_the_future_does_not_stop_the_saves(client, actors):
    client.force_login(actors.manager)
    session = client.session
    session["touched_at"] = (timezone.now() + timedelta(days=1)).timestamp()
    session.save()
    soon = timezone.now() + timedelta(minutes=1)
    Session.objects.update(expire_date=soon)
    assert client.get(reverse("accounts:home")).status_code == 200
    assert Session.objects.get().expire_date > soon + timedelta(minutes=10)
