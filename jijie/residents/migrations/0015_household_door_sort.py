"""Doors sorted as people read them (101, 102 … 1001) by the database: a stored sort key
beside the door, and the household's one index over (area path, sort key) compared byte
by byte, which serves both the area prefix and the ledger's order. Existing households
get their key here."""

import re
from typing import Any

from django.db import migrations, models

import jijie.core.models

_RUNS = re.compile(r"\d+|\D+")
BATCH = 5000


def door_sort(door: str) -> str:
    # residents.doors.door_sort as it was when this migration was written
    runs = _RUNS.findall(door.strip())
    return " ".join(str(int(r)).zfill(12) if r.isdigit() else f"~{r}" for r in runs)[:255]


def fill(apps: Any, schema_editor: Any) -> None:
    Household = apps.get_model("residents", "Household")
    last = 0
    while True:
        batch = list(
            Household.objects.filter(pk__gt=last).order_by("pk").only("door_number")[:BATCH]
        )
        if not batch:
            return
        for household in batch:
            household.door_sort = door_sort(household.door_number)
        Household.objects.bulk_update(batch, ["door_sort"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("residents", "0014_bytewise_keys"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="household", name="household_scope"),
        migrations.AddField(
            model_name="household",
            name="door_sort",
            field=jijie.core.models.BytewiseCharField(default="", editable=False, max_length=255),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="household",
            name="area_path",
            field=jijie.core.models.BytewiseCharField(max_length=255),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["area_path", "door_sort"], name="household_scope"),
        ),
    ]
