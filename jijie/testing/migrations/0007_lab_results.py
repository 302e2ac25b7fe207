"""A tube's result moved to the lab's ledger (`LabResult`), appended once: the results
already recorded are copied there before the tube's columns go, and back if unapplied."""

import django.db.models.deletion
from django.db import migrations, models


def to_ledger(apps, schema_editor):
    Tube = apps.get_model("testing", "Tube")
    LabResult = apps.get_model("testing", "LabResult")
    done = Tube.objects.exclude(result="pending").values_list("pk", "result", "result_at")
    LabResult.objects.bulk_create(
        [LabResult(tube_id=pk, result=r, result_at=at) for pk, r, at in done.iterator()],
        batch_size=2_000,
    )


def to_tubes(apps, schema_editor):
    Tube = apps.get_model("testing", "Tube")
    LabResult = apps.get_model("testing", "LabResult")
    for pk, r, at in LabResult.objects.values_list("tube_id", "result", "result_at").iterator():
        Tube.objects.filter(pk=pk).update(result=r, result_at=at)


class Migration(migrations.Migration):
    dependencies = [
        ("testing", "0006_batch_carrier_member"),
    ]

    operations = [
        migrations.CreateModel(
            name="LabResult",
            fields=[
                (
                    "tube",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="lab",
                        serialize=False,
                        to="testing.tube",
                        verbose_name="采样管",
                    ),
                ),
                (
                    "result",
                    models.CharField(
                        choices=[
                            ("pending", "待出结果"),
                            ("negative", "阴性"),
                            ("positive", "阳性"),
                        ],
                        max_length=8,
                        verbose_name="结果",
                    ),
                ),
                ("result_at", models.DateTimeField(verbose_name="出结果时间")),
            ],
            options={
                "verbose_name": "检测结果",
                "verbose_name_plural": "检测结果",
            },
        ),
        migrations.RunPython(to_ledger, to_tubes),
        migrations.RemoveConstraint(
            model_name="tube",
            name="testing_tube_result_has_time",
        ),
        migrations.RemoveConstraint(
            model_name="tube",
            name="testing_tube_result_after_seal",
        ),
        migrations.RemoveField(
            model_name="tube",
            name="result",
        ),
        migrations.RemoveField(
            model_name="tube",
            name="result_at",
        ),
        migrations.AddIndex(
            model_name="labresult",
            index=models.Index(
                condition=models.Q(("result", "positive")),
                fields=["tube"],
                name="testing_lab_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="labresult",
            constraint=models.CheckConstraint(
                condition=models.Q(("result__in", ["negative", "positive"])),
                name="testing_lab_result_known",
            ),
        ),
    ]
