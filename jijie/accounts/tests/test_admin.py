from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from jijie.accounts.models import AuditEvent, Role, User
from jijie.areas import access


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
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    page = client.get(reverse("admin:accounts_user_change", args=[actors.manager.pk]))
    assert page.status_code == 200
    assert 'name="role_assignments-0-role"' not in page.content.decode()  # shown, not editable
    assert "社区书记" in page.content.decode()
