"""Sign-in, password rules, throttling, idle expiry, home pages per role, tokens."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jijie.accounts.models import ApiToken
from jijie.accounts.services import token_create, user_create
from jijie.accounts.testing import step_up
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent

PASSWORD = "a-long-test-password"


def _login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_page_renders(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "登录集结" in response.content.decode()


def test_login_logout_are_audited(client, actors):
    response = _login(client, "manager")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="session.login", actor=actors.manager).exists()
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(action="session.logout", actor=actors.manager).exists()
    assert client.get(reverse("accounts:home")).status_code == 302


def test_logout_needs_post(client, actors):
    client.force_login(actors.manager)
    assert client.get(reverse("accounts:logout")).status_code == 405


def test_wrong_password_is_refused_clearly(client, actors):
    response = _login(client, "manager", "wrong-password")
    assert response.status_code == 200
    assert "alert" in response.content.decode()


def test_repeated_failures_lock_out(client, actors, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "manager", "wrong-password")
    response = _login(client, "manager")  # even the right password, now
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()


@pytest.mark.parametrize(
    ("password", "why"),
    [("short1!", "太短"), ("password1234", "太常见"), ("12345678901234", "只包含数字")],
)
def test_password_rules(db, password, why):
    with pytest.raises(ValidationError) as info:
        user_create(actor=SYSTEM, username="newbie", password=password)
    assert any(why in m for m in info.value.messages)


def test_session_expires_after_idle_time(client, actors, settings):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "manager")
        assert client.get(reverse("accounts:home")).status_code == 200
        clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert client.get(reverse("accounts:home")).status_code == 200  # activity extends it
        clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 60))
        response = client.get(reverse("accounts:home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_user_with_no_role_gets_a_clear_page(client, actors):
    client.force_login(actors.nobody)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 403
    assert "还没有分配任何角色" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "expected", "absent"),
    [
        ("command", "源城区", "审计日志"),
        ("street", "源西街道", "新港路社区书记"),
        ("manager", "新港路社区", "源西街道</strong>"),
        ("grid_worker", "第01网格", "新港路社区</strong>"),
        ("auditor", "最近的审计记录", ""),
        ("member", "不需要浏览区域", "区域</a>"),
    ],
)
def test_home_per_role(client, actors, who, expected, absent):
    client.force_login(getattr(actors, who))
    page = client.get(reverse("accounts:home")).content.decode()
    assert expected in page
    if absent:
        assert absent not in page


def test_audit_log_is_for_auditors_only(client, actors):
    client.force_login(actors.manager)
    assert client.get(reverse("accounts:audit")).status_code == 403
    assert client.post(reverse("accounts:audit_verify")).status_code == 403
    client.force_login(actors.auditor)
    assert client.get(reverse("accounts:audit")).status_code == 200
    response = client.post(reverse("accounts:audit_verify"))
    assert "审计链完整" in response.content.decode()


def test_token_page_creates_shows_once_and_revokes(client, actors):
    step_up(client, actors.lower)
    response = client.post(
        reverse("accounts:tokens"), {"name": "卡口手机", "scopes": ["gates"], "days": 7}
    )
    secret = response.context["secret"]
    assert secret.startswith("jj_")
    assert secret in response.content.decode()
    token = ApiToken.objects.get(user=actors.lower)
    assert secret not in (token.key_hash, token.prefix)
    assert secret not in client.get(reverse("accounts:tokens")).content.decode()
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_cannot_revoke_someone_elses_token(client, actors):
    token_create(user=actors.manager, name="x")
    token = ApiToken.objects.get(user=actors.manager)
    client.force_login(actors.outsider)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404


def test_expired_and_revoked_tokens_are_refused(client, actors):
    key = token_create(user=actors.manager, name="x", days=1)
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/accounts/me", headers=headers).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert client.get("/api/accounts/me", headers=headers).status_code == 401
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/accounts/me", headers=headers).status_code == 401


def test_a_dead_token_on_a_post_is_a_401_with_csrf_checks_on(actors):
    """As served, CSRF is checked (the test client skips it by default): a phone whose
    token died is told to sign in again (401), not refused for CSRF; a browser session
    without its CSRF token still is (403)."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    key = token_create(user=actors.guard, name="x")
    ApiToken.objects.update(revoked_at=timezone.now())
    headers = {"Authorization": f"Bearer {key}"}
    answer = client.post("/api/gates/scans", {}, content_type="application/json", headers=headers)
    assert answer.status_code == 401
    client.force_login(actors.guard)
    answer = client.post("/api/gates/scans", {}, content_type="application/json")
    assert answer.status_code == 403
    assert "CSRF" in answer.json()["detail"]


def test_me_lists_roles(client, actors):
    client.force_login(actors.manager)
    body = client.get("/api/accounts/me").json()
    assert body["username"] == "manager"
    assert body["roles"][0]["area_name"] == "新港路社区"


def test_audit_log_pages_keep_the_filter(client, actors):
    from jijie.audit.services import audit_record

    for i in range(60):
        audit_record(actor=actors.manager, action="test.paging", data={"i": i})
    client.force_login(actors.auditor)
    page = client.get(reverse("accounts:audit"), {"action": "test.paging"}).content.decode()
    assert "?action=test.paging&amp;page=2" in page
    second = client.get(
        reverse("accounts:audit"), {"action": "test.paging", "page": 2}
    ).content.decode()
    assert "2 / 2" in second
    assert "?action=test.paging&amp;page=1" in second


def test_an_address_spraying_many_usernames_is_paused_and_audited(client, actors, settings):
    # given one address that tries one password on many usernames, real and guessed
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20
    usernames = [f"guess{i:02d}-secret-typed" for i in range(22)] + ["manager", "street"]
    answers = [_login(client, name, "Spring2026!") for name in usernames]
    # then the first failures are refused as usual, those past the limit are paused
    assert [a.status_code for a in answers[:20]] == [200] * 20
    assert {a.status_code for a in answers[20:]} == {429}
    assert "这个网络地址的登录已暂停" in answers[-1].content.decode()
    # even with the right password, for an account never tried from there
    assert _login(client, "lower").status_code == 429
    # and from another address, the accounts still sign in
    other = _login(client.__class__(REMOTE_ADDR="10.0.0.9"), "lower")
    assert other.status_code == 302
    # each checked failure is audited with the address and a truncated unknown username
    failed = AuditEvent.objects.filter(action="session.login.failed").order_by("seq")
    assert failed.count() == 20
    assert {e.ip_address for e in failed} == {"127.0.0.1"}
    assert failed[0].data == {"username": "gue…", "account": False}
    assert not any("Spring2026" in str(e.data) or "secret" in str(e.data) for e in failed)


def test_a_success_does_not_reset_the_address_count(client, actors, settings):
    # given an address with failures on several usernames
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for i in range(5):
        _login(client, f"nobody{i}", "wrong-password")
    # when one account of the sprayer's signs in from there (axes resets its attempts)
    assert _login(client, "manager").status_code == 302
    client.post(reverse("accounts:logout"))
    # then the failures still count and stay in the audit log
    assert _login(client, "nobody9", "wrong-password").status_code == 200
    assert _login(client, "nobody10", "wrong-password").status_code == 429
    assert AuditEvent.objects.filter(action="session.login.failed").count() == 6


def test_a_failed_login_on_an_account_names_it(client, actors):
    _login(client, "manager", "wrong-password")
    event = AuditEvent.objects.get(action="session.login.failed")
    assert event.data == {"username": "manager", "account": True}
    assert event.target_id == str(actors.manager.pk)
    assert event.actor is None
