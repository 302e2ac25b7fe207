"""A round's people tested and excused kept by building (`testing.counters`): the
coverage page sums a district's buildings instead of reading every sample. Existing
rounds are counted here, by the rules `counters.counted` follows."""

import django.db.models.deletion
from django.db import migrations, models

import jijie.core.models


def count(apps, schema_editor):
    Round = apps.get_model("testing", "Round")
    Sample = apps.get_model("testing", "Sample")
    Exemption = apps.get_model("testing", "Exemption")
    RoundCoverage = apps.get_model("testing", "RoundCoverage")
    for round_id in Round.objects.values_list("pk", flat=True):
        found = {}
        sampled = Sample.objects.filter(round_id=round_id)
        first = sampled.exclude(
            models.Exists(
                sampled.filter(person=models.OuterRef("person"), pk__lt=models.OuterRef("pk"))
            )
        )
        for path, n in (
            first.values("area_path").annotate(n=models.Count("pk")).values_list("area_path", "n")
        ):
            found.setdefault(path, [0, 0])[0] = n
        excused = (
            Exemption.objects.filter(round_id=round_id)
            .exclude(reason="bedridden")
            .exclude(models.Exists(sampled.filter(person=models.OuterRef("person"))))
        )
        for path, n in (
            excused.values("area_path").annotate(n=models.Count("pk")).values_list("area_path", "n")
        ):
            found.setdefault(path, [0, 0])[1] = n
        RoundCoverage.objects.bulk_create(
            [
                RoundCoverage(round_id=round_id, area_path=path, tested=t, excused=e)
                for path, (t, e) in found.items()
            ],
            batch_size=5000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("testing", "0004_site_posts"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoundCoverage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("area_path", jijie.core.models.BytewiseCharField(max_length=255)),
                ("tested", models.PositiveIntegerField(default=0)),
                ("excused", models.PositiveIntegerField(default=0)),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="testing.round",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("round", "area_path"), name="testing_coverage_once"
                    )
                ],
            },
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
