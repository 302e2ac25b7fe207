"""The second factor: enrolment, codes that work once, lockout kept in the database,
recovery codes, disabling, the reset by whoever manages the role, and the step-up
pages with their `next`."""

from datetime import datetime, timedelta

import pyotp
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jijie.accounts import mfa
from jijie.accounts.models import MfaDevice, MfaRecoveryCode
from jijie.accounts.requests import STEP_UP_SESSION_KEY
from jijie.accounts.services import do_role_assign
from jijie.accounts.testing import authenticator, enrol, next_code, step_up
from jijie.areas import access
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.core import pii

NOW = timezone.make_aware(datetime(2026, 3, 2, 9, 0, 0))


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _actions():
    events = AuditEvent.objects.filter(action__startswith="mfa.").order_by("seq")
    return list(events.values_list("action", flat=True))


def test_enrolment_needs_a_valid_code_and_keeps_the_secret_encrypted(actors, clock):
    # given a secretary who starts enrolment
    device = mfa.mfa_enrol_start(user=actors.manager)
    secret = mfa.enrolment(device).secret
    assert secret.encode() not in bytes(device.secret_cipher)
    assert pii.decrypt(device.secret_cipher) == secret
    # when the first code is wrong, then right
    wrong = mfa.mfa_enrol_confirm(user=actors.manager, code="000000")
    right = mfa.mfa_enrol_confirm(user=actors.manager, code=pyotp.TOTP(secret).now())
    # then only the right one activates it, with eight recovery codes kept as hashes
    assert not wrong.ok
    assert right.ok
    assert MfaDevice.objects.get(user=actors.manager).is_confirmed
    assert len(right.recovery_codes) == mfa.RECOVERY_CODE_COUNT
    stored = set(MfaRecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == mfa.RECOVERY_CODE_COUNT
    assert not {c.replace("-", "") for c in right.recovery_codes} & stored
    assert _actions() == ["mfa.verify.failed", "mfa.enrol"]
    with pytest.raises(ValidationError):  # the secret is never shown again
        mfa.enrolment(right.device)
    with pytest.raises(ValidationError):  # nor replaced without disabling first
        mfa.mfa_enrol_start(user=actors.manager)


def test_the_qr_code_is_drawn_here_as_svg(actors):
    found = mfa.enrolment(mfa.mfa_enrol_start(user=actors.manager))
    assert found.qr_svg.startswith("<svg")
    assert found.uri.startswith("otpauth://totp/Jijie:manager?secret=")
    assert found.secret_groups.replace(" ", "") == found.secret


def test_a_code_works_once(actors, clock):
    totp = enrol(actors.manager)  # enrolment used the current time step
    replayed = mfa.mfa_verify(user=actors.manager, code=totp.now())
    assert replayed.outcome == mfa.Outcome.REPLAYED
    assert "已经用过" in replayed.message
    code = next_code(totp)
    assert mfa.mfa_verify(user=actors.manager, code=code).ok
    assert mfa.mfa_verify(user=actors.manager, code=code).outcome == mfa.Outcome.REPLAYED
    clock.shift(timedelta(seconds=90))  # a step the device has not accepted yet
    assert mfa.mfa_verify(user=actors.manager, code=totp.now()).ok
    failures = AuditEvent.objects.filter(action="mfa.verify.failed")
    assert [e.data["outcome"] for e in failures.order_by("seq")] == ["replayed", "replayed"]


def test_codes_from_the_neighbouring_steps_only(actors, clock):
    totp = enrol(actors.manager)
    far = totp.at(timezone.now(), counter_offset=3)
    assert mfa.mfa_verify(user=actors.manager, code=far).outcome == mfa.Outcome.WRONG


def test_failures_lock_the_device_in_the_database(actors, clock, settings):
    totp = enrol(actors.manager)
    for _ in range(settings.MFA_FAILURE_LIMIT):
        assert not mfa.mfa_verify(user=actors.manager, code="999999").ok
    # the lock is on the row, whatever process reads it next
    locked_until = MfaDevice.objects.get(user=actors.manager).locked_until
    assert locked_until == NOW + timedelta(minutes=settings.MFA_LOCKOUT_MINUTES)
    refused = mfa.mfa_verify(user=actors.manager, code=next_code(totp))  # even the right one
    assert refused.outcome == mfa.Outcome.LOCKED
    assert "锁定到" in refused.message
    clock.shift(timedelta(minutes=settings.MFA_LOCKOUT_MINUTES, seconds=1))
    assert mfa.mfa_verify(user=actors.manager, code=totp.now()).ok
    failures = AuditEvent.objects.filter(action="mfa.verify.failed").order_by("seq")
    assert [e.data.get("locked", False) for e in failures][-2:] == [True, False]
    assert failures.reverse()[0].data["outcome"] == "locked"


def test_a_recovery_code_works_once(actors, clock):
    enrol(actors.manager)
    device = MfaDevice.objects.get(user=actors.manager)
    codes = mfa.mfa_recovery_renew(
        user=actors.manager, code=next_code(authenticator(actors.manager))
    ).recovery_codes
    assert device.recovery_codes.count() == mfa.RECOVERY_CODE_COUNT  # the old ones replaced
    used = mfa.mfa_verify(user=actors.manager, code=f" {codes[0].upper()} ")
    assert used.ok
    assert used.method == "recovery"
    assert not mfa.mfa_verify(user=actors.manager, code=codes[0]).ok
    assert device.recovery_codes.filter(used_at__isnull=True).count() == 7
    verified = AuditEvent.objects.filter(action="mfa.verify").get()
    assert verified.data == {"method": "recovery"}
    assert "mfa.recovery.renew" in _actions()


def test_disable_needs_a_code(actors, clock):
    totp = enrol(actors.manager)
    assert not mfa.mfa_disable(user=actors.manager, code="123456").ok
    assert MfaDevice.objects.filter(user=actors.manager).exists()
    assert mfa.mfa_disable(user=actors.manager, code=next_code(totp)).ok
    assert not MfaDevice.objects.filter(user=actors.manager).exists()
    assert not MfaRecoveryCode.objects.exists()
    assert _actions()[-1] == "mfa.disable"


def test_verify_without_enrolment_is_refused(actors):
    with pytest.raises(ValidationError):
        mfa.mfa_verify(user=actors.manager, code="123456")


def test_who_must_use_a_second_factor(actors):
    # those who reveal (the community's registry keepers) and those who export
    for name in ["manager", "lower", "outsider", "grid_worker", "street", "command"]:
        assert access.requires_mfa(getattr(actors, name))
    for name in ["guard", "auditor", "member", "nobody"]:
        assert not access.requires_mfa(getattr(actors, name))


# The reset: the secretary manages the community worker's role; the worker manages
# nobody; the sibling community's secretary does not see the worker at all.


def test_reset_by_the_role_manager_with_a_reason(actors):
    enrol(actors.lower)
    with pytest.raises(ValidationError) as info:
        mfa.mfa_reset(actor=actors.manager, user=actors.lower, reason=" ")
    assert "reason" in info.value.message_dict
    mfa.mfa_reset(actor=actors.manager, user=actors.lower, reason="手机丢失,已当面核实")
    assert not MfaDevice.objects.filter(user=actors.lower).exists()
    event = AuditEvent.objects.get(action="mfa.reset")
    assert event.actor == actors.manager
    assert event.target_id == str(actors.lower.pk)
    assert event.reason == "手机丢失,已当面核实"


@pytest.mark.parametrize("who", ["lower", "outsider", "grid_worker"])
def test_reset_refused_to_others(actors, who):
    enrol(actors.manager)
    with pytest.raises(PermissionDenied):
        mfa.mfa_reset(actor=getattr(actors, who), user=actors.manager, reason="手机丢失了")
    with pytest.raises(PermissionDenied):  # nor resets anyone their own
        mfa.mfa_reset(actor=actors.manager, user=actors.manager, reason="手机丢失了")
    assert MfaDevice.objects.filter(user=actors.manager).exists()
    assert not AuditEvent.objects.filter(action="mfa.reset").exists()


@pytest.mark.parametrize(("who", "status"), [("manager", 302), ("lower", 403), ("outsider", 404)])
def test_reset_page_three_actors(client, actors, who, status):
    enrol(actors.grid_worker)
    client.force_login(getattr(actors, who))
    url = reverse("accounts:mfa_reset", args=[actors.grid_worker.pk])
    response = client.post(url, {"reason": "换了新手机"})
    assert response.status_code == status
    assert MfaDevice.objects.filter(user=actors.grid_worker).exists() == (status != 302)


def test_reset_page_refuses_a_peer(client, actors, tree):
    from jijie.areas.roles import Role

    do_role_assign(
        actor=SYSTEM, user=actors.outsider, role=Role.COMMUNITY_SECRETARY, area=tree.community
    )
    client.force_login(actors.manager)  # sees the second secretary, may not manage them
    url = reverse("accounts:mfa_reset", args=[actors.outsider.pk])
    assert client.get(url).status_code == 403


# Pages


def test_settings_page_enrols_with_a_code(client, actors, clock):
    client.force_login(actors.lower)
    page = client.get(reverse("accounts:mfa")).content.decode()
    assert "必须启用两步验证" in page
    client.post(reverse("accounts:mfa_start"))
    page = client.get(reverse("accounts:mfa")).content.decode()
    assert "<svg" in page
    totp = authenticator(actors.lower)
    assert (
        "动态码不正确"
        in client.post(reverse("accounts:mfa_confirm"), {"code": "000000"}).content.decode()
    )
    done = client.post(reverse("accounts:mfa_confirm"), {"code": totp.now()})
    assert done.content.decode().count("<code>") == mfa.RECOVERY_CODE_COUNT
    assert "no-cache" in done["Cache-Control"] or "max-age=0" in done["Cache-Control"]
    assert client.session[STEP_UP_SESSION_KEY]["device"] == MfaDevice.objects.get().pk
    page = client.get(reverse("accounts:mfa")).content.decode()
    assert "已启用" in page
    assert "<svg" not in page


def test_settings_page_renews_codes_and_disables(client, actors, clock):
    totp = enrol(actors.lower)
    client.force_login(actors.lower)
    renewed = client.post(reverse("accounts:mfa_recovery"), {"code": next_code(totp)})
    assert renewed.content.decode().count("<code>") == mfa.RECOVERY_CODE_COUNT
    clock.shift(timedelta(seconds=60))
    response = client.post(reverse("accounts:mfa_disable"), {"code": totp.now()}, follow=True)
    assert "两步验证已停用" in response.content.decode()
    assert not MfaDevice.objects.exists()


def test_mfa_pages_need_a_sign_in(client, db):
    for name in ["mfa", "mfa_verify"]:
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_verify_page_goes_back_to_next(client, actors, clock):
    totp = enrol(actors.manager)
    client.force_login(actors.manager)
    url = reverse("accounts:mfa_verify")
    page = client.get(url, {"next": "/residents/"}).content.decode()
    assert 'value="/residents/"' in page
    wrong = client.post(url, {"code": "000000", "next": "/residents/"})
    assert "动态码不正确" in wrong.content.decode()
    assert STEP_UP_SESSION_KEY not in client.session
    response = client.post(url, {"code": next_code(totp), "next": "/residents/"})
    assert response["Location"] == "/residents/"
    assert STEP_UP_SESSION_KEY in client.session


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_verify_page_ignores_a_foreign_next(client, actors, clock, target):
    totp = enrol(actors.manager)
    client.force_login(actors.manager)
    response = client.post(
        reverse("accounts:mfa_verify"), {"code": next_code(totp), "next": target}
    )
    assert response["Location"] == reverse("accounts:home")


def test_verify_page_sends_the_unenrolled_to_enrol(client, actors):
    client.force_login(actors.manager)
    response = client.get(reverse("accounts:mfa_verify"), {"next": "/residents/"})
    assert response["Location"] == reverse("accounts:mfa") + "?next=%2Fresidents%2F"


def test_verify_page_shows_the_lock(client, actors, clock, settings):
    enrol(actors.manager)
    client.force_login(actors.manager)
    for _ in range(settings.MFA_FAILURE_LIMIT):
        client.post(reverse("accounts:mfa_verify"), {"code": "111111"})
    page = client.post(reverse("accounts:mfa_verify"), {"code": "111111"}).content.decode()
    assert "已锁定到 09:15" in page


def test_step_up_lasts_the_configured_minutes(client, actors, clock, settings):
    from jijie.accounts.requests import step_up_fresh

    step_up(client, actors.manager)
    request = client.get(reverse("accounts:home")).wsgi_request
    assert step_up_fresh(request)
    clock.shift(timedelta(minutes=settings.MFA_STEP_UP_MINUTES, seconds=1))
    request = client.get(reverse("accounts:home")).wsgi_request
    assert not step_up_fresh(request)


def test_a_reset_voids_the_step_up(client, actors, clock):
    from jijie.accounts.requests import step_up_fresh

    step_up(client, actors.lower)
    mfa.mfa_reset(actor=actors.manager, user=actors.lower, reason="手机丢失了")
    enrol(actors.lower)  # a new device: the old proof does not count for it
    assert not step_up_fresh(client.get(reverse("accounts:home")).wsgi_request)


def test_home_asks_those_who_must_to_enrol(client, actors):
    client.force_login(actors.manager)
    assert "mfa-missing" in client.get(reverse("accounts:home")).content.decode()
    enrol(actors.manager)
    assert "mfa-missing" not in client.get(reverse("accounts:home")).content.decode()
    client.force_login(actors.guard)
    assert "mfa-missing" not in client.get(reverse("accounts:home")).content.decode()


def test_reset_command_for_those_nobody_manages(actors):
    from io import StringIO

    from django.core.management import CommandError, call_command

    enrol(actors.command)
    with pytest.raises(CommandError):
        call_command("mfa_reset", "command", "--reason", "")
    out = StringIO()
    call_command("mfa_reset", "command", "--reason", "手机丢失,已核实", stdout=out)
    assert "removed" in out.getvalue()
    event = AuditEvent.objects.get(action="mfa.reset")
    assert event.actor is None
    assert event.reason == "手机丢失,已核实"
