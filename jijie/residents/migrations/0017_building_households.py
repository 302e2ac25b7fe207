"""Households counted by building, kept as they are registered (`residents.counts`):
the ledger sums its scope's buildings instead of reading every household. Existing
households are counted here."""

import django.db.models.deletion
from django.db import migrations, models

import jijie.core.models


def count(apps, schema_editor):
    Household = apps.get_model("residents", "Household")
    BuildingHouseholds = apps.get_model("residents", "BuildingHouseholds")
    rows = (
        Household.objects.values("building_id", "area_path")
        .annotate(n=models.Count("id"))
        .order_by()
    )
    BuildingHouseholds.objects.bulk_create(
        [
            BuildingHouseholds(
                building_id=r["building_id"], area_path=r["area_path"], households=r["n"]
            )
            for r in rows
        ],
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("residents", "0016_household_scope_ends_with_key"),
    ]

    operations = [
        migrations.CreateModel(
            name="BuildingHouseholds",
            fields=[
                (
                    "building",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="areas.area",
                    ),
                ),
                ("area_path", jijie.core.models.BytewiseCharField(max_length=255)),
                ("households", models.PositiveIntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["area_path"], name="building_households_scope")],
            },
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
