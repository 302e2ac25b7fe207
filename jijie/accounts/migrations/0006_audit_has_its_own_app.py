"""The audit chain's models move to their own app (`jijie.audit`), below the areas, so
that every app, the areas included, can audit its writes without importing the
accounts. Their tables stay where they are: only the models' home changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_token_scopes"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditHead"),
                migrations.DeleteModel(name="AuditEvent"),
            ]
        )
    ]
