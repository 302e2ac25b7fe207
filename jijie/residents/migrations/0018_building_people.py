"""People counted by building beside its households, kept as they are added or moved
(`residents.counts.people_added`): a testing round's coverage sums its scope's buildings
instead of reading every person. Existing people are counted here."""

from django.db import migrations, models


def count(apps, schema_editor):
    Person = apps.get_model("residents", "Person")
    BuildingHouseholds = apps.get_model("residents", "BuildingHouseholds")
    rows = (
        Person.objects.values("household__building_id")
        .annotate(n=models.Count("id"))
        .order_by()
        .values_list("household__building_id", "n")
    )
    kept = {b.pk: b for b in BuildingHouseholds.objects.all()}
    for building_id, n in rows:
        kept[building_id].people = n
    BuildingHouseholds.objects.bulk_update(kept.values(), ["people"], batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0017_building_households"),
    ]

    operations = [
        migrations.AddField(
            model_name="buildinghouseholds",
            name="people",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
