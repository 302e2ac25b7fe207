"""The name-piece index keyed by (piece, area path, person): no id, no secondary index,
no per-row foreign-key check. The pieces are rebuilt from the people's names."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

import jijie.residents.models

BATCH = 5000


def pieces(name: str) -> set[str]:
    # The rule of `names.grams` at the time of this migration.
    name = name.strip()
    return {name[i : i + n] for n in (1, 2) for i in range(len(name) - n + 1)}


def rebuild(apps: Any, schema_editor: Any) -> None:
    person_model = apps.get_model("residents", "Person")
    gram_model = apps.get_model("residents", "NameGram")
    db = schema_editor.connection.alias
    batch = []
    people = person_model.objects.using(db).values_list("pk", "name", "area_path")
    for pk, name, area_path in people.iterator(chunk_size=BATCH):
        batch.extend(
            gram_model(person_id=pk, gram=gram, area_path=area_path) for gram in pieces(name)
        )
        if len(batch) >= BATCH * 4:
            gram_model.objects.using(db).bulk_create(batch)
            batch = []
    gram_model.objects.using(db).bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("residents", "0012_import_job_stepped_at")]

    operations = [
        migrations.DeleteModel(name="NameGram"),
        migrations.CreateModel(
            name="NameGram",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "gram",
                        "area_path",
                        "person",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("gram", jijie.residents.models.BytewiseCharField(max_length=2)),
                ("area_path", jijie.residents.models.BytewiseCharField(max_length=255)),
                (
                    "person",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="name_grams",
                        to="residents.person",
                    ),
                ),
            ],
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
