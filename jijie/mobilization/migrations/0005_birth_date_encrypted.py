"""A member's birth date: encrypted, with its year in clear; the clear date dropped.

Beside the stored mask (first 3 and last 4 characters) the clear date left three digits
of an ID number unknown, which the check digit and the member's community settle.
The dates are encrypted as `jijie.residents.models.stored_birth_date` does, under the
current PII key, a batch of rows at a time; reversing decrypts them back."""

from datetime import date

from django.db import migrations, models

from jijie.core import pii

BATCH = 2000


def encrypt_birth_dates(apps, schema_editor):
    # One UPDATE a row: on PostgreSQL a row updated twice in this transaction would leave
    # foreign-key checks pending, and the column could not be dropped after.
    Member = apps.get_model("mobilization", "Member")
    dated = Member.objects.filter(birth_date__isnull=False)
    last = 0
    while chunk := list(
        dated.filter(pk__gt=last).order_by("pk").values_list("pk", "birth_date")[:BATCH]
    ):
        Member.objects.bulk_update(
            [
                Member(pk=pk, birth_year=born.year, birth_date_cipher=pii.encrypt(born.isoformat()))
                for pk, born in chunk
            ],
            ["birth_year", "birth_date_cipher"],
        )
        last = chunk[-1][0]


def decrypt_birth_dates(apps, schema_editor):
    Member = apps.get_model("mobilization", "Member")
    encrypted = Member.objects.filter(birth_date_cipher__isnull=False)
    last = 0
    while chunk := list(
        encrypted.filter(pk__gt=last).order_by("pk").values_list("pk", "birth_date_cipher")[:BATCH]
    ):
        Member.objects.bulk_update(
            [
                Member(pk=pk, birth_date=date.fromisoformat(pii.decrypt(cipher)))
                for pk, cipher in chunk
            ],
            ["birth_date"],
        )
        last = chunk[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("mobilization", "0004_sign_up_attempt"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="birth_year",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="出生年份"),
        ),
        migrations.AddField(
            model_name="member",
            name="birth_date_cipher",
            field=models.BinaryField(editable=False, null=True),
        ),
        migrations.RunPython(encrypt_birth_dates, decrypt_birth_dates, elidable=False),
        migrations.RemoveField(
            model_name="member",
            name="birth_date",
        ),
    ]
