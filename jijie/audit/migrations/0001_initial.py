"""The audit chain's models, taken over from the accounts app with their tables
(`accounts.0006_audit_has_its_own_app`): nothing is created in the database."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("accounts", "0005_token_scopes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditHead",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("last_seq", models.PositiveBigIntegerField(default=0)),
                        (
                            "last_hash",
                            models.CharField(
                                default="0000000000000000000000000000000000000000000000000000000000000000",
                                max_length=64,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "审计链头",
                        "verbose_name_plural": "审计链头",
                        "db_table": "accounts_audithead",
                    },
                ),
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("seq", models.PositiveBigIntegerField(unique=True)),
                        ("at", models.DateTimeField(verbose_name="时间")),
                        (
                            "actor_label",
                            models.CharField(blank=True, max_length=150, verbose_name="操作人"),
                        ),
                        ("action", models.CharField(max_length=64, verbose_name="操作")),
                        ("target_type", models.CharField(blank=True, max_length=64)),
                        ("target_id", models.CharField(blank=True, max_length=64)),
                        ("area_path", models.CharField(blank=True, db_index=True, max_length=255)),
                        ("reason", models.TextField(blank=True, verbose_name="事由")),
                        ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        ("prev_hash", models.CharField(max_length=64)),
                        ("hash", models.CharField(max_length=64)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "审计记录",
                        "verbose_name_plural": "审计记录",
                        "db_table": "accounts_auditevent",
                        "ordering": ["-seq"],
                        "indexes": [models.Index(fields=["ip_address", "at"], name="audit_ip_at")],
                    },
                ),
            ]
        )
    ]
