"""Tokens name what they may call and live at most 30 days. The tokens made before keep
every part of the API (what they could call when made) and end 30 days after they were
made, if that comes sooner than their 90 days."""

from datetime import timedelta
from typing import Any

from django.db import migrations, models

SCOPES = ["areas", "gates", "mobilization", "residents", "screening"]
MAX_LIFE = timedelta(days=30)


def scope_and_shorten(apps: Any, schema_editor: Any) -> None:
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(revoked_at__isnull=True).iterator():
        token.scopes = SCOPES
        token.expires_at = min(token.expires_at, token.created_at + MAX_LIFE)
        token.save(update_fields=["scopes", "expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_account_setup_steps"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.JSONField(default=list, verbose_name="可调用的接口"),
        ),
        migrations.RunPython(scope_and_shorten, migrations.RunPython.noop),
    ]
