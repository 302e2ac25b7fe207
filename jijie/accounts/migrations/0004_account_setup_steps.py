from typing import Any

from django.db import migrations, models

# The roles that could reveal or export personal data in full when this migration was
# written (access.MFA_ACTIONS): their holders without an authenticator enrol at their
# next request, as accounts given such a role from now on do.
MFA_ROLES = ["command", "street_office", "community_secretary", "community_worker", "grid_worker"]


def mark_mfa_enrolment(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("accounts", "User")
    due = (
        User.objects.filter(is_active=True, role_assignments__role__in=MFA_ROLES)
        .exclude(mfa_device__confirmed_at__isnull=False)
        .values("pk")
    )
    User.objects.filter(pk__in=due).update(mfa_enrolment_required=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_ip_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="mfa_enrolment_required",
            field=models.BooleanField(default=False, verbose_name="须设置两步验证"),
        ),
        migrations.AddField(
            model_name="user",
            name="password_change_required",
            field=models.BooleanField(default=False, verbose_name="须修改密码"),
        ),
        migrations.RunPython(mark_mfa_enrolment, migrations.RunPython.noop),
    ]
