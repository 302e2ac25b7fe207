"""The ledger's index ends with the household's key: its order is total, and a page's keys
are read from the index alone (`core.paging.Pages(by_key=True)`)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("residents", "0015_household_door_sort"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="household",
            name="household_scope",
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["area_path", "door_sort", "id"], name="household_scope"),
        ),
    ]
