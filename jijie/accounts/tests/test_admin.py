from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.test import RequestFactory
from django.urls import reverse

from jijie.accounts.checks import superusers_are_not_auditors
from jijie.accounts.models import ApiToken, User
from jijie.accounts.services import do_role_assign, token_create
from jijie.areas import access
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.audit.admin import AuditedAdmin
from jijie.audit.models import AuditEvent
from jijie.audit.services import verify_chain


def test_grant_role_command_is_audited(tree, actors):
    call_command("grant_role", "nobody", Role.AUDITOR, tree.district.code, stdout=StringIO())
    user = User.objects.get(username="nobody")
    assert [a.code for a in access.scope_roots(user)] == [tree.district.code]
    event = AuditEvent.objects.get(action="role.assign", target_id=str(user.pk))
    assert event.actor is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ghost", Role.AUDITOR, "441602"], "no user"),
        (["nobody", Role.AUDITOR, "441699"], "no area"),
        (["nobody", Role.GRID_WORKER, "441602"], "不能分配"),
    ],
)
def test_grant_role_command_refuses_bad_input(tree, actors, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("grant_role", *args, stdout=StringIO())


def test_admin_shows_but_does_not_write_areas_roles_or_audit(client, tree, actors):
    admin = User.objects.create_superuser(username="root", password="a-long-test-password")
    client.force_login(admin)
    assert client.get(reverse("admin:areas_area_changelist")).status_code == 200
    assert client.get(reverse("admin:areas_area_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    page = client.get(reverse("admin:accounts_user_change", args=[actors.manager.pk]))
    assert page.status_code == 200
    assert 'name="role_assignments-0-role"' not in page.content.decode()  # shown, not editable
    assert "社区书记" in page.content.decode()


# The admin lets a superuser act as nobody else, and every write it keeps is audited ----


@pytest.fixture
def root(db, client):
    user = User.objects.create_superuser(username="root", password="a-long-test-password")
    client.force_login(user)
    return user


def test_a_token_cannot_be_moved_to_another_user_in_the_admin(client, actors, root):
    # given a token of the administrator's own
    token_create(user=root, name="laptop")
    token = ApiToken.objects.get(user=root)
    change = reverse("admin:accounts_apitoken_change", args=[token.pk])
    # when they try to hand it to a community secretary
    answer = client.post(
        change,
        {
            "user": actors.manager.pk,
            "name": "laptop",
            "expires_at_0": "2030-01-01",
            "expires_at_1": "00:00:00",
        },
    )
    # then nothing moves
    assert answer.status_code == 403
    token.refresh_from_db()
    assert token.user == root
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    assert client.get(reverse("admin:accounts_apitoken_delete", args=[token.pk])).status_code == 403
    assert client.get(change).status_code == 200  # shown, read-only


def _superuser_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_admin_is_audited_and_writes_only_what_is_listed(client, root):
    # Tokens, roles, the audit log and personal data are never written in the admin;
    # a model that becomes writable here must be a decision, made in this list.
    request = _superuser_request(root)
    writes = set()
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedAdmin), model._meta.label
        assert set(model_admin.get_actions(request)) <= {"delete_selected"}, model._meta.label
        for verb in ("add", "change", "delete"):
            if getattr(model_admin, f"has_{verb}_permission")(request):
                writes.add((model._meta.label_lower, verb))
        opts = model._meta
        assert (
            client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code
            == 200
        )
        for inline in model_admin.get_inline_instances(request):
            for verb in ("add", "change", "delete"):
                assert not getattr(inline, f"has_{verb}_permission")(request, None)
    assert writes == {("accounts.user", "change"), ("axes.accessattempt", "delete")}
    assert Group not in admin.site._registry


def test_switching_an_account_off_in_the_admin_is_audited(client, actors, root):
    change = reverse("admin:accounts_user_change", args=[actors.manager.pk])
    roles = actors.manager.role_assignments.count()
    answer = client.post(
        change,
        {
            "is_superuser": "on",  # read-only: ignored
            "role_assignments-TOTAL_FORMS": roles,
            "role_assignments-INITIAL_FORMS": roles,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    actors.manager.refresh_from_db()
    assert not actors.manager.is_active
    assert not actors.manager.is_superuser
    event = AuditEvent.objects.get(action="admin.change")
    assert event.actor == root
    assert event.target_type == "accounts.user"
    assert event.target_id == str(actors.manager.pk)
    assert event.data == {"fields": ["Active"]}
    assert list(verify_chain()) == []


def test_the_admin_sets_no_password(client, actors, root):
    page = reverse("admin:auth_user_password_change", args=[actors.manager.pk])
    assert client.get(page).status_code == 403
    answer = client.post(
        page, {"password1": "x-new-long-password", "password2": "x-new-long-password"}
    )
    assert answer.status_code == 403
    assert not User.objects.get(pk=actors.manager.pk).check_password("x-new-long-password")


def test_lifting_sign_in_pauses_in_the_admin_is_audited(client, root):
    attempts = [
        AccessAttempt.objects.create(
            username=name, ip_address="10.0.0.9", user_agent="", failures_since_start=5
        )
        for name in ("alice", "bob")
    ]
    answer = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in attempts],
            "post": "yes",
        },
    )
    assert answer.status_code == 302
    assert not AccessAttempt.objects.exists()
    events = AuditEvent.objects.filter(action="admin.delete")
    assert {(e.target_type, e.target_id, e.actor) for e in events} == {
        ("axes.accessattempt", str(a.pk), root) for a in attempts
    }


# A superuser is never an auditor ----------------------------------------------------------


def test_a_superuser_is_not_given_the_auditor_role(tree, root):
    with pytest.raises(ValidationError, match="超级用户不能担任审计员"):
        do_role_assign(actor=SYSTEM, user=root, role=Role.AUDITOR, area=tree.city)
    with pytest.raises(CommandError, match="超级用户不能担任审计员"):
        call_command("grant_role", "root", Role.AUDITOR, tree.city.code, stdout=StringIO())
    assert not root.role_assignments.exists()
    do_role_assign(actor=SYSTEM, user=root, role=Role.COMMAND, area=tree.district)  # others: yes


def test_an_auditor_is_not_made_a_superuser(actors):
    actors.auditor.is_superuser = True
    with pytest.raises(ValidationError, match="超级用户不能担任审计员"):
        actors.auditor.full_clean()


def test_an_auditor_made_superuser_round_the_rules_stops_migrate(actors):
    assert superusers_are_not_auditors(databases=["default"]) == []
    User.objects.filter(pk=actors.auditor.pk).update(is_superuser=True)  # e.g. in the shell
    problems = superusers_are_not_auditors(databases=["default"])
    assert [(p.id, p.msg) for p in problems] == [
        ("accounts.E001", "Account 'auditor' is a superuser and holds the auditor role.")
    ]
    with pytest.raises(SystemCheckError, match=r"accounts\.E001"):
        call_command("check", databases=["default"], stdout=StringIO(), stderr=StringIO())
