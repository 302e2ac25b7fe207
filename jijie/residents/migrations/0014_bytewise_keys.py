"""The people's hashes and tails compared byte by byte on PostgreSQL ("C" collation):
their indexes sort by plain comparison, for keys nobody reads in order. Other databases
compare bytes already, so only the model state changes there (no table rebuild)."""

from typing import Any

from django.db import migrations

import jijie.residents.models

COLUMNS = {"document_hash": 64, "document_tail": 4, "phone_hash": 64, "phone_tail": 4}


def collate(collation: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for column, length in COLUMNS.items():
            schema_editor.execute(
                f'ALTER TABLE "residents_person" ALTER COLUMN "{column}"'
                f" TYPE varchar({length}) COLLATE {collation}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("residents", "0013_name_gram_keyed")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="person",
                    name=name,
                    field=jijie.residents.models.BytewiseCharField(
                        editable=False, max_length=64, null=True
                    )
                    if name.endswith("hash")
                    else jijie.residents.models.BytewiseCharField(blank=True, max_length=4),
                )
                for name in COLUMNS
            ],
            database_operations=[
                migrations.RunPython(collate('"C"'), collate('"default"')),
            ],
        )
    ]
