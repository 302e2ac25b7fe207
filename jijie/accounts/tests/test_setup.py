"""The password change page, and the steps an account takes before anything else: a
password someone else chose is replaced, then a role that reveals or exports enrols its
second factor; the API refuses such a session meanwhile."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from jijie.accounts import mfa, services
from jijie.accounts.models import User
from jijie.accounts.testing import authenticator, enrol
from jijie.areas.roles import Role
from jijie.audit.models import AuditEvent

OPENER_PASSWORD = "chosen-by-the-secretary"
OWN_PASSWORD = "only-i-know-this-one"


def _open(actors, tree, role=Role.MEMBER, area=None):
    return services.account_open(
        actor=actors.manager,
        username="newbie",
        full_name="新人",
        password=OPENER_PASSWORD,
        role=role,
        area=area or tree.community,
    )


def _sign_in(client, password=OPENER_PASSWORD, username="newbie"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _change(client, old, new, next_url=""):
    data = {"old_password": old, "new_password1": new, "new_password2": new, "next": next_url}
    return client.post(reverse("accounts:password_change"), data)


def test_an_opened_account_changes_its_password_before_anything_else(client, actors, tree):
    # given an account a secretary opened, with the password the secretary chose
    user = _open(actors, tree)
    assert user.password_change_required
    # when its holder signs in, every page but the change page leads there
    answer = _sign_in(client)
    assert answer.status_code == 302
    assert client.get(answer.url).url.startswith(reverse("accounts:password_change"))
    for url in (reverse("accounts:home"), reverse("accounts:tokens"), "/residents/"):
        refused = client.get(url)
        assert refused.status_code == 302
        assert (
            refused.url == f"{reverse('accounts:password_change')}?next={url.replace('/', '%2F')}"
        )
    page = client.get(reverse("accounts:password_change"))
    assert "请先设置一个只有您自己知道的新密码" in page.content.decode()
    # the API answers 403 with what to do; static files and signing out stay open
    api = client.get("/api/accounts/me")
    assert api.status_code == 403
    assert "修改密码" in api.json()["detail"]
    faked = client.get("/api/accounts/me", HTTP_AUTHORIZATION="Bearer jj_not-a-token")
    assert faked.status_code == 403
    assert client.get("/static/missing.css").status_code == 404
    # the password it was given is refused as the new one, as are weak ones
    same = _change(client, OPENER_PASSWORD, OPENER_PASSWORD)
    assert "不能与当前密码相同" in same.content.decode()
    assert "太短" in _change(client, OPENER_PASSWORD, "short1!").content.decode()
    assert "密码不正确" in _change(client, "a-wrong-guess", OWN_PASSWORD).content.decode()
    # then a new one of its own opens the account, audited, the session going on
    done = _change(client, OPENER_PASSWORD, OWN_PASSWORD, next_url="/?from=login")
    assert done.url == "/?from=login"
    assert client.get(reverse("accounts:home")).status_code == 200
    assert client.get("/api/accounts/me").status_code == 200
    user.refresh_from_db()
    assert not user.password_change_required
    event = AuditEvent.objects.get(action="password.change")
    assert (event.actor, event.data) == (user, {"required": True})
    assert OWN_PASSWORD not in str(event.data) + event.reason


def test_signing_out_is_open_before_the_change(client, actors, tree):
    _open(actors, tree)
    _sign_in(client)
    assert client.post(reverse("accounts:logout")).url == reverse("accounts:login")
    assert client.get(reverse("accounts:home")).url.startswith(reverse("accounts:login"))


def test_a_role_that_reveals_enrols_its_second_factor_at_sign_in(client, actors, tree):
    # given a grid worker's account opened by the secretary
    user = _open(actors, tree, role=Role.GRID_WORKER, area=tree.grid)
    assert user.mfa_enrolment_required
    _sign_in(client)
    # when the password is changed, enrolment comes next, before any page
    answer = _change(client, OPENER_PASSWORD, OWN_PASSWORD, next_url="/")
    assert client.get(answer.url).url == f"{reverse('accounts:mfa')}?next=%2F"
    assert client.get("/api/accounts/me").status_code == 403
    page = client.get(reverse("accounts:mfa")).content.decode()
    assert "设置完成之前,您不能使用其他功能" in page
    # then, once enrolled through the pages, the account is open
    client.post(reverse("accounts:mfa_start"))
    code = authenticator(user).now()
    shown = client.post(reverse("accounts:mfa_confirm"), {"code": code, "next": "/"})
    assert len(shown.context["codes"]) == 8
    assert client.get(reverse("accounts:home")).status_code == 200
    user.refresh_from_db()
    assert not user.mfa_enrolment_required


def test_an_enrolled_user_given_a_role_that_reveals_is_not_stopped(client, actors, tree):
    enrol(actors.member)
    services.role_assign(
        actor=actors.manager, user=actors.member, role=Role.COMMUNITY_WORKER, area=tree.community
    )
    actors.member.refresh_from_db()
    assert not actors.member.mfa_enrolment_required
    client.force_login(actors.member)
    assert client.get(reverse("accounts:home")).status_code == 200


def test_a_reset_second_factor_is_enrolled_again_before_anything_else(client, actors):
    # given a secretary enrolled, whose phone was lost and whose factor the street reset
    enrol(actors.manager)
    client.force_login(actors.manager)
    mfa.mfa_reset(actor=actors.street, user=actors.manager, reason="手机丢失,已核实")
    # then their next page is the enrolment
    assert client.get(reverse("accounts:home")).url.startswith(reverse("accounts:mfa"))


def test_accounts_of_the_systems_own_grants_are_not_stopped(client, actors):
    """The fixtures' accounts (and the demo's) get roles from the system: a signed-in
    secretary without a second factor is told on the home page, as before."""
    response = _sign_in(client, "a-long-test-password", "manager")
    assert response.url == reverse("accounts:home")
    assert 'data-testid="mfa-missing"' in client.get(response.url).content.decode()


def test_grant_role_asks_for_enrolment(actors, tree):
    call_command("grant_role", "member", Role.COMMUNITY_WORKER, tree.community.code)
    assert User.objects.get(username="member").mfa_enrolment_required


def test_a_password_reset_is_changed_at_the_next_sign_in(client, actors, monkeypatch):
    monkeypatch.setattr(
        "jijie.accounts.management.commands.password_reset.getpass",
        lambda prompt: "reset-by-the-admin",
    )
    call_command("password_reset", "lower", reason="忘记密码,已核实身份")
    answer = _sign_in(client, "reset-by-the-admin", "lower")
    assert client.get(answer.url).url.startswith(reverse("accounts:password_change"))
    event = AuditEvent.objects.get(action="password.reset")
    assert (event.actor, event.target_id, event.reason) == (
        None,
        str(actors.lower.pk),
        "忘记密码,已核实身份",
    )


def test_anyone_changes_their_own_password(client, actors):
    client.force_login(actors.lower)
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "请先设置" not in page
    assert (
        reverse("accounts:password_change")
        in client.get(reverse("accounts:tokens")).content.decode()
    )
    answer = _change(client, "a-long-test-password", OWN_PASSWORD)
    assert answer.url == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).status_code == 200  # still signed in
    actors.lower.refresh_from_db()
    assert actors.lower.check_password(OWN_PASSWORD)
    assert AuditEvent.objects.filter(action="password.change", actor=actors.lower).exists()


@pytest.mark.parametrize("page", ["accounts:password_change"])
def test_the_change_page_needs_a_sign_in(client, db, page):
    assert client.get(reverse(page)).url.startswith(reverse("accounts:login"))


def test_existing_holders_of_roles_that_reveal_enrol_at_their_next_request(actors):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("jijie.accounts.migrations.0004_account_setup_steps")
    assert set(migration.MFA_ROLES) == {role for role in Role.values if _reveals(role)}
    enrol(actors.grid_worker)
    migration.mark_mfa_enrolment(apps, None)
    flagged = set(
        User.objects.filter(mfa_enrolment_required=True).values_list("username", flat=True)
    )
    assert flagged == {"manager", "lower", "outsider", "street", "command"}


def _reveals(role):
    from jijie.areas.access import MFA_ACTIONS, _permissions

    return bool(_permissions()[role] & set(MFA_ACTIONS))


def test_a_page_reads_the_account_itself_not_a_lazy_proxy(client, actors):
    """The middleware that reads the account anyway puts the account itself on the
    request: every later read of `request.user` (a page makes hundreds, through the
    role checks) is an attribute, not a trip through Django's lazy proxy."""
    client.force_login(actors.manager)
    page = client.get(reverse("accounts:home"))
    assert page.status_code == 200
    assert type(page.wsgi_request.user) is User
    assert page.wsgi_request.user.pk == actors.manager.pk
    # signed out, the anonymous user is put there the same way
    client.logout()
    assert type(client.get(reverse("accounts:login")).wsgi_request.user).__name__ == (
        "AnonymousUser"
    )
