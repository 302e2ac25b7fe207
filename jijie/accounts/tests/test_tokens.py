"""Bearer tokens: made with the second factor where the roles have one, naming what they
may call, living days rather than months, and ended with a reset account; sessions end
12 hours after sign-in whatever their activity."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jijie.accounts import mfa
from jijie.accounts.models import ApiToken, TokenScope
from jijie.accounts.services import password_reset, token_create
from jijie.accounts.testing import enrol, step_up
from jijie.areas import access
from jijie.audit.models import AuditEvent

TOKEN_FORM = {"name": "卡口手机 3 号", "scopes": ["gates"], "days": 7}


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


# Making a token ---------------------------------------------------------------------


def test_a_role_with_a_second_factor_makes_no_token_without_a_fresh_code(client, actors):
    # given a community worker (who may reveal personal data) signed in with a password
    assert access.requires_mfa(actors.lower)
    enrol(actors.lower)
    client.force_login(actors.lower)
    # when they ask for a token
    answer = client.post(reverse("accounts:tokens"), TOKEN_FORM)
    # then they are sent to prove their second factor first, and nothing is made
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("accounts:mfa_verify"))
    assert not ApiToken.objects.exists()
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert "验证后创建令牌" in page
    assert 'name="scopes"' not in page


def test_after_a_fresh_code_the_token_is_made_with_its_scopes_and_life(client, actors):
    step_up(client, actors.lower)
    answer = client.post(reverse("accounts:tokens"), TOKEN_FORM)
    assert answer.context["secret"].startswith("jj_")
    token = ApiToken.objects.get(user=actors.lower)
    assert token.scopes == ["gates"]
    assert token.expires_at - token.created_at == pytest.approx(
        timedelta(days=7), abs=timedelta(seconds=5)
    )
    event = AuditEvent.objects.get(action="token.create")
    assert event.data == {"name": "卡口手机 3 号", "scopes": ["gates"], "days": 7}


def test_a_stale_code_is_not_enough(client, actors):
    step_up(client, actors.lower)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        answer = client.post(reverse("accounts:tokens"), TOKEN_FORM)
    assert answer.status_code == 302
    assert not ApiToken.objects.exists()


def test_a_role_without_a_second_factor_makes_one_with_its_password(client, actors):
    assert not access.requires_mfa(actors.guard)
    client.force_login(actors.guard)
    client.post(reverse("accounts:tokens"), TOKEN_FORM)
    assert ApiToken.objects.filter(user=actors.guard).count() == 1


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"name": "x", "days": 7}, "scopes"),
        ({"name": "x", "scopes": ["admin"], "days": 7}, "scopes"),
        ({"name": "x", "scopes": ["gates"], "days": 90}, "days"),
    ],
)
def test_a_token_names_what_it_may_call_and_lives_at_most_the_limit(client, actors, form, field):
    client.force_login(actors.guard)
    answer = client.post(reverse("accounts:tokens"), form)
    assert field in answer.context["form"].errors
    assert not ApiToken.objects.exists()


def test_the_service_refuses_what_the_page_would(actors, settings):
    with pytest.raises(ValidationError):
        token_create(user=actors.guard, name="x", scopes=[])
    with pytest.raises(ValidationError):
        token_create(user=actors.guard, name="x", days=settings.API_TOKEN_MAX_DAYS + 1)
    key = token_create(user=actors.guard, name="x")
    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at == pytest.approx(
        timedelta(days=settings.API_TOKEN_DAYS), abs=timedelta(seconds=5)
    )
    assert key


# What a token may call ----------------------------------------------------------------


def test_a_token_calls_its_parts_of_the_api_and_no_other(client, actors):
    key = token_create(user=actors.manager, name="x", scopes=["residents"])
    assert client.get("/api/residents/households", headers=bearer(key)).status_code == 200
    assert client.get("/api/accounts/me", headers=bearer(key)).status_code == 200
    answer = client.get("/api/areas/tree", headers=bearer(key))
    assert answer.status_code == 403
    assert "令牌" in answer.json()["detail"]


def test_every_part_of_the_api_is_a_scope_a_token_can_name(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    parts = {path.removeprefix("/api/").split("/", 1)[0] for path in paths}
    assert parts == set(TokenScope.values) | {"accounts"}


# A token ends ---------------------------------------------------------------------------


def test_a_password_reset_ends_the_accounts_tokens_for_good(client, actors):
    key = token_create(user=actors.lower, name="x")
    password_reset(
        actor=actors.manager, user=actors.lower, password="a-new-long-pass-9", reason="忘记"
    )
    assert client.get("/api/accounts/me", headers=bearer(key)).status_code == 401
    # the user replaces the password: the old phone stays signed out
    actors.lower.password_change_required = False
    actors.lower.save()
    assert client.get("/api/accounts/me", headers=bearer(key)).status_code == 401
    assert AuditEvent.objects.filter(action="token.end", actor=actors.manager).exists()


def test_a_second_factor_to_enrol_again_ends_the_tokens(client, actors):
    enrol(actors.lower)
    key = token_create(user=actors.lower, name="x")
    mfa.mfa_reset(actor=actors.manager, user=actors.lower, reason="手机丢失了")
    assert client.get("/api/accounts/me", headers=bearer(key)).status_code == 401


def test_a_token_of_a_user_with_a_step_to_take_is_refused(client, actors):
    key = token_create(user=actors.guard, name="x")
    actors.guard.password_change_required = True
    actors.guard.save()
    assert client.get("/api/accounts/me", headers=bearer(key)).status_code == 401


# Sessions ---------------------------------------------------------------------------


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(client, actors, settings):
    client.post(
        reverse("accounts:login"),
        {"username": "guard", "password": "a-long-test-password"},
    )
    start = timezone.now()
    # busy all day: a page every 20 minutes keeps it from going idle...
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get(reverse("accounts:home")).status_code == 200, minutes
    # ...yet twelve hours after signing in it is over
    with time_machine.travel(start + timedelta(hours=12, minutes=1)):
        answer = client.get(reverse("accounts:home"))
        assert answer.status_code == 302
        assert answer["Location"].startswith(reverse("accounts:login"))
        assert client.get("/api/accounts/me").status_code == 401
    assert AuditEvent.objects.filter(action="session.expired", actor=actors.guard).exists()
